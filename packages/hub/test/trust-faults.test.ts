import { join } from 'node:path';
import {
  CORE_OPTIONS,
  createComponentApp,
  createMemoryLogger,
  FaultSwitchboard,
  LayeredConfig,
  MemoryTraceSink,
  openStore,
  SeededRandom,
  VirtualClock,
} from '@kakehashi/core';
import { buildOcspRequest, checkOcspResponse } from '@kakehashi/esig';
import {
  generateTrustMaterial,
  parseCrl,
  standingRevokedSerial,
  TrustStore,
  verifyLotl,
  verifyTrustedList,
} from '@kakehashi/trust';
import { afterAll, describe, expect, it } from 'vitest';
import { createHubTrust } from '../src/trust/create-hub-trust.ts';
import { trustPublicationRoutes } from '../src/trust-publication/routes.ts';

/**
 * The trust faults at the hub's publication: while one is on the hub serves correctly signed lists that are expired,
 * rolled back or withdraw the node CAs, or stale CRLs — each refused by a strict relying party with its named code —
 * and its own validation keeps the genuine lists. Each CA's standing revoked certificate is on its CRL and in OCSP.
 */
const HUB = 'http://127.0.0.1:7000';
const DAY = 86_400_000;
const m = generateTrustMaterial({
  seed: 'kakehashi-hub-trust-faults',
  countries: [{ code: 'AT', name: 'Austria', agencies: [{ id: 'bmf', name: 'Finance' }] }],
  hubUrl: HUB,
  cacheDir: join(import.meta.dirname, '..', 'node_modules', '.cache', 'hub-trust-faults'),
  now: new Date('2026-06-01T00:00:00Z'),
});
const AT = m.countries.AT!;

