import {
  CORE_OPTIONS,
  createComponentApp,
  createMemoryLogger,
  FaultSwitchboard,
  LayeredConfig,
  MemoryTraceSink,
  openStore,
  SeededRandom,
  type Store,
  VirtualClock,
} from '@kakehashi/core';
import { inspectCertificate, standingRevokedSerial } from '@kakehashi/trust';
import { afterAll, describe, expect, it } from 'vitest';
import type { ValidationReport } from '../src/report/z-report.ts';
import { mountSignatureService } from '../src/service/routes.ts';
import { validateSignature } from '../src/validate/validate-signature.ts';
import { cred, frozenClock, jpkiCitizen, material, T0, trustView, tsaFor } from './fixtures.ts';

/**
 * The signing faults (security lab): each asked for by one request (`X-Kakehashi-Fault`) or switched on makes
 * `POST /esig/sign` return a signature that our strict validator refuses with the named indication, in every format;
 * the weak-node twins let the same signature through on the component where they are on.
 */
const m = material();
const AT = m.countries.AT!;
const DOC = '<Order xmlns="urn:kakehashi:test"><Amount>100</Amount></Order>';
const FORMATS = ['xades', 'jades', 'cades'] as const;

type Signed = { signature: string; signatureEncoding: string; signer: { subject: string } };

