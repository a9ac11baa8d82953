import { runScenarioReversibly, SCENARIOS } from '@kakehashi/federation';
import {
  HolderWallet,
  mdocStatusReference,
  type PresentationRequest,
  type PresentationVerdict,
} from '@kakehashi/wallet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, json, startTestFederation, type TestFederation } from '../support/federation.ts';

/**
 * The PID as ISO mdoc (issue 17): Estonia's PID provider issues `eu.europa.ec.eudi.pid.1` as `mso_mdoc` (an
 * IssuerSigned whose MSO is a COSE_Sign1 by the provider's key, x5chain leaf + country CA, deviceKey = the
 * wallet's proof key), the wallet presents a DeviceResponse over the OpenID4VP 1.0 SessionTranscript, and the
 * German verifier judges it rule by rule.
 */
const NS = 'eu.europa.ec.eudi.pid.1';
const MDOC_QUERY = {
  credentials: [
    {
      id: 'pid-mdoc',
      format: 'mso_mdoc',
      meta: { doctype_value: 'eu.europa.ec.eudi.pid.1' },
      claims: [{ path: [NS, 'family_name'] }, { path: [NS, 'given_name'] }, { path: [NS, 'birth_date'] }],
    },
  ],
};

interface Req {
  transaction_id: string;
  authorization_request: PresentationRequest;
  request_url: string;
}

