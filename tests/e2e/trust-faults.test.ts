import { parseCrl } from '@kakehashi/trust';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, json, startTestFederation, type TestFederation } from '../support/federation.ts';

/**
 * The security lab's trust-fabric faults, switched on at the hub that publishes the lists and CRLs and runs the
 * OCSP responders. A node keeps its own verified copy of the trust fabric: offered an expired, rolled-back list or
 * a stale CRL it refuses the refresh (422 with the named code), keeps its previous view and says so in
 * `GET /trust/status`; a list that withdraws the CAs makes it distrust their signatures (NO_CERTIFICATE_CHAIN_FOUND)
 * while the hub, on its genuine lists, still accepts them; a forged OCSP answer is INDETERMINATE/TRY_LATER, and
 * unknown / tryLater answers never whitewash a revoked certificate (the CRL still says REVOKED). Side by side, DE is a
 * weak node for the trust fabric (`DE:lenient.trust.*`): it loads the expired and rolled-back lists and the stale CRLs.
 */
interface Report {
  indication: string;
  subIndicationName?: string;
  explanation: string;
  buildingBlocks: { id: string; explanation: string; checks: { check: string; outcome: string; reason: string }[] }[];
}
interface Status {
  loaded: boolean;
  lotlSequence: number | null;
  error?: string;
}

const DOC = '<Permit xmlns="urn:kakehashi:test"><Holder>Test Person</Holder></Permit>';
const DAY = 86_400_000;

