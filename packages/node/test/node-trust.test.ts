import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  createMemoryLogger,
  type HubClient,
  isKakehashiError,
  KakehashiError,
  type TrustIndex,
  VirtualClock,
} from '@kakehashi/core';
import {
  buildLotl,
  buildTrustedList,
  createCrl,
  crlUrl,
  generateTrustMaterial,
  type KeyCert,
  listCertificateAuthorities,
  type RevokedCertificate,
  type TrustMaterial,
  VerificationMemo,
} from '@kakehashi/trust';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCertificateValidator } from '../src/trust/certificate-validator.ts';
import { createNodeTrust } from '../src/trust/create-node-trust.ts';

/**
 * The node's trust view against a fake hub that publishes lists and CRLs built from seed material: loading,
 * validation against what was loaded, rollback refusal, a refused LOTL signer, and a failed refresh that keeps
 * the previous view.
 */
const HUB = 'http://hub.test:7000';
const AT = new Date('2026-06-01T00:00:00Z');
const DAY = 86_400_000;
/** Where the hub serves a country's trusted list (what the LOTL points at). */
const trustedListUrl = (hub: string, cc: string) => `${hub}/trust/tl/${cc}.xml`;
const CACHE = join(import.meta.dirname, '..', '..', '..', 'node_modules', '.cache', 'kakehashi-node-test-trust');

/** What the fake hub currently publishes. */
interface Publication {
  sequence: number;
  revoked: RevokedCertificate[];
  down?: boolean;
  /** Serve CRLs whose nextUpdate has passed (the hub's trust.crl-stale fault). */
  staleCrls?: boolean;
  /** Serve lists whose NextUpdate has passed (the hub's trust.tl-expired fault). */
  expiredLists?: boolean;
}

function fakeHub(m: TrustMaterial, pub: Publication): HubClient {
  const cas = listCertificateAuthorities(m);
  const issue = () => ({
    hubUrl: HUB,
    sequenceNumber: pub.sequence,
    issueDate: new Date(AT.getTime() - 2 * DAY),
    nextUpdate: new Date(AT.getTime() + (pub.expiredLists ? -3_600_000 : 30 * DAY)),
  });
  const up = () => {
    if (pub.down) throw new KakehashiError('upstream-unavailable', 'The hub did not answer; is it up?');
  };
  const notUsed = () => Promise.reject(new Error('not used by the trust view'));
  return {
    hubUrl: HUB,
    registeredNodes: notUsed,
    node: notUsed,
    discover: notUsed,
    register: notUsed,
    lotlXml: async () => {
      up();
      return buildLotl(m, issue());
    },
    text: async (url) => {
      up();
      const cc = Object.keys(m.countries).find((c) => trustedListUrl(HUB, c) === url);
      if (!cc) throw new KakehashiError('upstream-unavailable', `The hub answered 404 to GET ${url}.`);
      return buildTrustedList(m, cc, issue());
    },
    trustIndex: async (): Promise<TrustIndex> => {
      up();
      return {
        lotl: `${HUB}/trust/lotl.xml`,
        trustedLists: Object.fromEntries(Object.keys(m.countries).map((c) => [c, trustedListUrl(HUB, c)])),
        crls: cas.map((ca) => crlUrl(HUB, ca.name)),
      };
    },
    crl: async (url) => {
      up();
      const ca = cas.find((c: KeyCert) => crlUrl(HUB, c.name) === url);
      if (!ca) return undefined;
      const revoked = pub.revoked.filter((r) => ca.name === issuerOf(m, r.serialHex));
      const nextUpdate = new Date(AT.getTime() + (pub.staleCrls ? -3_600_000 : 7 * DAY));
      return createCrl(ca, revoked, new Date(AT.getTime() - DAY), nextUpdate, pub.sequence);
    },
  };
}

/** The CA that issued the certificate with this serial (the issuing CA for leaves). */
function issuerOf(m: TrustMaterial, serialHex: string): string | undefined {
  for (const c of Object.values(m.countries))
    if (c.signing.serialHex === serialHex || c.encryption.serialHex === serialHex) return c.issuingCa.name;
  return undefined;
}

async function failure(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return isKakehashiError(e) ? e.code : String(e);
  }
  return undefined;
}

