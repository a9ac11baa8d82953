import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, json, startTestFederation, type TestFederation } from '../support/federation.ts';

/**
 * Issue 16, time travel that shows: once the federation's clock passes the NextUpdate of the lists and CRLs a
 * node loaded, its `GET /trust/status` says so (stale, with the dates) and what it judges is no silent pass — a
 * stale CRL and lists past NextUpdate make a signature INDETERMINATE/TRY_LATER with the reasons; a certificate
 * past its notAfter is a failed check. A weak node (`lenient.trust.*`) lets the stale view through, saying so.
 * Reloading, or the hub's reset, puts things right.
 */
interface Report {
  indication: string;
  subIndicationName?: string;
  explanation: string;
  buildingBlocks: { id: string; checks: { check: string; outcome: string; reason: string }[] }[];
}
interface Status {
  loaded: boolean;
  stale: boolean;
  warnings: string[];
  nextUpdate: string;
}

interface FabricCert {
  name?: string;
  validity: string;
  notAfter: string;
  revoked?: { at: string; reason: string };
}
interface Fabric {
  at: string;
  lotl: { url: string; status: string; signer: FabricCert } | null;
  problem?: string;
  lists: {
    territory: string;
    url: string;
    status: string;
    nextUpdate: string;
    services: {
      name: string;
      type: string;
      status: string;
      certificate?: FabricCert;
      crl?: { status: string; revoked: number };
      issued: FabricCert[];
    }[];
  }[];
}

const DOC = '<Permit xmlns="urn:kakehashi:test"><Holder>Test Person</Holder></Permit>';
const START = '2026-06-01T00:00:00Z';

