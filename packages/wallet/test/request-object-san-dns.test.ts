import { X509Certificate } from 'node:crypto';
import { SeededRandom } from '@kakehashi/core';
import { generateRsaKeyPair, issueCertificate, TEST_ONLY_OU } from '@kakehashi/trust';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshEcKey } from '../src/crypto/ec-key.ts';
import type { PidIssuerKey } from '../src/issuer/pid-issuer-key.ts';
import { createAuthorizationRequest } from '../src/verifier/openid4vp-verifier.ts';
import { dnsNamesOf, verifyRequestObject, x509HashOf } from '../src/verifier/request-object.ts';

/**
 * The wallet's check of an `x509_san_dns` client identifier (OpenID4VP 1.0 §5.9.3): the DNS name is a dNSName SAN of
 * the request object's x5c leaf, and the response URI is on that host.
 */
let key: PidIssuerKey;
const NOW = new Date('2026-06-01T00:00:00Z');

beforeAll(() => {
  const ec = freshEcKey();
  const rsa = generateRsaKeyPair(new SeededRandom('san-dns-test', 'rsa'));
  const { certPem, der } = issueCertificate(
    {
      subject: [
        { type: 'C', value: 'DE' },
        { type: 'OU', value: TEST_ONLY_OU },
        { type: 'CN', value: 'Relying party (TEST)' },
      ],
      serialHex: '5a',
      notBefore: new Date('2025-01-01T00:00:00Z'),
      notAfter: new Date('2030-01-01T00:00:00Z'),
      keyUsage: ['digitalSignature'],
      subjectAltNames: [{ type: 'dns', value: 'rp.example' }],
    },
    ec.publicKey,
    { selfSigningKey: rsa.privateKey },
  );
  key = { ...ec, certPem, x5c: [der.toString('base64')] };
});

/** A request object signed by the verifier's side of @openid4vc/openid4vp with the test key. */
const signRequestObject = async (params: Record<string, unknown>, k: PidIssuerKey, now: Date) =>
  (await createAuthorizationRequest(params, { now, signed: { requestUri: 'https://rp.example/r.jwt', accessKey: k } }))
    .requestObject as string;

const request = (clientId: string, responseUri = 'https://rp.example/wallet/verifier/response') => ({
  response_type: 'vp_token',
  client_id: clientId,
  response_mode: 'direct_post',
  response_uri: responseUri,
  nonce: 'n-1',
  state: 's-1',
});

describe('x509_san_dns request objects', () => {
  it('the certificate carries the dNSName SAN', () => {
    expect(dnsNamesOf(new X509Certificate(key.certPem))).toEqual(['rp.example']);
  });

  it('accepts a request object whose client_id DNS name is a SAN of the leaf and whose response URI is on it', async () => {
    const jwt = await signRequestObject(request('x509_san_dns:rp.example'), key, NOW);
    const params = await verifyRequestObject(jwt, 'x509_san_dns:rp.example');
    expect(params.client_id).toBe('x509_san_dns:rp.example');
    // the DNS name compares case-insensitively (RFC 5280 §4.2.1.6, DNS names)
    const upper = await signRequestObject(request('x509_san_dns:RP.example'), key, NOW);
    await expect(verifyRequestObject(upper, 'x509_san_dns:RP.example')).resolves.toBeDefined();
  });

  it('refuses a DNS name the leaf does not carry', async () => {
    const jwt = await signRequestObject(request('x509_san_dns:other.example'), key, NOW);
    await expect(verifyRequestObject(jwt, 'x509_san_dns:other.example')).rejects.toThrow(
      /no dNSName subjectAltName other\.example \(it has rp\.example\)/,
    );
    await expect(verifyRequestObject(jwt, 'x509_san_dns:')).rejects.toThrow(/names no DNS name/);
  });

  it('refuses a response URI on another host than the client_id DNS name', async () => {
    const jwt = await signRequestObject(
      request('x509_san_dns:rp.example', 'https://attacker.example/wallet/verifier/response'),
      key,
      NOW,
    );
    await expect(verifyRequestObject(jwt, 'x509_san_dns:rp.example')).rejects.toThrow(
      /response_uri's host attacker\.example is not rp\.example/,
    );
    // a subdomain is another host
    const sub = await signRequestObject(request('x509_san_dns:rp.example', 'https://a.rp.example/r'), key, NOW);
    await expect(verifyRequestObject(sub, 'x509_san_dns:rp.example')).rejects.toThrow(/is not rp\.example/);
  });

  it('the same leaf still answers to its x509_hash, and an x509_hash request object is not an x509_san_dns one', async () => {
    const hashId = `x509_hash:${x509HashOf(key.x5c[0] as string)}`;
    const jwt = await signRequestObject(request(hashId), key, NOW);
    await expect(verifyRequestObject(jwt, hashId)).resolves.toBeDefined();
    await expect(verifyRequestObject(jwt, 'x509_san_dns:rp.example')).rejects.toThrow(
      /client_id is not the request URL's/,
    );
  });
});
