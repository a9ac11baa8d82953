import {
  CORE_OPTIONS,
  createComponentApp,
  createMemoryLogger,
  FaultSwitchboard,
  LayeredConfig,
  MemoryTraceSink,
  openStore,
  SeededRandom,
} from '@kakehashi/core';
import { ocspSignerFor, unauthorisedOcspSignerFor } from '@kakehashi/trust';
import { afterAll, describe, expect, it } from 'vitest';
import { checkOcspResponse } from '../src/ocsp/check-ocsp-response.ts';
import { OCSP_REQUEST_TYPE } from '../src/ocsp/ocsp-common.ts';
import { buildOcspRequest } from '../src/ocsp/ocsp-request.ts';
import { createOcspResponder, type OcspFault } from '../src/ocsp/ocsp-responder.ts';
import { mountOcspResponder } from '../src/ocsp/routes.ts';
import type { ValidationReport } from '../src/report/z-report.ts';
import { signDocument } from '../src/sign/sign-document.ts';
import { createTrustStoreContext } from '../src/validate/trust-store-context.ts';
import { validateSignature } from '../src/validate/validate-signature.ts';
import { cred, frozenClock, material, T0, trustView } from './fixtures.ts';

/**
 * The OCSP faults of the trust fabric (`ocsp.unknown`, `ocsp.try-later`, `ocsp.forged`) as the responder applies
 * them, what RFC 6960 clients make of them (ours: checkOcspResponse), and what the signature validator concludes:
 * unknown and tryLater are never taken as good (the CRL decides), a forged response is INDETERMINATE/TRY_LATER.
 */
const m = material();
const AT = m.countries.AT!;
const clock = frozenClock(T0);
const responder = createOcspResponder({
  ca: AT.issuingCa,
  signer: ocspSignerFor(m, 'AT-issuing-ca')!,
  unauthorisedSigner: unauthorisedOcspSignerFor(m, 'AT-issuing-ca'),
  status: () => undefined,
  clock,
});
const leaf = AT.agencies.bmi!;
const DOC = Buffer.from('<Order xmlns="urn:kakehashi:test"><Amount>100</Amount></Order>');

