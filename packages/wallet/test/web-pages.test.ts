import { createHash, generateKeyPairSync } from 'node:crypto';
import { issueCertificate } from '@kakehashi/trust';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { requestObjectArtefact, sdJwtArtefact } from '../src/trace-artefacts.ts';
import {
  answerOf,
  type ResponseOutcome,
  readErrorResponse,
  requireResponseCode,
} from '../src/verifier/response-outcome.ts';
import { describeRequest } from '../src/web/describe-request.ts';
import { claimLabel, esc } from '../src/web/page-text.ts';

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('the wallet pages: words, decoding, the response outcome', () => {
  it('names DCQL claim paths in English and Japanese (nested members and mdoc paths too)', () => {
    expect(claimLabel(['family_name'], 'en')).toBe('Family name');
    expect(claimLabel(['family_name'], 'ja')).toBe('姓');
    expect(claimLabel(['eidas_person_identifiers', 'DE'], 'ja')).toBe('eIDAS 個人識別子 (DE)');
    expect(claimLabel(['eu.europa.ec.eudi.pid.1', 'family_name'], 'en')).toBe('Family name');
    expect(claimLabel(['nationalities', null], 'en')).toBe('Nationalities (*)');
    expect(claimLabel(['unknown_claim'], 'ja')).toBe('unknown_claim');
  });

  it('escapes every value put in a page', () => {
    expect(esc(`<script>"x"&'y'</script>`)).toBe('&lt;script&gt;&quot;x&quot;&amp;&#39;y&#39;&lt;/script&gt;');
  });

  it('decodes an SD-JWT for the trace: header (x5c shortened), payload, disclosures by name, the key binding', () => {
    const jwt = `${b64({ typ: 'dc+sd-jwt', alg: 'ES256', x5c: ['A'.repeat(500)] })}.${b64({ vct: 'urn:eudi:pid:1' })}.sig`;
    const d1 = b64(['s1', 'family_name', 'Tamm']);
    const d2 = b64(['s2', 'DE', 'EE/DE/x']);
    const d3 = b64(['s3', 'DE', 'again']);
    const kb = `${b64({ typ: 'kb+jwt' })}.${b64({ nonce: 'n', aud: 'x509_hash:abc' })}.sig`;
    const a = sdJwtArtefact(`${jwt}~${d1}~${d2}~${d3}~not-json~${kb}`);
    expect(a.type).toBe('dc+sd-jwt');
    expect((a.header as { x5c: string[] }).x5c[0]).toMatch(/^A{24}… \(500 chars\)$/);
    expect(a.claims).toEqual({ vct: 'urn:eudi:pid:1' });
    expect(a.disclosures).toEqual({ family_name: 'Tamm', DE: 'EE/DE/x', 'DE #2': 'again' });
    expect(a.keyBinding).toEqual({ nonce: 'n', aud: 'x509_hash:abc' });
    // as issued (ends with ~): no key binding
    expect(sdJwtArtefact(`${jwt}~${d1}~`).keyBinding).toBeUndefined();
    expect(requestObjectArtefact(`${b64({ typ: 'oauth-authz-req+jwt' })}.${b64({ nonce: 'n' })}.s`)).toMatchObject({
      type: 'oauth-authz-req+jwt',
      claims: { nonce: 'n' },
    });
  });

  it('takes a wallet error once, only a §8.5 code, and hands out a response_code only for same-device', () => {
    const t: ResponseOutcome = { state: 's1', redirectUri: 'https://rp.example/cb?x=1' };
    const find = (s: string) => (s === 's1' ? t : undefined);
    expect(readErrorResponse(new URLSearchParams({ vp_token: '{}' }), find)).toBeUndefined();
    expect(() => readErrorResponse(new URLSearchParams({ error: 'whatever', state: 's1' }), find)).toThrow(/§8.5/);
    expect(() => readErrorResponse(new URLSearchParams({ error: 'access_denied', state: 'other' }), find)).toThrow(
      /state/,
    );
    expect(readErrorResponse(new URLSearchParams({ error: 'access_denied', state: 's1' }), find)?.error).toBe(
      'access_denied',
    );
    expect(() => readErrorResponse(new URLSearchParams({ error: 'access_denied', state: 's1' }), find)).toThrow(
      /already answered/,
    );
    const answer = answerOf(t);
    const url = new URL(answer.redirect_uri as string);
    expect(url.searchParams.get('x')).toBe('1');
    expect(url.searchParams.get('response_code')).toBe(t.responseCode);
    expect(() => requireResponseCode(t, undefined)).toThrow(/response_code/);
    expect(() => requireResponseCode(t, `${t.responseCode}x`)).toThrow(/response_code/);
    expect(() => requireResponseCode(t, t.responseCode)).not.toThrow();
    // cross-device: no redirect, nothing to present
    const cross: ResponseOutcome = { state: 's2' };
    expect(answerOf(cross)).toEqual({ received: true });
    expect(() => requireResponseCode(cross, undefined)).not.toThrow();
  });

  it('opens the three request URI schemes and refuses others, and a request_uri that is not http(s)', async () => {
    const byValue = (scheme: string) =>
      `${scheme}?client_id=${encodeURIComponent('redirect_uri:https://v.example/r')}&response_type=vp_token&response_mode=direct_post&response_uri=${encodeURIComponent('https://v.example/r')}&nonce=n&state=s&dcql_query=${encodeURIComponent(JSON.stringify({ credentials: [{ id: 'pid', format: 'dc+sd-jwt', claims: [{ path: ['given_name'] }] }] }))}`;
    const never = (() => {
      throw new Error('no fetch by value');
    }) as unknown as typeof fetch;
    for (const scheme of ['openid4vp://', 'haip-vp://', 'eudi-openid4vp://']) {
      const v = await describeRequest(byValue(scheme), never, undefined);
      expect(v.url.startsWith('openid4vp://?')).toBe(true);
      expect(v.claims).toEqual([['given_name']]);
      expect(v.credentialQueryId).toBe('pid');
      expect(v.certificate).toBeUndefined();
    }
    await expect(describeRequest(byValue('https://x.example/'), never, undefined)).rejects.toThrow(
      /not an authorization/,
    );
    await expect(
      describeRequest('openid4vp://?client_id=x&request_uri=file%3A%2F%2F%2Fetc%2Fpasswd', never, undefined),
    ).rejects.toThrow(/http\(s\)/);
  });

  it("reads a signed request's access certificate (subject, country) only when the trust view accepts it", async () => {
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const { der } = issueCertificate(
      {
        subject: [
          { type: 'C', value: 'DE' },
          { type: 'CN', value: 'Some Relying Party' },
        ],
        serialHex: '02',
        notBefore: new Date('2025-01-01T00:00:00Z'),
        notAfter: new Date('2035-01-01T00:00:00Z'),
        keyUsage: ['digitalSignature'],
      },
      key.publicKey,
      { selfSigningKey: key.privateKey },
    );
    const clientId = `x509_hash:${createHash('sha256').update(der).digest('base64url')}`;
    const object = await new SignJWT({
      client_id: clientId,
      response_type: 'vp_token',
      response_mode: 'direct_post',
      response_uri: 'https://rp.example/response',
      nonce: 'n',
      state: 's',
      dcql_query: { credentials: [{ id: 'pid', format: 'dc+sd-jwt', claims: [{ path: ['birthdate'] }] }] },
    })
      .setProtectedHeader({ alg: 'ES256', typ: 'oauth-authz-req+jwt', x5c: [der.toString('base64')] })
      .sign(key.privateKey);
    const uri = 'https://rp.example/request.jwt';
    const serve = (async (u: string) =>
      u === uri ? new Response(object) : new Response('', { status: 404 })) as typeof fetch;
    const url = `openid4vp://?client_id=${encodeURIComponent(clientId)}&request_uri=${encodeURIComponent(uri)}`;
    const v = await describeRequest(url, serve, async () => ({ valid: true }));
    expect(v.certificate).toMatchObject({ country: 'DE', trusted: true });
    expect(v.certificate?.subject).toContain('CN=Some Relying Party');
    expect(v.claims).toEqual([['birthdate']]);
    await expect(
      describeRequest(url, serve, async () => ({ valid: false, reason: 'not on the trusted lists' })),
    ).rejects.toThrow(/access certificate is not trusted: not on the trusted lists/);
  });
});