describe('trust faults at the hub publication', () => {
  const store = openStore({ name: 'hub-trust-faults' });
  afterAll(() => store.close());
  const clock = new VirtualClock();
  clock.freeze(new Date('2026-06-01T00:00:00Z'));
  const trust = createHubTrust(m, { clock, store, hubUrl: HUB, validityDays: () => 30 });
  const faults = new FaultSwitchboard();
  const logger = createMemoryLogger();
  const app = createComponentApp(
    { component: 'hub', name: 'test hub', version: '0' },
    {
      store,
      clock,
      random: new SeededRandom('hub-trust-faults'),
      logger,
      config: new LayeredConfig(CORE_OPTIONS),
      fetch,
      traces: new MemoryTraceSink(),
      faults,
    },
  );
  app.route('/', trustPublicationRoutes({ trust, publicUrl: HUB, faults }));
  const text = async (path: string) => (await app.request(`${HUB}${path}`)).text();
  const on = async (name: string, fn: () => Promise<void>) => {
    faults.set({ enable: [name] });
    try {
      await fn();
    } finally {
      faults.set({ disable: [name] });
    }
  };
  const pinned = { pinnedSignerCerts: [m.hub.signing.certPem], clock };
  const codeOf = (fn: () => unknown) => {
    try {
      fn();
      return 'accepted';
    } catch (e) {
      return (e as { code?: string }).code;
    }
  };
  const agency = AT.agencies.bmf!;
  const validateAgency = (tl: string, at = clock.now()) => {
    const lotl = verifyLotl(trust.lotlXml(), pinned);
    const p = lotl.pointers.find((x) => x.territory === 'AT')!;
    const list = verifyTrustedList(tl, { signerCerts: p.signerCertsPem, clock, expectedTerritory: 'AT' });
    return TrustStore.fromTrustedLists([list]).validate(agency.certPem, {
      intermediates: agency.chainPem,
      at,
    });
  };

  it('offers the publication faults (block trust), all off: the genuine lists verify', async () => {
    expect(faults.list().map((f) => `${f.block}:${f.name}:${f.enabled}`)).toEqual([
      'trust:trust.tl-expired:false',
      'trust:trust.tl-rollback:false',
      'trust:trust.ca-withdrawn:false',
      'trust:trust.crl-stale:false',
    ]);
    expect(verifyLotl(await text('/trust/lotl.xml'), pinned).sequenceNumber).toBe(1);
    expect(validateAgency(await text('/trust/tl/AT.xml')).valid).toBe(true);
  });

  it('trust.tl-expired: the LOTL and lists are signed but past NextUpdate → tl-expired; the hub’s own view is unaffected', async () => {
    await on('trust.tl-expired', async () => {
      expect(codeOf(() => verifyLotl(trust.lotlXml(), pinned))).toBe('accepted');
      const lotl = await text('/trust/lotl.xml');
      expect(codeOf(() => verifyLotl(lotl, pinned))).toBe('tl-expired');
      const p = verifyLotl(trust.lotlXml(), pinned).pointers.find((x) => x.territory === 'AT')!;
      expect(
        codeOf(() => verifyTrustedList(trust.trustedListXml('AT')!, { signerCerts: p.signerCertsPem, clock })),
      ).toBe('accepted');
      const served = await text('/trust/tl/AT.xml');
      expect(codeOf(() => verifyTrustedList(served, { signerCerts: p.signerCertsPem, clock }))).toBe('tl-expired');
      expect(trust.validateCertificate(agency.certPem, agency.chainPem, { at: clock.now() }).valid).toBe(true);
    });
    expect(logger.lines.some((l) => l.msg === 'fault fired' && l.fault === 'trust.tl-expired')).toBe(true);
  });

  it('trust.ca-withdrawn: the AT CA services are withdrawn since the forged list → the agency certificate has no granted anchor', async () => {
    await on('trust.ca-withdrawn', async () => {
      const withdrawnAt = clock.now();
      const tl = await text('/trust/tl/AT.xml');
      expect(tl).toContain('Svcstatus/withdrawn');
      clock.advance(60_000);
      const r = validateAgency(tl);
      expect(r.valid).toBe(false);
      expect(r.failure?.code).toBe('cert-untrusted-root');
      // Before the withdrawal the CA was granted (status history): a time-stamped signature from then still holds.
      expect(validateAgency(tl, new Date(withdrawnAt.getTime() - DAY)).valid).toBe(true);
    });
    expect(validateAgency(await text('/trust/tl/AT.xml')).valid).toBe(true);
  });

  it('trust.tl-rollback: after a republication (sequence 2) the forged lists carry sequence 1 → tl-rollback', async () => {
    clock.advance(30 * DAY);
    const seen = verifyLotl(await text('/trust/lotl.xml'), pinned).sequenceNumber;
    expect(seen).toBe(2);
    await on('trust.tl-rollback', async () => {
      const lotl = await text('/trust/lotl.xml');
      expect(codeOf(() => verifyLotl(lotl, { ...pinned, minSequence: seen }))).toBe('tl-rollback');
      expect(verifyLotl(lotl, pinned).sequenceNumber).toBe(1);
    });
  });

  it('trust.crl-stale: every CRL is served with its nextUpdate passed; the genuine one is fresh', async () => {
    const fresh = parseCrl(
      new Uint8Array(await (await app.request(`${HUB}/trust/crl/AT-issuing-ca.crl`)).arrayBuffer()),
    );
    expect(fresh.nextUpdate!.getTime()).toBeGreaterThan(clock.nowMs());
    await on('trust.crl-stale', async () => {
      for (const ca of [AT.issuingCa, AT.rootCa, m.hub.issuingCa]) {
        const der = new Uint8Array(await (await app.request(`${HUB}/trust/crl/${ca.name}.crl`)).arrayBuffer());
        const crl = parseCrl(der);
        expect(crl.nextUpdate!.getTime()).toBeLessThan(clock.nowMs());
        // Correctly signed by its CA: only the dates are wrong.
        expect(crl.verify(ca.certificate)).toBe(true);
      }
    });
  });

  it('the standing revoked certificate of each CA is on its CRL; the responder can forge with an unauthorised signer', () => {
    const serial = standingRevokedSerial(AT.issuingCa.serialHex);
    const crl = parseCrl(trust.crlDer('AT-issuing-ca')!);
    expect(crl.find(serial)).toMatchObject({
      reason: 'keyCompromise',
      revokedAt: new Date(AT.issuingCa.certificate.validFrom),
    });
    // OCSP: a CertID with that serial (built on the agency certificate's issuer, serial replaced) is revoked.
    const responder = trust.ocspResponder!('AT-issuing-ca')!;
    const req = buildOcspRequest(agency.certPem, AT.issuingCa.certPem);
    const good = checkOcspResponse(responder.respond(req.der).der, {
      certificate: agency.certPem,
      issuer: AT.issuingCa.certPem,
      nonce: req.nonce,
      at: clock.now(),
    });
    expect(good).toMatchObject({ ok: true, status: 'good' });
    const answer = responder.respond(req.der, 'forged');
    expect(answer.signer).not.toBe(responder.signerLabel);
  });
});