describe('trust faults at the hub; the nodes’ own verified view', () => {
  let f: TestFederation;
  let at: string;
  let de: string;
  const post = (url: string, body?: unknown, headers: Record<string, string> = {}) =>
    f.fetch(url, {
      method: 'POST',
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const switchAt = async (component: string, change: { enable?: string[]; disable?: string[] }) => {
    const r = await f.fetch(`${component}/admin/faults`, {
      method: 'PUT',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      body: JSON.stringify(change),
    });
    expect(r.status, await r.clone().text()).toBe(200);
  };
  const hubFault = async (name: string, fn: () => Promise<void>) => {
    await switchAt(f.urls.hub, { enable: [name] });
    try {
      await fn();
    } finally {
      await switchAt(f.urls.hub, { disable: [name] });
    }
  };
  const sign = async (fault?: string) => {
    const r = await json<{ signature: string }>(
      post(
        `${at}/esig/sign`,
        { signer: { type: 'agency', id: 'bmf' }, format: 'xades', document: { content: DOC } },
        fault ? { 'x-kakehashi-fault': fault } : {},
      ),
    );
    expect(r.status).toBe(200);
    return r.body.signature;
  };
  const validate = async (where: string, signature: string) => {
    const r = await json<Report>(post(`${where}/esig/validate`, { signature }));
    expect(r.status).toBe(200);
    return r.body;
  };
  const refresh = (node: string) =>
    json<{ code?: string; detail?: string }>(post(`${node}/admin/trust/refresh`, undefined, ADMIN));
  const status = async (node: string) => (await json<Status>(f.fetch(`${node}/trust/status`))).body;
  const verdict = (r: Report) => [r.indication, r.subIndicationName];
  const ocspChecks = (r: Report) =>
    r.buildingBlocks.find((b) => b.id === 'XCV')?.checks.filter((c) => c.check === 'revocation (OCSP)') ?? [];

  beforeAll(async () => {
    // AT keeps a strict trust view; DE is a weak node for the trust fabric (lenient.trust.*).
    f = await startTestFederation({
      countries: ['AT', 'DE'],
      clockStart: '2026-06-01T00:00:00Z',
      faults: ['DE:lenient.trust.*'],
    });
    at = f.urls.nodes.AT as string;
    de = f.urls.nodes.DE as string;
  }, 240_000);
  afterAll(() => f?.dispose());

  it('the hub offers the trust faults (block trust, switched only with PUT /admin/faults), all off; the nodes the lenient twins', async () => {
    const weak = await json<{ faults: { name: string; enabled: boolean }[] }>(
      f.fetch(`${de}/admin/faults`, { headers: ADMIN }),
    );
    expect(
      weak.body.faults
        .filter((x) => x.name.startsWith('lenient.trust.') && x.enabled)
        .map((x) => x.name)
        .sort(),
    ).toEqual(['lenient.trust.crl-stale', 'lenient.trust.tl-expired', 'lenient.trust.tl-rollback']);
    const strict = await json<{ faults: { name: string; enabled: boolean }[] }>(
      f.fetch(`${at}/admin/faults`, { headers: ADMIN }),
    );
    expect(strict.body.faults.filter((x) => x.name.startsWith('lenient.trust.')).every((x) => !x.enabled)).toBe(true);
    const r = await json<{ faults: { name: string; block: string; perRequest?: boolean; enabled: boolean }[] }>(
      f.fetch(`${f.urls.hub}/admin/faults`, { headers: ADMIN }),
    );
    const trust = r.body.faults.filter((x) => x.block === 'trust' && !x.name.startsWith('lenient.'));
    expect(trust.map((x) => x.name).sort()).toEqual([
      'ocsp.forged',
      'ocsp.try-later',
      'ocsp.unknown',
      'trust.ca-withdrawn',
      'trust.crl-stale',
      'trust.tl-expired',
      'trust.tl-rollback',
    ]);
    expect(trust.every((x) => !x.enabled && !x.perRequest)).toBe(true);
  });

  it('trust.tl-expired: the LOTL is served past NextUpdate; strict AT refuses the refresh (tl-expired), keeps its view and says so; weak DE takes it', async () => {
    const before = await status(at);
    expect(before.loaded).toBe(true);
    await hubFault('trust.tl-expired', async () => {
      const lotl = await (await f.fetch(`${f.urls.hub}/trust/lotl.xml`)).text();
      const next = /NextUpdate>\s*<(?:\w+:)?dateTime>([^<]+)</.exec(lotl)?.[1];
      expect(new Date(next as string).getTime()).toBeLessThan(f.clock.nowMs());
      const r = await refresh(at);
      expect([r.status, r.body.code]).toEqual([422, 'tl-expired']);
      const s = await status(at);
      expect(s).toMatchObject({ loaded: true, lotlSequence: before.lotlSequence });
      expect(s.error).toContain('was due to be replaced');
      // The previous verified view still judges signatures.
      expect((await validate(at, await sign())).indication).toBe('TOTAL-PASSED');
      // Side by side: the weak node loads the expired lists (lenient.trust.tl-expired fires).
      expect((await refresh(de)).status).toBe(200);
      expect((await status(de)).error).toBeUndefined();
    });
    expect((await refresh(at)).status).toBe(200);
    expect((await status(at)).error).toBeUndefined();
    expect((await refresh(de)).status).toBe(200);
    expect(f.logs.some((l) => l.msg === 'fault fired' && l.fault === 'lenient.trust.tl-expired')).toBe(true);
  });

  it('trust.crl-stale: the CRLs are served past nextUpdate; strict AT refuses the refresh (crl-stale) and keeps its CRLs; weak DE takes them', async () => {
    await hubFault('trust.crl-stale', async () => {
      const crl = parseCrl(
        new Uint8Array(await (await f.fetch(`${f.urls.hub}/trust/crl/AT-issuing-ca.crl`)).arrayBuffer()),
      );
      expect(crl.nextUpdate?.getTime()).toBeLessThan(f.clock.nowMs());
      const r = await refresh(at);
      expect([r.status, r.body.code]).toEqual([422, 'crl-stale']);
      expect((await status(at)).error).toMatch(/The CRL .*\.crl was due to be replaced/);
      expect((await validate(at, await sign())).indication).toBe('TOTAL-PASSED');
      expect((await refresh(de)).status).toBe(200);
    });
    expect((await refresh(at)).status).toBe(200);
    expect((await refresh(de)).status).toBe(200);
  });

  it('trust.ca-withdrawn: after a refresh node DE distrusts AT signatures (NO_CERTIFICATE_CHAIN_FOUND); the hub, on its genuine lists, does not', async () => {
    const signature = await sign();
    await hubFault('trust.ca-withdrawn', async () => {
      const tl = await (await f.fetch(`${f.urls.hub}/trust/tl/AT.xml`)).text();
      expect(tl).toContain('http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/withdrawn');
      f.clock.advance(60_000);
      expect((await refresh(de)).status).toBe(200);
      const r = await validate(de, signature);
      expect(verdict(r)).toEqual(['INDETERMINATE', 'NO_CERTIFICATE_CHAIN_FOUND']);
      expect(r.explanation).toContain('granted');
      expect((await validate(f.urls.hub, signature)).indication).toBe('TOTAL-PASSED');
    });
    expect((await refresh(de)).status).toBe(200);
    expect((await validate(de, signature)).indication).toBe('TOTAL-PASSED');
  });

  it('ocsp.forged: a "good" answer signed by an unauthorised key → INDETERMINATE/TRY_LATER at the node and at the hub; it never whitewashes a revoked certificate', async () => {
    const good = await sign();
    const revoked = await sign('esig.revoked-certificate');
    await hubFault('ocsp.forged', async () => {
      for (const where of [de, f.urls.hub]) {
        const r = await validate(where, good);
        expect(verdict(r)).toEqual(['INDETERMINATE', 'TRY_LATER']);
        expect(r.explanation).toMatch(/OCSP response from .* is rejected/);
        expect(ocspChecks(r).some((c) => c.outcome === 'failed')).toBe(true);
        // The CRL lists the revoked one: the forged "good" changes nothing.
        expect(verdict(await validate(where, revoked))).toEqual(['TOTAL-FAILED', 'REVOKED']);
      }
    });
    expect((await validate(de, good)).indication).toBe('TOTAL-PASSED');
  });

  it.each([
    ['ocsp.unknown', /does not know/],
    ['ocsp.try-later', /not obtained/],
  ])(
    '%s: the answer is not taken as good (a warning), the CRL decides: a revoked signer stays REVOKED',
    async (fault, why) => {
      const good = await sign();
      const revoked = await sign('esig.revoked-certificate');
      await hubFault(fault, async () => {
        const ok = await validate(de, good);
        expect(verdict(ok)).toEqual(['TOTAL-PASSED', undefined]);
        expect(ocspChecks(ok).map((c) => c.outcome)).toContain('warning');
        expect(ocspChecks(ok).some((c) => why.test(c.reason))).toBe(true);
        const r = await validate(de, revoked);
        expect(verdict(r)).toEqual(['TOTAL-FAILED', 'REVOKED']);
        expect(r.explanation).not.toContain('According to the OCSP response');
      });
    },
  );

  it('trust.tl-rollback: once AT saw a newer list, a replayed older sequence number is refused (tl-rollback) and the view kept; weak DE takes it', async () => {
    // The hub republishes its lists (sequence 2) when they near NextUpdate; the nodes load them.
    f.clock.advance(30 * DAY);
    expect((await refresh(at)).status).toBe(200);
    expect((await refresh(de)).status).toBe(200);
    const seen = (await status(at)).lotlSequence as number;
    expect(seen).toBeGreaterThanOrEqual(2);
    await hubFault('trust.tl-rollback', async () => {
      const lotl = await (await f.fetch(`${f.urls.hub}/trust/lotl.xml`)).text();
      expect(lotl).toContain(`TSLSequenceNumber>${seen - 1}<`);
      const r = await refresh(at);
      expect([r.status, r.body.code]).toEqual([422, 'tl-rollback']);
      const s = await status(at);
      expect(s.lotlSequence).toBe(seen);
      expect(s.error).toContain('an older list is being replayed');
      const weak = await refresh(de);
      expect(weak.status).toBe(200);
      expect((await status(de)).lotlSequence).toBe(seen - 1);
    });
    expect((await refresh(at)).status).toBe(200);
    expect((await refresh(de)).status).toBe(200);
  });
});