describe('node trust view', () => {
  let m: TrustMaterial;
  const clock = new VirtualClock();
  clock.freeze(AT);
  const fetcher = (() => Promise.reject(new Error('the fake hub needs no fetch'))) as typeof fetch;

  beforeAll(() => {
    mkdirSync(CACHE, { recursive: true });
    m = generateTrustMaterial({
      seed: 'kakehashi-node-trust-test',
      countries: [{ code: 'DE', name: 'Germany', agencies: [{ id: 'bva', name: 'Bundesverwaltungsamt' }] }],
      hubUrl: HUB,
      cacheDir: CACHE,
      now: AT,
    });
  });

  const trustOf = (pub: Publication, pinned?: string, logger = createMemoryLogger('error')) =>
    createNodeTrust({
      hub: fakeHub(m, pub),
      lotlSignerPem: pinned ?? m.hub.signing.certPem,
      clock,
      logger,
      memo: new VerificationMemo(),
    });

  it('refuses to validate before the trust fabric is loaded (502 upstream-unavailable)', () => {
    const trust = trustOf({ sequence: 1, revoked: [] });
    expect(trust.status().loaded).toBe(false);
    expect(trust.loaded?.()).toBe(false);
    const validate = createCertificateValidator(trust, 'DE');
    let code: string | undefined;
    try {
      validate(m.countries.DE!.signing.certPem, [], { at: AT });
    } catch (e) {
      code = isKakehashiError(e) ? e.code : undefined;
    }
    expect(code).toBe('upstream-unavailable');
  });

  it('loads the LOTL, the national lists and the CRLs, and validates against them', async () => {
    const trust = trustOf({ sequence: 3, revoked: [] });
    const status = await trust.refresh(fetcher);
    expect(status).toMatchObject({ loaded: true, lotlSequence: 3, countries: ['DE'], loadedAt: AT.toISOString() });
    expect(trust.loaded?.()).toBe(true);
    expect(status.crls).toBe(listCertificateAuthorities(m).length);
    expect(status.anchors).toBeGreaterThan(0);
    const de = m.countries.DE!.signing;
    const verdict = createCertificateValidator(trust, 'DE')(de.certPem, de.chainPem, {
      at: AT,
      usage: ['digitalSignature'],
    });
    expect(verdict).toMatchObject({ valid: true, country: 'DE', serialHex: de.serialHex });
    expect(verdict.checks.length).toBeGreaterThan(0);
  });

  it('sees a revocation after a refresh', async () => {
    const de = m.countries.DE!.signing;
    const pub: Publication = { sequence: 4, revoked: [] };
    const trust = trustOf(pub);
    await trust.refresh(fetcher);
    pub.revoked.push({ serialHex: de.serialHex, revokedAt: new Date(AT.getTime() - DAY), reason: 'keyCompromise' });
    pub.sequence = 5;
    await trust.refresh(fetcher);
    const verdict = trust.validateCertificate(de.certPem, de.chainPem, { at: AT });
    expect(verdict.valid).toBe(false);
    expect(verdict.failure?.code).toBe('cert-revoked');
  });

  it('refuses a rollback and keeps the previous view, with the error in its status', async () => {
    const pub: Publication = { sequence: 6, revoked: [] };
    const trust = trustOf(pub);
    await trust.refresh(fetcher);
    pub.sequence = 5;
    expect(await failure(trust.refresh(fetcher))).toBe('tl-rollback');
    expect(trust.status()).toMatchObject({ loaded: true, lotlSequence: 6 });
    expect(trust.loaded?.()).toBe(true); // a refused refresh keeps the view loaded
    expect(trust.status().error).toBeTruthy();
    const de = m.countries.DE!.signing;
    expect(trust.validateCertificate(de.certPem, de.chainPem, { at: AT }).valid).toBe(true);
  });

  it('refuses CRLs past their nextUpdate (crl-stale), keeps its CRLs and says so (status, warn log)', async () => {
    const pub: Publication = { sequence: 7, revoked: [] };
    const logger = createMemoryLogger('warn');
    const trust = trustOf(pub, undefined, logger);
    await trust.refresh(fetcher);
    pub.staleCrls = true;
    pub.sequence = 8;
    expect(await failure(trust.refresh(fetcher))).toBe('crl-stale');
    expect(trust.status()).toMatchObject({ loaded: true, lotlSequence: 7 });
    expect(trust.status().error).toMatch(/\.crl was due to be replaced at .*The previous trust view is kept/);
    expect(logger.lines.find((l) => l.msg === 'trust fabric refresh refused; the previous view is kept')).toMatchObject(
      {
        level: 'warn',
        code: 'crl-stale',
        lotlSequence: 7,
      },
    );
    const de = m.countries.DE!.signing;
    expect(trust.validateCertificate(de.certPem, de.chainPem, { at: AT }).valid).toBe(true);
    pub.staleCrls = false;
    expect((await trust.refresh(fetcher)).lotlSequence).toBe(8);
    expect(trust.status().error).toBeUndefined();
  });

  it('weak node: the lenient.trust.* twins let an expired, rolled-back list or a stale CRL through — asked only when found', async () => {
    const pub: Publication = { sequence: 9, revoked: [] };
    const trust = trustOf(pub);
    const asked: string[] = [];
    const lenient = (name: string) => {
      asked.push(name);
      return true;
    };
    await trust.refresh(fetcher, { lenient });
    expect(asked).toEqual([]);
    pub.sequence = 8;
    pub.expiredLists = true;
    pub.staleCrls = true;
    expect(await failure(trust.refresh(fetcher))).toBe('tl-expired');
    const weak = await trust.refresh(fetcher, { lenient });
    expect(weak).toMatchObject({ loaded: true, lotlSequence: 8 });
    expect(new Set(asked)).toEqual(
      new Set(['lenient.trust.tl-rollback', 'lenient.trust.tl-expired', 'lenient.trust.crl-stale']),
    );
    // Only the fault that is on lets its defect through: with the rollback one off, the refresh is refused again.
    const onlyExpiry = (name: string) => name !== 'lenient.trust.tl-rollback';
    pub.sequence = 7;
    expect(await failure(trust.refresh(fetcher, { lenient: onlyExpiry }))).toBe('tl-rollback');
    expect(trust.status().lotlSequence).toBe(8);
  });

  it('refuses a LOTL not signed by the pinned signer, and a hub that is down', async () => {
    const wrongPin = trustOf({ sequence: 1, revoked: [] }, m.countries.DE!.signing.certPem);
    expect(await failure(wrongPin.refresh(fetcher))).toBe('tl-signature-invalid');
    expect(wrongPin.status()).toMatchObject({ loaded: false });
    expect(wrongPin.loaded?.()).toBe(false);
    expect(wrongPin.status().error).toBeTruthy();
    const down = trustOf({ sequence: 1, revoked: [], down: true });
    expect(await failure(down.refresh(fetcher))).toBe('upstream-unavailable');
    expect(down.status().loaded).toBe(false);
  });
});