describe('OCSP faults', () => {
  const ask = (fault?: OcspFault) => {
    const req = buildOcspRequest(leaf.certPem, AT.issuingCa.certPem);
    const a = responder.respond(req.der, fault);
    return {
      answer: a,
      check: checkOcspResponse(a.der, {
        certificate: leaf.certPem,
        issuer: AT.issuingCa.certPem,
        nonce: req.nonce,
        at: T0,
      }),
    };
  };

  it('no fault: good, signed by the delegated responder', () => {
    expect(ask().check).toMatchObject({ ok: true, status: 'good', delegated: true });
  });
  it('unknown: a signed answer with certStatus unknown', () => {
    const r = ask('unknown');
    expect(r.answer.responses.map((x) => x.status)).toEqual(['unknown']);
    expect(r.check).toMatchObject({ ok: true, status: 'unknown' });
  });
  it('try-later: the error status tryLater, no response bytes', () => {
    const r = ask('try-later');
    expect(r.answer.responseStatus).toBe('tryLater');
    expect(r.check).toMatchObject({ ok: false, problem: 'responder-error' });
  });
  it('forged: "good", signed by a certificate of the CA without id-kp-OCSPSigning → rejected (signer)', () => {
    const r = ask('forged');
    expect(r.answer.signer).toBe('Kakehashi AT Trusted List Signer (TEST)');
    expect(r.answer.responses.map((x) => x.status)).toEqual(['good']);
    expect(r.check.ok).toBe(false);
    if (!r.check.ok) expect(r.check.problem).toBe('signer');
  });

  describe('the validator', () => {
    const validate = async (fault: OcspFault | undefined, revokedOnCrl = false) => {
      const revocations = revokedOnCrl
        ? [
            {
              serialHex: leaf.serialHex,
              revokedAt: new Date(T0.getTime() - 86_400_000),
              issuerName: 'AT-issuing-ca',
              reason: 'keyCompromise' as const,
            },
          ]
        : [];
      const { store, crlDer } = trustView({ clock, revocations });
      const ctx = createTrustStoreContext({
        store,
        clock,
        crls: (url) => crlDer[/\/trust\/crl\/([\w.-]+)\.crl$/.exec(url)?.[1] ?? ''],
        ocsp: (url, requestDer) =>
          url.endsWith('/AT-issuing-ca') ? responder.respond(requestDer, fault).der : undefined,
      });
      const s = await signDocument({
        format: 'xades',
        level: 'B-B',
        packaging: 'enveloped',
        credential: cred(leaf),
        content: DOC,
        clock,
      });
      return validateSignature({ signature: s.signature }, ctx);
    };
    const ocspCheck = (r: ValidationReport) =>
      r.buildingBlocks.find((b) => b.id === 'XCV')?.checks.find((c) => c.check === 'revocation (OCSP)');

    it('unknown / try-later: a warning, the CRL decides — valid when the CRL says so, REVOKED when it lists the signer', async () => {
      for (const fault of ['unknown', 'try-later'] as const) {
        const ok = await validate(fault);
        expect([ok.indication, ok.subIndicationName]).toEqual(['TOTAL-PASSED', undefined]);
        expect(ocspCheck(ok)?.outcome).toBe('warning');
        const revoked = await validate(fault, true);
        expect([revoked.indication, revoked.subIndicationName]).toEqual(['TOTAL-FAILED', 'REVOKED']);
      }
    });
    it('forged → INDETERMINATE/TRY_LATER, naming the rejected response', async () => {
      const r = await validate('forged');
      expect([r.indication, r.subIndicationName]).toEqual(['INDETERMINATE', 'TRY_LATER']);
      expect(ocspCheck(r)?.outcome).toBe('failed');
      expect(r.explanation).toContain('is rejected');
    });
  });

  describe('the route: offered where the responders mount, switched with the switchboard, fired on the hop', () => {
    const store = openStore({ name: 'ocsp-faults' });
    afterAll(() => store.close());
    const faults = new FaultSwitchboard();
    const traces = new MemoryTraceSink();
    const deps = {
      store,
      clock,
      random: new SeededRandom('ocsp-faults'),
      logger: createMemoryLogger(),
      config: new LayeredConfig(CORE_OPTIONS),
      fetch,
      traces,
      faults,
    };
    const app = createComponentApp({ component: 'hub', name: 'test hub', version: '0' }, deps);
    mountOcspResponder(app, {
      ...deps,
      component: 'hub',
      responderFor: (ca) => (ca === 'AT-issuing-ca' ? responder : undefined),
    });
    const post = async () => {
      const req = buildOcspRequest(leaf.certPem, AT.issuingCa.certPem);
      const res = await app.request('/trust/ocsp/AT-issuing-ca', {
        method: 'POST',
        headers: { 'content-type': OCSP_REQUEST_TYPE },
        body: new Uint8Array(req.der),
      });
      return checkOcspResponse(new Uint8Array(await res.arrayBuffer()), {
        certificate: leaf.certPem,
        issuer: AT.issuingCa.certPem,
        nonce: req.nonce,
        at: T0,
      });
    };
    it('lists ocsp.* (block trust, not per request), and each switched on changes the answer', async () => {
      expect(faults.list().map((f) => `${f.block}:${f.name}:${f.perRequest === true}`)).toEqual(
        ['trust:ocsp.unknown', 'trust:ocsp.try-later', 'trust:ocsp.forged'].map((n) => `${n}:false`),
      );
      expect(await post()).toMatchObject({ ok: true, status: 'good' });
      const expected: Record<string, object> = {
        'ocsp.unknown': { ok: true, status: 'unknown' },
        'ocsp.try-later': { ok: false, problem: 'responder-error' },
        'ocsp.forged': { ok: false, problem: 'signer' },
      };
      for (const [name, outcome] of Object.entries(expected)) {
        faults.set({ enable: [name] });
        try {
          expect(await post()).toMatchObject(outcome);
        } finally {
          faults.set({ disable: [name] });
        }
      }
      expect(traces.events.filter((e) => e.faults?.includes('ocsp.forged')).length).toBeGreaterThan(0);
      // A header cannot ask for it: not per request.
      const res = await app.request('/trust/ocsp/AT-issuing-ca', {
        method: 'POST',
        headers: { 'content-type': OCSP_REQUEST_TYPE, 'x-kakehashi-fault': 'ocsp.forged' },
        body: new Uint8Array(buildOcspRequest(leaf.certPem, AT.issuingCa.certPem).der),
      });
      expect(res.status).toBe(200);
      expect(traces.events.filter((e) => e.faults?.includes('ocsp.forged')).length).toBe(1);
    });
  });
});