describe('EUDI wallet: the PID as mso_mdoc, Estonia to Germany', () => {
  let f: TestFederation;
  let ee: string;
  let de: string;
  let wallet: HolderWallet;
  const clock = { now: () => f.clock.now() };

  const offer = async (node: string, personaId: string) => {
    const r = await json<{ credential_offer_url: string }>(
      f.fetch(`${node}/wallet/issuer/offers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ personaId }),
      }),
    );
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body.credential_offer_url;
  };
  const request = async (node: string, extra: Record<string, unknown> = {}) => {
    const r = await json<Req>(
      f.fetch(`${node}/wallet/verifier/requests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ dcql_query: MDOC_QUERY, ...extra }),
      }),
    );
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body;
  };
  const verdictOf = async (node: string, id: string) =>
    (await json<{ verdict?: PresentationVerdict }>(f.fetch(`${node}/wallet/verifier/transactions/${id}`))).body
      .verdict as PresentationVerdict;
  const validate = async (presentation: string, req: PresentationRequest) => {
    const r = await json<PresentationVerdict>(
      f.fetch(`${de}/wallet/validate/presentation`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          presentation,
          expected: {
            nonce: req.nonce,
            client_id: req.client_id,
            response_uri: req.response_uri,
            dcql_query: MDOC_QUERY,
          },
        }),
      }),
    );
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body;
  };
  const switchAt = async (node: string, change: { enable?: string[]; disable?: string[] }) => {
    const r = await f.fetch(`${node}/admin/faults`, {
      method: 'PUT',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      body: JSON.stringify(change),
    });
    expect(r.status).toBe(200);
  };

  beforeAll(async () => {
    f = await startTestFederation({ countries: ['DE', 'EE'], clockStart: '2026-06-01T00:00:00Z' });
    ee = f.urls.nodes.EE as string;
    de = f.urls.nodes.DE as string;
    wallet = new HolderWallet({ fetch: f.fetch, clock });
    const held = await wallet.receive(await offer(ee, 'ee-001'), { format: 'mso_mdoc' });
    expect(held.format).toBe('mso_mdoc');
  }, 240_000);
  afterAll(() => f?.dispose());

  it('offers the PID as mso_mdoc in the credential issuer metadata (doctype, namespace, rulebook element names)', async () => {
    const m = await json<{ credential_configurations_supported: Record<string, Record<string, unknown>> }>(
      f.fetch(`${ee}/.well-known/openid-credential-issuer`),
    );
    const c = m.body.credential_configurations_supported['eu.europa.ec.eudi.pid.1'] as {
      format: string;
      doctype: string;
      cryptographic_binding_methods_supported: string[];
      credential_metadata: { claims: { path: string[] }[] };
    };
    expect(c.format).toBe('mso_mdoc');
    expect(c.doctype).toBe('eu.europa.ec.eudi.pid.1');
    expect(c.cryptographic_binding_methods_supported).toEqual(['cose_key']);
    const paths = c.credential_metadata.claims.map((x) => x.path.join('/'));
    expect(paths).toContain(`${NS}/birth_date`);
    expect(paths).toContain(`${NS}/nationality`);
    expect(paths).not.toContain(`${NS}/birthdate`);
    // the SD-JWT VC stays the default configuration
    expect(m.body.credential_configurations_supported.eu_europa_ec_eudi_pid_vc_sd_jwt ?? true).toBeTruthy();
  });

  it('the German verifier accepts the mdoc PID and sees only the elements it asked for', async () => {
    const req = await request(de);
    const answer = await wallet.present(req.request_url);
    expect(answer.status).toBe(200);
    const v = await verdictOf(de, req.transaction_id);
    expect(v.valid, JSON.stringify(v.failure)).toBe(true);
    expect(v.checks.map((c) => c.rule)).toEqual(['W1', 'W2', 'W4', 'W5', 'W6', 'W7', 'W9', 'W14', 'W15']);
    expect(v.credential?.format).toBe('mso_mdoc');
    expect(v.credential?.vct).toBe('eu.europa.ec.eudi.pid.1');
    expect(v.credential?.country).toBe('EE');
    const claims = v.credential?.claims[NS] as Record<string, unknown>;
    expect(Object.keys(claims).sort()).toEqual(['birth_date', 'family_name', 'given_name']);
    expect(claims.birth_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('answers a signed request with an encrypted response (the encryption key thumbprint in the transcript)', async () => {
    const req = await request(de, { signed: true, response_mode: 'direct_post.jwt' });
    // the wallet must be able to judge the request object: give it the request URL (x509_hash, by reference)
    const answer = await wallet.present(req.request_url);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const v = await verdictOf(de, req.transaction_id);
    expect(v.valid, JSON.stringify(v.failure)).toBe(true);
  });

  it('a tampered element value fails its digest (W7)', async () => {
    const req = await request(de);
    const { presentation } = await wallet.createPresentation(req.authorization_request);
    const bytes = Buffer.from(presentation, 'base64url');
    const name = Buffer.from(String(await familyName()), 'utf8');
    const at = bytes.indexOf(name);
    expect(at).toBeGreaterThan(0);
    // the same length, so the CBOR stays well formed: only the value changes
    bytes[at] = bytes[at] === 0x58 ? 0x59 : 0x58;
    const v = await validate(bytes.toString('base64url'), req.authorization_request);
    expect(v.valid).toBe(false);
    expect(v.failure?.rule).toBe('W7');
    expect(v.failure?.code).toBe('vp-disclosure-invalid');
  });

  it('a device signature by another key than the MSO deviceKey fails (W9)', async () => {
    const req = await request(de);
    const other = new HolderWallet({ fetch: f.fetch, clock });
    const thief = HolderWallet.restore(
      { deviceKey: other.exportState().deviceKey, credentials: wallet.exportState().credentials },
      { fetch: f.fetch, clock },
    );
    const answer = await thief.present(req.request_url);
    expect(answer.status).toBe(200);
    const v = await verdictOf(de, req.transaction_id);
    expect(v.valid).toBe(false);
    expect(v.failure?.rule).toBe('W9');
    expect(v.failure?.code).toBe('vp-key-binding-invalid');
  });

  it('a wrong nonce in the session transcript fails (W9), and so does a replay to another request', async () => {
    const req = await request(de);
    const { vpToken } = await wallet.createPresentation({ ...req.authorization_request, nonce: 'not-the-nonce' });
    await wallet.respond(req.authorization_request, vpToken);
    const v = await verdictOf(de, req.transaction_id);
    expect(v.valid).toBe(false);
    expect(v.failure?.rule).toBe('W9');
    expect(v.failure?.reason).toMatch(/SessionTranscript/);

    const first = await request(de);
    const { vpToken: token1 } = await wallet.createPresentation(first.authorization_request);
    const second = await request(de);
    await wallet.respond(second.authorization_request, token1 as Record<string, string[]>);
    expect((await verdictOf(de, second.transaction_id)).failure?.rule).toBe('W9');
  });

  it('a PID whose issuer certificate is on no trusted list fails (W2), unless the verifier is made weak', async () => {
    await switchAt(ee, { enable: ['wallet.pid-untrusted-key'] });
    const forged = new HolderWallet({ fetch: f.fetch, clock });
    try {
      await forged.receive(await offer(ee, 'ee-002'), { format: 'mso_mdoc' });
    } finally {
      await switchAt(ee, { disable: ['wallet.pid-untrusted-key'] });
    }
    const req = await request(de);
    await forged.present(req.request_url);
    const v = await verdictOf(de, req.transaction_id);
    expect(v.valid).toBe(false);
    expect(v.failure?.rule).toBe('W2');
    expect(v.failure?.code).toBe('vp-issuer-untrusted');

    // the weak verifier (lenient.wallet.untrusted-issuer at DE) lets it through, saying so
    await switchAt(de, { enable: ['lenient.wallet.untrusted-issuer'] });
    try {
      const again = await request(de);
      await forged.present(again.request_url);
      const weak = await verdictOf(de, again.transaction_id);
      expect(weak.valid, JSON.stringify(weak.failure)).toBe(true);
      expect(weak.checks.find((c) => c.rule === 'W2')).toMatchObject({
        outcome: 'skipped',
        fault: 'lenient.wallet.untrusted-issuer',
      });
    } finally {
      await switchAt(de, { disable: ['lenient.wallet.untrusted-issuer'] });
    }
  });

  it("the mdoc PID's MSO names its entry in the provider's Token Status List; revoked there, it is refused (W15)", async () => {
    const holder = new HolderWallet({ fetch: f.fetch, clock });
    const held = await holder.receive(await offer(ee, 'ee-004'), { format: 'mso_mdoc' });
    const ref = mdocStatusReference(held.credential) as { idx: number; uri: string };
    // the same list as the SD-JWT VC PID's
    expect(ref.uri).toBe(`${ee}/wallet/issuer/status-lists/1`);
    expect(Number.isInteger(ref.idx)).toBe(true);
    const first = await request(de);
    await holder.present(first.request_url);
    const ok = await verdictOf(de, first.transaction_id);
    expect(ok.valid, JSON.stringify(ok.failure)).toBe(true);
    expect(ok.checks.find((c) => c.rule === 'W15')?.reason).toBe('The status list says valid.');
    const set = await f.fetch(`${ee}/admin/wallet/status`, {
      method: 'POST',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      body: JSON.stringify({ idx: ref.idx, status: 'invalid' }),
    });
    expect(set.status).toBe(200);
    const req = await request(de);
    await holder.present(req.request_url);
    const v = await verdictOf(de, req.transaction_id);
    expect(v.valid).toBe(false);
    expect(v.failure).toMatchObject({ rule: 'W15', code: 'vp-credential-revoked' });
    expect(v.failure?.reason).toContain(`entry ${ref.idx}`);
    // wallet.pid-revoked at EE: an mdoc PID issued revoked is refused the same way
    await switchAt(ee, { enable: ['wallet.pid-revoked'] });
    const forged = new HolderWallet({ fetch: f.fetch, clock });
    try {
      await forged.receive(await offer(ee, 'ee-002'), { format: 'mso_mdoc' });
    } finally {
      await switchAt(ee, { disable: ['wallet.pid-revoked'] });
    }
    const again = await request(de);
    await forged.present(again.request_url);
    expect((await verdictOf(de, again.transaction_id)).failure?.rule).toBe('W15');
  });

  it('a wallet holding both formats answers each query with its format', async () => {
    const both = new HolderWallet({ fetch: f.fetch, clock });
    await both.receive(await offer(ee, 'ee-003'));
    await both.receive(await offer(ee, 'ee-003'), { format: 'mso_mdoc' });
    expect(both.credentials.map((c) => c.format)).toEqual(['dc+sd-jwt', 'mso_mdoc']);
    const sd = await json<Req>(
      f.fetch(`${de}/wallet/verifier/requests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      }),
    );
    await both.present(sd.body.request_url);
    const vs = await verdictOf(de, sd.body.transaction_id);
    expect(vs.valid, JSON.stringify(vs.failure)).toBe(true);
    expect(vs.checks[0]?.name).toMatch(/dc\+sd-jwt/);
    const md = await request(de);
    await both.present(md.request_url);
    const vm = await verdictOf(de, md.transaction_id);
    expect(vm.valid, JSON.stringify(vm.failure)).toBe(true);
    expect(vm.credential?.format).toBe('mso_mdoc');
  });

  it('the other way round: a German mdoc PID at the Estonian verifier', async () => {
    const de1 = new HolderWallet({ fetch: f.fetch, clock });
    await de1.receive(await offer(de, 'de-001'), { format: 'mso_mdoc' });
    const req = await request(ee);
    await de1.present(req.request_url);
    const v = await verdictOf(ee, req.transaction_id);
    expect(v.valid, JSON.stringify(v.failure)).toBe(true);
    expect(v.credential?.country).toBe('DE');
  });

  it('scenario wallet-mdoc passes every step, twice, and leaves nothing to undo', async () => {
    for (let run = 0; run < 2; run++) {
      const r = await runScenarioReversibly(SCENARIOS, f, 'wallet-mdoc');
      expect(
        r.steps.filter((s) => !s.ok).map((s) => `${s.title}: ${s.detail}`),
        `run ${run + 1}`,
      ).toEqual([]);
      expect(r.steps).toHaveLength(4);
      expect(r.steps[0]?.detail).toMatch(/^mso_mdoc, doctype eu\.europa\.ec\.eudi\.pid\.1, \d+ bytes/);
      expect(r.steps[2]?.detail).toMatch(
        /^valid \(W1 W2 W4 W5 W6 W7 W9 W14 W15\): family_name=.*birth_date=\d{4}-\d{2}-\d{2}.* from EE$/,
      );
      expect(r.steps[3]?.detail).toBe('refused: W9 vp-key-binding-invalid');
      expect(r.undo.restored).toBe(true);
    }
  });

  /** ee-001's family name as the PID provider issued it. */
  async function familyName(): Promise<string> {
    const req = await request(de);
    await wallet.present(req.request_url);
    const v = await verdictOf(de, req.transaction_id);
    return ((v.credential?.claims[NS] ?? {}) as Record<string, string>).family_name as string;
  }
});