describe('time travel: expiry, lists past NextUpdate and stale CRLs are visible failures', () => {
  let f: TestFederation;
  let jp: string;
  let de: string;
  const post = (url: string, body?: unknown, headers: Record<string, string> = {}) =>
    f.fetch(url, {
      method: 'POST',
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const clock = (body: unknown) => json(post(`${f.urls.hub}/admin/clock`, body, ADMIN));
  const status = async (node: string) => (await json<Status>(f.fetch(`${node}/trust/status`))).body;
  const validate = async (where: string, signature: string) => {
    const r = await json<Report>(post(`${where}/esig/validate`, { signature }));
    expect(r.status).toBe(200);
    return r.body;
  };
  const xcv = (r: Report) => r.buildingBlocks.find((b) => b.id === 'XCV')?.checks ?? [];
  let signature: string;
  const fabric = async () => {
    const r = await json<Fabric>(f.fetch(`${f.urls.hub}/trust/fabric`));
    expect(r.status).toBe(200);
    return r.body;
  };

  beforeAll(async () => {
    // JP judges strictly; DE is a weak node for the trust fabric.
    f = await startTestFederation({
      countries: ['AT', 'DE', 'JP'],
      clockStart: START,
      faults: ['DE:lenient.trust.*'],
    });
    jp = f.urls.nodes.JP as string;
    de = f.urls.nodes.DE as string;
    const signed = await json<{ signature: string }>(
      post(`${f.urls.nodes.AT}/esig/sign`, {
        signer: { type: 'agency', id: 'bmf' },
        format: 'xades',
        level: 'B-B',
        document: { content: DOC },
      }),
    );
    expect(signed.status).toBe(200);
    signature = signed.body.signature;
  }, 240_000);
  afterAll(() => f?.dispose());

  it('fresh: the view is not stale and the signature passes', async () => {
    const s = await status(jp);
    expect(s).toMatchObject({ loaded: true, stale: false, warnings: [] });
    expect((await validate(jp, signature)).indication).toBe('TOTAL-PASSED');
  });

  it('GET /trust/fabric: LOTL → national lists → services → issued certificates, each with its status on the clock', async () => {
    const before = await fabric();
    expect(before.at).toBe(new Date(START).toISOString());
    expect(before.lotl).toMatchObject({ status: 'current', url: `${f.urls.hub}/trust/lotl.xml` });
    expect(before.lotl?.signer.validity).toBe('current');
    expect(before.lists.map((l) => l.territory).sort()).toEqual(['AT', 'DE', 'JP']);
    const at = before.lists.find((l) => l.territory === 'AT') as Fabric['lists'][number];
    expect(at).toMatchObject({ status: 'current', url: `${f.urls.hub}/trust/tl/AT.xml` });
    expect(Date.parse(at.nextUpdate)).toBeGreaterThan(Date.parse(START));
    const ca = at.services.find((s) => s.type === 'CA/QC' && s.issued.some((c) => c.name === 'AT-agency-bmf'));
    expect(ca).toMatchObject({ status: 'granted', certificate: { validity: 'current' } });
    expect(ca?.crl).toMatchObject({ status: 'current', revoked: expect.any(Number) });
    expect(at.services.some((s) => s.type === 'TSA/QTST')).toBe(true);
    const bmf = () => ca?.issued.find((c) => c.name === 'AT-agency-bmf');
    expect(bmf()).toMatchObject({ validity: 'current' });
    expect(bmf()?.revoked).toBeUndefined();
    // A revocation shows at once on the CA's CRL and on the certificate; taking it back clears both.
    const revoked = await json<{ serialHex: string }>(
      post(`${f.urls.hub}/admin/trust/revoke`, { name: 'AT-agency-bmf', reason: 'keyCompromise' }, ADMIN),
    );
    expect(revoked.status).toBe(200);
    const after = (await fabric()).lists.find((l) => l.territory === 'AT')?.services.find((s) => s.name === ca?.name);
    expect(after?.crl?.revoked).toBe((ca?.crl?.revoked ?? 0) + 1);
    expect(after?.issued.find((c) => c.name === 'AT-agency-bmf')?.revoked).toMatchObject({ reason: 'keyCompromise' });
    const back = await json(
      f.fetch(`${f.urls.hub}/admin/trust/revocations/${revoked.body.serialHex}`, { method: 'DELETE', headers: ADMIN }),
    );
    expect(back.status).toBe(200);
    const cleared = (await fabric()).lists.find((l) => l.territory === 'AT')?.services.find((s) => s.name === ca?.name);
    expect(cleared?.issued.find((c) => c.name === 'AT-agency-bmf')?.revoked).toBeUndefined();
  });

  it('+31 d: /trust/status is stale with the NextUpdate dates; the signature is INDETERMINATE/TRY_LATER, saying why', async () => {
    const s0 = await status(jp);
    expect((await clock({ action: 'advance', by: '31d' })).status).toBe(200);
    const s = await status(jp);
    expect(s.stale).toBe(true);
    const text = s.warnings.join('\n');
    expect(text).toContain(`The list of trusted lists (LOTL) was due to be replaced at ${s0.nextUpdate}`);
    expect(text).toMatch(/The trusted list of AT was due to be replaced at 2026-07-01T/);
    expect(text).toMatch(/The CRL \S+\.crl was due to be replaced at 2026-07-01T/);
    expect(text).toContain('POST /admin/trust/refresh');

    const r = await validate(jp, signature);
    expect([r.indication, r.subIndicationName]).toEqual(['INDETERMINATE', 'TRY_LATER']);
    const failed = xcv(r).filter((c) => c.outcome === 'failed');
    // The stale CRL: the revocation status cannot be determined (never a skipped check reported as passed).
    expect(
      failed.some((c) => /cannot be determined: the CRL of .* is stale: it was due to be replaced/.test(c.reason)),
    ).toBe(true);
    // The lists past NextUpdate, with the date.
    expect(failed.some((c) => /lists past their NextUpdate: .*2026-07-01T/.test(c.reason))).toBe(true);
    expect(xcv(r).some((c) => c.outcome === 'passed' && /not checked/.test(c.reason))).toBe(false);
    expect(r.explanation).toMatch(/NextUpdate|stale/);
  });

  it('+31 d at a weak node: the stale view is let through on purpose, and the report says so', async () => {
    const r = await validate(de, signature);
    expect(r.indication).toBe('TOTAL-PASSED');
    const skipped = xcv(r).filter((c) => c.outcome === 'skipped');
    expect(skipped.some((c) => /accepted on purpose \(weak node\)/.test(c.reason))).toBe(true);
    expect(skipped.some((c) => /Ignored on purpose: .*NextUpdate/.test(c.reason))).toBe(true);
  });

  it('a reload makes the view current again: not stale, the signature passes', async () => {
    expect((await json(post(`${jp}/admin/trust/refresh`, undefined, ADMIN))).status).toBe(200);
    expect(await status(jp)).toMatchObject({ stale: false, warnings: [] });
    expect((await validate(jp, signature)).indication).toBe('TOTAL-PASSED');
  });

  it('past the signer certificate’s notAfter: expiry is a failed check, the signature not valid', async () => {
    const certs = (await json<{ certificates: { name: string; notAfter: string }[] }>(f.fetch(`${f.urls.hub}/trust`)))
      .body.certificates;
    const notAfter = certs.find((c) => c.name === 'AT-agency-bmf')?.notAfter as string;
    expect(Date.parse(notAfter)).toBeGreaterThan(Date.parse(START));
    const at = new Date(Date.parse(notAfter) + 86_400_000).toISOString();
    expect((await clock({ action: 'set', at, frozen: true })).status).toBe(200);
    const r = await validate(jp, signature);
    expect(r.indication).not.toBe('TOTAL-PASSED');
    const failed = xcv(r).filter((c) => c.outcome === 'failed');
    expect(failed.some((c) => c.reason.includes(`expired`) && c.reason.includes(notAfter.slice(0, 10)))).toBe(true);
    expect((await status(jp)).stale).toBe(true);
    // The fabric on screen says why it cannot be walked: the LOTL signer's certificate (a leaf of the same epoch)
    // has expired too.
    const late = await fabric();
    expect(late.lotl).toBeNull();
    expect(late.problem).toMatch(/^The LOTL cannot be verified: .*valid only from .* to .*\(checked at /);
    // One day before the notAfter, the certificate is still current, and shown as such.
    await clock({ action: 'set', at: new Date(Date.parse(notAfter) - 86_400_000).toISOString(), frozen: true });
    const leaf = (await fabric()).lists
      .flatMap((l) => l.services.flatMap((s) => s.issued))
      .find((c) => c.name === 'AT-agency-bmf');
    expect(leaf).toMatchObject({ validity: 'current', notAfter });
  });

  it('the hub reset puts the clock back to the start and every node reloads: nothing stale, the signature passes', async () => {
    const reset = await json<{ clock: { now: string }; nodes: { country: string; trustRefreshed: { ok: boolean } }[] }>(
      post(`${f.urls.hub}/admin/reset`, undefined, ADMIN),
    );
    expect(reset.status).toBe(200);
    expect(reset.body.clock.now).toBe(new Date(START).toISOString());
    expect(reset.body.nodes.every((n) => n.trustRefreshed.ok)).toBe(true);
    expect(await status(jp)).toMatchObject({ stale: false, warnings: [] });
    expect((await validate(jp, signature)).indication).toBe('TOTAL-PASSED');
  });
});
