import { X509Certificate } from 'node:crypto';
import { HolderWallet, type PresentationVerdict, trustThroughNode } from '@kakehashi/wallet';
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startTestFederation, type TestFederation } from '../support/federation.ts';

/**
 * `x509_san_dns` client identifiers (OpenID4VP 1.0 §5.9.3): the German verifier's access certificate, issued through
 * the trust fabric, carries the node's host name as a dNSName SAN; a signed request object with client_id
 * `x509_san_dns:<host>` is accepted by the wallet (SAN = the name, response URI on that host, the certificate trusted
 * through the home node's lists), and a client_id naming another host is refused.
 */
describe('EUDI wallet: x509_san_dns client identifiers (EE PID, DE verifier)', () => {
  let f: TestFederation;
  let ee: string;
  let de: string;
  let wallet: HolderWallet;

  beforeAll(async () => {
    f = await startTestFederation({ countries: ['DE', 'EE'] });
    ee = f.urls.nodes.EE as string;
    de = f.urls.nodes.DE as string;
    wallet = new HolderWallet({ fetch: f.fetch, clock: f.clock, trustVerifier: trustThroughNode(ee, f.fetch) });
    const offer = await json<{ credential_offer_url: string }>(
      f.fetch(`${ee}/wallet/issuer/offers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ personaId: 'ee-005' }),
      }),
    );
    await wallet.receive(offer.body.credential_offer_url);
  }, 240_000);
  afterAll(() => f?.dispose());

  const sanDnsRequest = async (extra: Record<string, unknown> = {}) =>
    (
      await json<{
        transaction_id: string;
        request_url: string;
        authorization_request: { client_id: string; response_uri: string; request_uri: string };
      }>(
        f.fetch(`${de}/wallet/verifier/requests`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ signed: true, client_id_prefix: 'x509_san_dns', ...extra }),
        }),
      )
    ).body;
  const verdictOf = async (id: string) =>
    (await json<{ verdict: PresentationVerdict }>(f.fetch(`${de}/wallet/verifier/transactions/${id}`))).body.verdict;

  it('the client_id is the node host; the request object is signed by a certificate with that dNSName SAN', async () => {
    const host = new URL(de).hostname;
    const req = await sanDnsRequest();
    expect(req.authorization_request.client_id).toBe(`x509_san_dns:${host}`);
    expect(new URL(req.authorization_request.response_uri).hostname).toBe(host);
    const jwt = await (await f.fetch(req.authorization_request.request_uri)).text();
    const leaf = new X509Certificate(Buffer.from((decodeProtectedHeader(jwt).x5c as string[])[0] as string, 'base64'));
    expect(leaf.subjectAltName).toBe(`DNS:${host}`);
    // issued by the trust fabric: DE's issuing CA, validated by DE's own trust view
    const v = await json<{ valid: boolean }>(
      f.fetch(`${de}/trust/validate-certificate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ certificate: leaf.toString(), usage: ['digitalSignature'] }),
      }),
    );
    expect(v.body.valid).toBe(true);
  });

  it('the wallet accepts it and presents; the verdict is valid (KB aud = the x509_san_dns client_id)', async () => {
    const req = await sanDnsRequest();
    await wallet.present(req.request_url);
    const verdict = await verdictOf(req.transaction_id);
    expect(verdict.valid).toBe(true);
  });

  it('encrypted (direct_post.jwt) with the same client identifier', async () => {
    const req = await sanDnsRequest({ response_mode: 'direct_post.jwt' });
    await wallet.present(req.request_url);
    expect((await verdictOf(req.transaction_id)).valid).toBe(true);
  });

  it('refused: a request URL whose x509_san_dns client_id names another host than the certificate SAN', async () => {
    const req = await sanDnsRequest();
    const url = new URL(req.request_url);
    url.searchParams.set('client_id', 'x509_san_dns:verifier.attacker.example');
    await expect(wallet.present(url.toString())).rejects.toThrow(
      /no dNSName subjectAltName verifier\.attacker\.example/,
    );
    // nothing was posted: the transaction is still waiting for its answer
    const t = await json<{ status: string }>(f.fetch(`${de}/wallet/verifier/transactions/${req.transaction_id}`));
    expect(t.body.status).toBe('pending');
  });

  it('refused: an x509_hash request object presented under an x509_san_dns client_id', async () => {
    const hashed = (
      await json<{ request_url: string }>(
        f.fetch(`${de}/wallet/verifier/requests`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ signed: true }),
        }),
      )
    ).body;
    const url = new URL(hashed.request_url);
    url.searchParams.set('client_id', `x509_san_dns:${new URL(de).hostname}`);
    await expect(wallet.present(url.toString())).rejects.toThrow(/client_id is not the request URL's/);
  });
});
