import { createHash, createPublicKey, verify, X509Certificate } from 'node:crypto';
import { HolderWallet } from '@kakehashi/wallet';
import { verifySDJWT } from '@meeco/sd-jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startTestFederation, type TestFederation } from '../support/federation.ts';

/**
 * Our SD-JWT VC PID presentation read by a second, independent SD-JWT implementation: Meeco's @meeco/sd-jwt unpacks
 * the disclosures against the issuer-signed digests and hands the key-binding JWT with the `cnf` key it found; the
 * signatures are checked with Node's crypto alone (nothing of Kakehashi, nothing of @sd-jwt/*).
 * @see https://www.rfc-editor.org/rfc/rfc9901 SD-JWT §4.3 (key binding: nonce, aud, iat, sd_hash), §7.1 (verification)
 */
const b64 = (s: string) => Buffer.from(s, 'base64url');
const parse = (part: string | undefined) => JSON.parse(b64(part ?? '').toString('utf8'));

/** Verifies a compact ES256 JWS with a public key; Node's crypto only. */
function verifyEs256(compact: string, key: ReturnType<typeof createPublicKey>): boolean {
  const [h, p, s] = compact.split('.');
  if (!h || !p || !s || parse(h).alg !== 'ES256') return false;
  return verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, b64(s));
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('base64url');

describe('SD-JWT VC PID: @meeco/sd-jwt (a second implementation) for the disclosures and key binding', () => {
  let f: TestFederation;
  let presentation: string;
  let nonce: string;
  let aud: string;
  beforeAll(async () => {
    f = await startTestFederation({ countries: ['DE', 'EE'] });
    const wallet = new HolderWallet({ fetch: f.fetch, clock: f.clock });
    const offer = await json<{ credential_offer_url: string }>(
      f.fetch(`${f.urls.nodes.EE}/wallet/issuer/offers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ personaId: 'ee-001' }),
      }),
    );
    await wallet.receive(offer.body.credential_offer_url);
    const req = await json<{ request_url: string; authorization_request: { nonce: string; client_id: string } }>(
      f.fetch(`${f.urls.nodes.DE}/wallet/verifier/requests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      }),
    );
    ({ presentation } = await wallet.createPresentation(req.body.request_url));
    nonce = req.body.authorization_request.nonce;
    aud = req.body.authorization_request.client_id;
  }, 240_000);
  afterAll(() => f?.dispose());

  /** Meeco's verifier with the issuer's x5c leaf and a key-binding check of nonce, aud and sd_hash. */
  async function meeco(sdjwt: string, keyBinding = true) {
    const header = parse(sdjwt.split('.')[0]);
    const leaf = new X509Certificate(Buffer.from(header.x5c[0], 'base64'));
    const kbSeen: { nonce?: string; aud?: string } = {};
    const claims = await verifySDJWT(
      sdjwt,
      async (compact) => verifyEs256(compact, leaf.publicKey),
      async (alg) => {
        if (alg !== 'sha-256') throw new Error(`unexpected _sd_alg ${alg}`);
        return (data) => sha256(data);
      },
      keyBinding
        ? {
            kb: {
              verifier: async (kbJwt, jwk) => {
                const [h, p] = kbJwt.split('.');
                const payload = parse(p);
                Object.assign(kbSeen, { nonce: payload.nonce, aud: payload.aud });
                const presented = sdjwt.slice(0, sdjwt.lastIndexOf('~') + 1);
                return (
                  parse(h).typ === 'kb+jwt' &&
                  payload.sd_hash === sha256(presented) &&
                  payload.nonce === nonce &&
                  payload.aud === aud &&
                  verifyEs256(kbJwt, createPublicKey({ key: jwk as never, format: 'jwk' }))
                );
              },
            },
          }
        : undefined,
    );
    return { claims: claims as Record<string, unknown>, kbSeen, issuerCn: leaf.subject };
  }

  it('verifies the issuer signature, unpacks exactly the disclosed claims and accepts the key binding', async () => {
    const { claims, kbSeen, issuerCn } = await meeco(presentation);
    expect(issuerCn).toContain('PID Provider');
    expect(claims).toMatchObject({ iss: f.urls.nodes.EE, vct: 'urn:eudi:pid:1' });
    // The DE verifier's default query: names and birth date; nothing else of the PID is readable.
    expect(claims.family_name).toEqual(expect.any(String));
    expect(claims.given_name).toEqual(expect.any(String));
    expect(claims.birthdate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(claims).not.toHaveProperty('nationalities');
    expect(claims).not.toHaveProperty('address');
    expect(kbSeen).toEqual({ nonce, aud });
  });

  it('does not read a disclosure the issuer never signed as a claim', async () => {
    const parts = presentation.split('~');
    parts[1] = Buffer.from(JSON.stringify(['c2FsdA', 'family_name', 'Mallory'])).toString('base64url');
    // The key binding covers the presentation (sd_hash): with a changed disclosure it no longer matches.
    await expect(meeco(parts.join('~'))).rejects.toThrow(/Key Binding/);
    // Without the key-binding check, the unreferenced disclosure is simply not a claim.
    const { claims } = await meeco(parts.join('~'), false);
    expect(claims.family_name).not.toBe('Mallory');
    expect(JSON.stringify(claims)).not.toContain('Mallory');
  });

  it('refuses an issuer signature over changed claims and a key binding signed by another key', async () => {
    const [jwt, ...rest] = presentation.split('~');
    const [h, p, s] = (jwt ?? '').split('.');
    const payload = parse(p);
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...payload, iss: 'https://attacker.example' })).toString('base64url')}.${s}`;
    await expect(meeco([forged, ...rest].join('~'), false)).rejects.toThrow(/Failed to verify SD-JWT/);
    // The key binding covers the issuer-signed JWT too (sd_hash).
    await expect(meeco([forged, ...rest].join('~'))).rejects.toThrow(/Key Binding/);

    // Another key signs the key-binding JWT: the cnf key does not verify it.
    const { generateKeyPairSync, sign } = await import('node:crypto');
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const kb = rest.at(-1) ?? '';
    const [kh, kp] = kb.split('.');
    const sig = sign('sha256', Buffer.from(`${kh}.${kp}`), { key: other.privateKey, dsaEncoding: 'ieee-p1363' });
    const reSigned = [jwt, ...rest.slice(0, -1), `${kh}.${kp}.${sig.toString('base64url')}`].join('~');
    await expect(meeco(reSigned)).rejects.toThrow(/Key Binding/);
  });
});