describe('esig signing faults', () => {
  const stores: Store[] = [];
  afterAll(() => {
    for (const s of stores) s.close();
  });
  const clock = frozenClock(T0);
  const strict = trustView({ clock: new VirtualClock() });
  strict.ctx.clock = clock;
  const build = () => {
    const store = openStore({ name: 'esig-faults' });
    stores.push(store);
    const faults = new FaultSwitchboard();
    const logger = createMemoryLogger();
    faults.useLogger(logger);
    const deps = {
      store,
      clock,
      random: new SeededRandom('esig-faults'),
      logger,
      config: new LayeredConfig(CORE_OPTIONS),
      fetch,
      traces: new MemoryTraceSink(),
      faults,
    };
    const app = createComponentApp({ component: 'node', name: 'test node AT', version: '0' }, deps);
    mountSignatureService(app, {
      ...deps,
      component: 'node',
      country: 'AT',
      validateCertificate: strict.ctx.validateCertificate,
      loadCrl: async (url) => strict.ctx.loadCrl?.(url),
      signers: { agencies: { bmi: cred(AT.agencies.bmi!) } },
      faultIssuers: [cred(AT.issuingCa)],
      tsa: tsaFor('AT', clock),
    });
    return { app, faults, logger };
  };
  const node = build();

  const sign = async (
    format: (typeof FORMATS)[number],
    o: { fault?: string; level?: 'B-B' | 'B-T'; via?: 'header' | 'query'; app?: typeof node.app } = {},
  ) => {
    const query = o.fault && o.via === 'query' ? `?kakehashi_fault=${o.fault}` : '';
    const res = await (o.app ?? node.app).request(`/esig/sign${query}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(o.fault && o.via !== 'query' ? { 'x-kakehashi-fault': o.fault } : {}),
      },
      body: JSON.stringify({
        signer: { type: 'agency', id: 'bmi' },
        format,
        level: o.level ?? 'B-B',
        document: { content: DOC },
      }),
    });
    const body = (await res.json()) as Signed & { code?: string };
    return { status: res.status, body };
  };
  const strictly = (signature: string) => validateSignature({ signature }, strict.ctx);
  const verdict = (r: ValidationReport) => [r.indication, r.subIndicationName];
  const signingCert = (r: ValidationReport) => r.signer?.subject ?? '';

  it('off by default: every format signs validly (TOTAL-PASSED), and GET /admin/faults lists the esig faults', async () => {
    for (const format of FORMATS) {
      const s = await sign(format);
      expect(s.status).toBe(200);
      expect(verdict(await strictly(s.body.signature))).toEqual(['TOTAL-PASSED', undefined]);
    }
    const names = node.faults.list().map((f) => `${f.name}:${f.kind}:${f.perRequest === true}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'esig.revoked-certificate:forge:true',
        'esig.weak-algorithm:forge:true',
        'lenient.esig.revoked-certificate:lenient:false',
        'lenient.esig.weak-algorithm:lenient:false',
      ]),
    );
  });

  it.each(FORMATS)(
    'esig.revoked-certificate (%s): the CA’s standing revoked serial → TOTAL-FAILED/REVOKED',
    async (format) => {
      const s = await sign(format, { fault: 'esig.revoked-certificate' });
      expect(s.status).toBe(200);
      expect(s.body.signer.subject).toContain('(fault: revoked)');
      const r = await strictly(s.body.signature);
      expect(verdict(r)).toEqual(['TOTAL-FAILED', 'REVOKED']);
      expect(r.explanation).toContain('(reason: keyCompromise)');
      expect(r.explanation).toContain('after the revocation');
      expect(r.signer?.serialHex?.toLowerCase()).toBe(standingRevokedSerial(AT.issuingCa.serialHex));
    },
  );

  it.each(FORMATS)('esig.expired-certificate (%s): OUT_OF_BOUNDS_NO_POE at B-B, EXPIRED at B-T', async (format) => {
    const bb = await strictly((await sign(format, { fault: 'esig.expired-certificate' })).body.signature);
    expect(verdict(bb)).toEqual(['INDETERMINATE', 'OUT_OF_BOUNDS_NO_POE']);
    expect(signingCert(bb)).toContain('(fault: expired)');
    const bt = await strictly((await sign(format, { fault: 'esig.expired-certificate', level: 'B-T' })).body.signature);
    expect(verdict(bt)).toEqual(['TOTAL-FAILED', 'EXPIRED']);
  });

  it.each(FORMATS)(
    'esig.missing-signing-certificate (%s) → INDETERMINATE/NO_SIGNING_CERTIFICATE_FOUND',
    async (format) => {
      const s = await sign(format, { fault: 'esig.missing-signing-certificate', via: 'query' });
      const r = await strictly(s.body.signature);
      expect(verdict(r)).toEqual(['INDETERMINATE', 'NO_SIGNING_CERTIFICATE_FOUND']);
      expect(r.buildingBlocks.find((b) => b.id === 'ISC')?.explanation).toMatch(
        /no SigningCertificateV2|no x5t#S256|signing-certificate/,
      );
    },
  );

  it.each(FORMATS)('esig.untrusted-tsa (%s): the time-stamp fails, the signature attains B-B only', async (format) => {
    const s = await sign(format, { fault: 'esig.untrusted-tsa', level: 'B-T' });
    const r = await strictly(s.body.signature);
    expect(r.level).toBe('B-B');
    expect(r.levelExplanation).toContain('none validates');
    expect(r.signingTime.proven).toBeUndefined();
    expect(r.buildingBlocks.find((b) => b.id === 'TST')?.indication).not.toBe('PASSED');
    expect(JSON.stringify(r.timestamps)).toContain('fault: untrusted');
  });

  it.each(FORMATS)(
    'esig.weak-algorithm (%s): RSA-1024 (and SHA-1) → INDETERMINATE/CRYPTO_CONSTRAINTS_FAILURE_NO_POE',
    async (format) => {
      const s = await sign(format, { fault: 'esig.weak-algorithm' });
      const r = await strictly(s.body.signature);
      expect(verdict(r)).toEqual(['INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE']);
      expect(r.explanation).toMatch(/1024/);
      // XAdES and CAdES also digest and sign with SHA-1 (JOSE has no SHA-1 algorithm: JAdES keeps RS256).
      if (format === 'xades') expect(s.body.signature).toContain('xmldsig#rsa-sha1');
      if (format === 'cades') {
        const der = Buffer.from(s.body.signature, 'base64');
        expect(der.includes(Buffer.from('06052b0e03021a', 'hex'))).toBe(true); // id-sha1
        expect(der.includes(Buffer.from('06092a864886f70d010105', 'hex'))).toBe(true); // sha1WithRSAEncryption
      }
    },
  );

  it('switched on with the switchboard it applies to every request, off again → valid; the firing is logged', async () => {
    node.faults.set({ enable: ['esig.weak-algorithm'] });
    try {
      const r = await strictly((await sign('xades')).body.signature);
      expect(verdict(r)).toEqual(['INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE']);
    } finally {
      node.faults.set({ disable: ['esig.weak-algorithm'] });
    }
    expect(verdict(await strictly((await sign('xades')).body.signature))).toEqual(['TOTAL-PASSED', undefined]);
    expect(node.logger.lines.some((l) => l.msg === 'fault fired' && l.fault === 'esig.weak-algorithm')).toBe(true);
  });

  it('a fault the signing service does not honour, or a lenient one, is refused (400)', async () => {
    expect(await sign('xades', { fault: 'id-token.alg-none' })).toMatchObject({
      status: 400,
      body: { code: 'fault-unknown' },
    });
    expect(await sign('xades', { fault: 'lenient.esig.weak-algorithm' })).toMatchObject({
      status: 400,
      body: { code: 'fault-unknown' },
    });
  });

  it('esig.untrusted-tsa asked for a B-B signature answers 422 esig-fault-unavailable (nothing to forge)', async () => {
    expect(await sign('xades', { fault: 'esig.untrusted-tsa' })).toMatchObject({
      status: 422,
      body: { code: 'esig-fault-unavailable' },
    });
  });

  it('a node without the key of the signer’s CA answers 422 esig-fault-unavailable', async () => {
    const other = (() => {
      const store = openStore({ name: 'esig-faults-2' });
      stores.push(store);
      const faults = new FaultSwitchboard();
      const deps = {
        store,
        clock,
        random: new SeededRandom('esig-faults-2'),
        logger: createMemoryLogger(),
        config: new LayeredConfig(CORE_OPTIONS),
        fetch,
        traces: new MemoryTraceSink(),
        faults,
      };
      const app = createComponentApp({ component: 'node', name: 'test node', version: '0' }, deps);
      mountSignatureService(app, {
        ...deps,
        component: 'node',
        validateCertificate: strict.ctx.validateCertificate,
        signers: { agencies: { bmi: cred(AT.agencies.bmi!) } },
      });
      return app;
    })();
    expect(await sign('xades', { fault: 'esig.revoked-certificate', app: other })).toMatchObject({
      status: 422,
      body: { code: 'esig-fault-unavailable' },
    });
  });

  it('a JPKI citizen (Japan): the faults re-issue under the JPKI CA the node holds — revoked, weak key', async () => {
    const store = openStore({ name: 'esig-faults-jp' });
    stores.push(store);
    const deps = {
      store,
      clock,
      random: new SeededRandom('esig-faults-jp'),
      logger: createMemoryLogger(),
      config: new LayeredConfig(CORE_OPTIONS),
      fetch,
      traces: new MemoryTraceSink(),
      faults: new FaultSwitchboard(),
    };
    const jp = createComponentApp({ component: 'node', name: 'test node JP', version: '0' }, deps);
    const card = jpkiCitizen().signature;
    mountSignatureService(jp, {
      ...deps,
      component: 'node',
      country: 'JP',
      validateCertificate: strict.ctx.validateCertificate,
      signers: { agencies: {}, citizen: () => cred(card) },
      faultIssuers: [cred(m.countries.JP!.issuingCa), cred(m.countries.JP!.jpki!.ca)],
    });
    const signAs = async (fault: string) => {
      const res = await jp.request('/esig/sign', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-kakehashi-fault': fault },
        body: JSON.stringify({
          signer: { type: 'citizen', personaId: 'jp-test-001' },
          format: 'cades',
          document: { content: DOC },
        }),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as Signed).signature;
    };
    const revoked = await strictly(await signAs('esig.revoked-certificate'));
    expect(verdict(revoked)).toEqual(['TOTAL-FAILED', 'REVOKED']);
    expect(revoked.signer?.serialHex).toBe(standingRevokedSerial(m.countries.JP!.jpki!.ca.serialHex));
    expect(verdict(await strictly(await signAs('esig.weak-algorithm')))).toEqual([
      'INDETERMINATE',
      'CRYPTO_CONSTRAINTS_FAILURE_NO_POE',
    ]);
  });

  describe('weak node: the lenient twins let the forged signature through; the strict validator beside refuses it', () => {
    const validateAt = async (signature: string) => {
      const res = await node.app.request('/esig/validate', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ signature }),
      });
      expect(res.status).toBe(200);
      return (await res.json()) as ValidationReport;
    };
    const cases = [
      ['esig.revoked-certificate', 'lenient.esig.revoked-certificate', 'REVOKED'],
      ['esig.expired-certificate', 'lenient.esig.expired-certificate', 'OUT_OF_BOUNDS_NO_POE'],
      ['esig.missing-signing-certificate', 'lenient.esig.missing-signing-certificate', 'NO_SIGNING_CERTIFICATE_FOUND'],
      ['esig.weak-algorithm', 'lenient.esig.weak-algorithm', 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE'],
    ] as const;
    it.each(cases)('%s passes where %s is on; strict: %s', async (fault, lenient, sub) => {
      for (const format of FORMATS) {
        const { signature } = (await sign(format, { fault })).body;
        expect((await validateAt(signature)).subIndicationName).toBe(sub);
        node.faults.set({ enable: [lenient] });
        try {
          const weak = await validateAt(signature);
          expect(verdict(weak), `${format}: ${weak.explanation}`).toEqual(['TOTAL-PASSED', undefined]);
          expect(JSON.stringify(weak.buildingBlocks)).toContain(`Ignored on purpose`);
          expect(JSON.stringify(weak.buildingBlocks)).toContain(lenient);
        } finally {
          node.faults.set({ disable: [lenient] });
        }
        // The strict validator beside it (another component, or this one with the fault off) still refuses it.
        expect((await strictly(signature)).subIndicationName).toBe(sub);
      }
    });
    it('esig.untrusted-tsa: attains B-T where lenient.esig.untrusted-tsa is on; B-B at the strict validator', async () => {
      for (const format of FORMATS) {
        const { signature } = (await sign(format, { fault: 'esig.untrusted-tsa', level: 'B-T' })).body;
        node.faults.set({ enable: ['lenient.esig.untrusted-tsa'] });
        try {
          const weak = await validateAt(signature);
          expect([weak.indication, weak.level], format).toEqual(['TOTAL-PASSED', 'B-T']);
          expect(weak.signingTime.proven).toBeDefined();
          expect(JSON.stringify(weak.buildingBlocks)).toContain(
            'accepted on purpose (weak node, fault lenient.esig.untrusted-tsa)',
          );
        } finally {
          node.faults.set({ disable: ['lenient.esig.untrusted-tsa'] });
        }
        const strict = await strictly(signature);
        expect([strict.level, strict.signingTime.proven]).toEqual(['B-B', undefined]);
      }
    });

    it('a lenient fault changes nothing for a valid signature and is not reported as fired', async () => {
      node.faults.set({ enable: ['lenient.esig.*'] });
      const fired = () => node.logger.lines.filter((l) => l.msg === 'fault fired').length;
      const before = fired();
      try {
        const r = await validateAt((await sign('cades')).body.signature);
        expect(verdict(r)).toEqual(['TOTAL-PASSED', undefined]);
        expect(JSON.stringify(r.buildingBlocks)).not.toContain('Ignored on purpose');
      } finally {
        node.faults.set({ disable: ['lenient.esig.*'] });
      }
      expect(fired()).toBe(before);
    });
  });

  it('the re-issued certificates keep the CA’s CRL and OCSP URLs (so revocation sources name them)', async () => {
    const r = await strictly((await sign('jades', { fault: 'esig.revoked-certificate' })).body.signature);
    const x5c = JSON.parse(
      Buffer.from(
        (await sign('jades', { fault: 'esig.revoked-certificate' })).body.signature.split('.')[0]!,
        'base64url',
      ).toString(),
    ).x5c as string[];
    const facts = inspectCertificate(`-----BEGIN CERTIFICATE-----\n${x5c[0]}\n-----END CERTIFICATE-----\n`);
    expect(facts.crlDistributionPoints[0]).toContain('/trust/crl/AT-issuing-ca.crl');
    expect(facts.ocspUrls[0]).toContain('/trust/ocsp/AT-issuing-ca');
    expect(r.indication).toBe('TOTAL-FAILED');
  });
});
