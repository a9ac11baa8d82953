import { generateKeyPairSync, type KeyObject, X509Certificate } from 'node:crypto';
import { SeededRandom } from '@kakehashi/core';
import {
  entityListKindOf,
  generateRsaKeyPair,
  issueCertificate,
  TEST_ONLY_OU,
  verifyLotl,
  verifyTrustedList,
} from '@kakehashi/trust';
import { HolderWallet } from '@kakehashi/wallet';
import { CompactSign, decodeJwt, decodeProtectedHeader, exportJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, json, startTestFederation, type TestFederation } from '../support/federation.ts';

/**
 * Wallet-unit attestations: the node's mock wallet provider attests the wallet's device key (an OAuth client
 * attestation, x5c of a provider on the EU wallet-provider list the LOTL points at); the PID provider's token endpoint
 * refuses a token request without a valid one (OAuth 2.0 Attestation-Based Client Authentication), unless
 * `lenient.wallet.no-wallet-attestation` is on.
 */
describe('EUDI wallet: wallet-unit attestation at the PID provider', () => {
  let f: TestFederation;
  let ee: string;

  beforeAll(async () => {
    f = await startTestFederation({ countries: ['DE', 'EE'] });
    ee = f.urls.nodes.EE as string;
  }, 240_000);
  afterAll(() => f?.dispose());

  const offer = async () =>
    (
      await json<{
        credential_offer_url: string;
        credential_offer: { grants: Record<string, Record<string, string>> };
      }>(
        f.fetch(`${ee}/wallet/issuer/offers`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ personaId: 'ee-006' }),
        }),
      )
    ).body;
  const preAuthCode = (o: Awaited<ReturnType<typeof offer>>) =>
    o.credential_offer.grants['urn:ietf:params:oauth:grant-type:pre-authorized_code']?.[
      'pre-authorized_code'
    ] as string;
  const tokenRequest = (code: string, headers: Record<string, string> = {}) =>
    f.fetch(`${ee}/wallet/issuer/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:pre-authorized_code',
        'pre-authorized_code': code,
      }).toString(),
    });
  const ec = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const nowS = () => Math.floor(f.clock.now().getTime() / 1000);
  const sign = (header: Record<string, unknown>, payload: Record<string, unknown>, key: KeyObject) =>
    new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader({ alg: 'ES256', ...header })
      .sign(key);
  /** A wallet attestation from EE's wallet provider for `device` (the key proved with a JWS). */
  const attestationFor = async (device: ReturnType<typeof ec>) => {
    const jwk = await exportJWK(device.publicKey);
    const proof = await sign(
      { typ: 'kakehashi-wallet-key-proof+jwt', jwk },
      { aud: `${ee}/wallet/provider/attestations`, iat: nowS() },
      device.privateKey,
    );
    return json<{ wallet_attestation: string; key_attestation: string; expires_in: number }>(
      f.fetch(`${ee}/wallet/provider/attestations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ proof }),
      }),
    );
  };
  const popBy = (key: KeyObject, sub: string, aud = `${ee}/wallet/issuer`) =>
    sign(
      { typ: 'oauth-client-attestation-pop+jwt' },
      { iss: sub, aud, jti: `jti-${Math.random()}`, iat: nowS(), exp: nowS() + 60 },
      key,
    );

  it('the wallet provider attests the device key; its certificate is on the EU wallet-provider list of the LOTL', async () => {
    const device = ec();
    const r = await attestationFor(device);
    expect(r.status).toBe(200);
    const header = decodeProtectedHeader(r.body.wallet_attestation);
    const claims = decodeJwt(r.body.wallet_attestation);
    expect(header.typ).toBe('oauth-client-attestation+jwt');
    expect(claims).toMatchObject({ iss: `${ee}/wallet/provider`, cnf: { jwk: await exportJWK(device.publicKey) } });
    expect((claims.exp as number) - (claims.iat as number)).toBeLessThan(86_400);
    const index = await json<{ lotl: string; lotlSignerCertificate: string }>(f.fetch(`${f.urls.hub}/trust`));
    const lotl = verifyLotl(await (await f.fetch(index.body.lotl)).text(), {
      pinnedSignerCerts: [index.body.lotlSignerCertificate],
      clock: f.clock,
    });
    const pointer = lotl.pointers.find((p) => entityListKindOf(p.tslType) === 'wallet-providers');
    expect(pointer?.tslType).toBe('http://uri.etsi.org/19602/LoTEType/EUWalletProvidersList');
    const list = verifyTrustedList(await (await f.fetch(pointer!.location)).text(), {
      signerCerts: pointer!.signerCertsPem,
      clock: f.clock,
      expectedTerritory: 'EU',
    });
    expect(list.services.map((s) => s.type)).toEqual([
      'http://uri.etsi.org/19602/SvcType/WalletSolution/Issuance',
      'http://uri.etsi.org/19602/SvcType/WalletSolution/Issuance',
    ]);
    const leaf = new X509Certificate(Buffer.from((header.x5c as string[])[0] as string, 'base64'));
    expect(list.services.some((s) => s.certificatesPem.some((p) => new X509Certificate(p).raw.equals(leaf.raw)))).toBe(
      true,
    );
  });

  it('a wallet receives its PID with its attestation (the default provider: the one at the issuing node)', async () => {
    const wallet = new HolderWallet({ fetch: f.fetch, clock: f.clock });
    await wallet.receive((await offer()).credential_offer_url);
    expect(wallet.credentials).toHaveLength(1);
  });

  it('refused: a token request without attestation (401 invalid_client), and a wallet that sends none', async () => {
    const r = await json<{ error: string; code: string; error_description: string }>(
      tokenRequest(preAuthCode(await offer())),
    );
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ error: 'invalid_client', code: 'vci-wallet-attestation-invalid' });
    expect(r.body.error_description).toMatch(/no wallet-unit attestation/);
    const bare = new HolderWallet({ fetch: f.fetch, clock: f.clock, walletProvider: false });
    await expect(bare.receive((await offer()).credential_offer_url)).rejects.toThrow();
  });

  it('refused: a PoP signed by another key than the attested one, or for another audience', async () => {
    const device = ec();
    const wua = (await attestationFor(device)).body.wallet_attestation;
    const sub = String(decodeJwt(wua).sub);
    const other = await json<{ error_description: string }>(
      tokenRequest(preAuthCode(await offer()), {
        'OAuth-Client-Attestation': wua,
        'OAuth-Client-Attestation-PoP': await popBy(ec().privateKey, sub),
      }),
    );
    expect(other.status).toBe(401);
    expect(other.body.error_description).toMatch(/does not verify/);
    const aud = await json(
      tokenRequest(preAuthCode(await offer()), {
        'OAuth-Client-Attestation': wua,
        'OAuth-Client-Attestation-PoP': await popBy(device.privateKey, sub, 'https://another.example'),
      }),
    );
    expect(aud.status).toBe(401);
    // the same attestation with a right PoP is accepted
    const ok = await json<{ access_token: string }>(
      tokenRequest(preAuthCode(await offer()), {
        'OAuth-Client-Attestation': wua,
        'OAuth-Client-Attestation-PoP': await popBy(device.privateKey, sub),
      }),
    );
    expect(ok.status).toBe(200);
  });

  it('refused: an attestation by a provider no trusted list knows (self-signed x5c)', async () => {
    const provider = ec();
    const rsa = generateRsaKeyPair(new SeededRandom('wallet-attestation-e2e', 'rogue'));
    const { der } = issueCertificate(
      {
        subject: [
          { type: 'C', value: 'EE' },
          { type: 'OU', value: TEST_ONLY_OU },
          { type: 'CN', value: 'Rogue wallet provider (TEST)' },
        ],
        serialHex: '0bad',
        notBefore: new Date('2020-01-01T00:00:00Z'),
        notAfter: new Date('2045-01-01T00:00:00Z'),
        keyUsage: ['digitalSignature'],
      },
      provider.publicKey,
      { selfSigningKey: rsa.privateKey },
    );
    const device = ec();
    const wua = await sign(
      { typ: 'oauth-client-attestation+jwt', x5c: [der.toString('base64')] },
      {
        iss: 'https://rogue.example',
        sub: 'kakehashi-headless-wallet',
        iat: nowS(),
        exp: nowS() + 3600,
        cnf: { jwk: await exportJWK(device.publicKey) },
      },
      provider.privateKey,
    );
    const r = await json<{ error_description: string }>(
      tokenRequest(preAuthCode(await offer()), {
        'OAuth-Client-Attestation': wua,
        'OAuth-Client-Attestation-PoP': await popBy(device.privateKey, 'kakehashi-headless-wallet'),
      }),
    );
    expect(r.status).toBe(401);
    expect(r.body.error_description).toMatch(/does not validate against the trusted lists/);
  });

  describe('key attestation in the proof (OpenID4VCI App. D)', () => {
    /** An access token (the token request attested by `device`'s wallet attestation) and a fresh c_nonce. */
    const session = async (device: ReturnType<typeof ec>) => {
      const wua = (await attestationFor(device)).body;
      const token = await json<{ access_token: string }>(
        tokenRequest(preAuthCode(await offer()), {
          'OAuth-Client-Attestation': wua.wallet_attestation,
          'OAuth-Client-Attestation-PoP': await popBy(device.privateKey, String(decodeJwt(wua.wallet_attestation).sub)),
        }),
      );
      const nonce = await json<{ c_nonce: string }>(f.fetch(`${ee}/wallet/issuer/nonce`, { method: 'POST' }));
      return { wua, accessToken: token.body.access_token, cNonce: nonce.body.c_nonce };
    };
    const credential = async (
      s: Awaited<ReturnType<typeof session>>,
      signer: ReturnType<typeof ec>,
      keyAttestation: string,
    ) => {
      const proof = await sign(
        { typ: 'openid4vci-proof+jwt', jwk: await exportJWK(signer.publicKey), key_attestation: keyAttestation },
        { aud: ee, iat: nowS(), nonce: s.cNonce },
        signer.privateKey,
      );
      return json<{ error?: string; error_description?: string; credentials?: unknown[] }>(
        f.fetch(`${ee}/wallet/issuer/credential`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${s.accessToken}` },
          body: JSON.stringify({
            credential_configuration_id: 'eu.europa.ec.eudi.pid_vc_sd_jwt',
            proofs: { jwt: [proof] },
          }),
        }),
      );
    };

    it('the provider attests the device key; a proof carrying it is accepted', async () => {
      const device = ec();
      const s = await session(device);
      const ka = decodeJwt(s.wua.key_attestation) as { attested_keys: unknown[] };
      expect(decodeProtectedHeader(s.wua.key_attestation).typ).toBe('key-attestation+jwt');
      expect(ka.attested_keys).toEqual([await exportJWK(device.publicKey)]);
      const r = await credential(s, device, s.wua.key_attestation);
      expect(r.status).toBe(200);
      expect(r.body.credentials).toHaveLength(1);
    });

    it('HolderWallet with keyAttestation: true puts it in its proof and receives', async () => {
      const wallet = new HolderWallet({ fetch: f.fetch, clock: f.clock, keyAttestation: true });
      await wallet.receive((await offer()).credential_offer_url);
      expect(wallet.credentials).toHaveLength(1);
    });

    it('refused (invalid_proof): a proof signed by a key the key attestation does not attest', async () => {
      const device = ec();
      const s = await session(device);
      const r = await credential(s, ec(), s.wua.key_attestation);
      expect(r.status).toBe(400);
      expect(r.body.error).toBe('invalid_proof');
    });

    it('refused (invalid_proof): a key attestation by a provider no trusted list knows', async () => {
      const device = ec();
      const s = await session(device);
      const rogue = ec();
      const { der } = issueCertificate(
        {
          subject: [
            { type: 'C', value: 'EE' },
            { type: 'OU', value: TEST_ONLY_OU },
            { type: 'CN', value: 'Rogue key attester (TEST)' },
          ],
          serialHex: '0bae',
          notBefore: new Date('2020-01-01T00:00:00Z'),
          notAfter: new Date('2045-01-01T00:00:00Z'),
          keyUsage: ['digitalSignature'],
        },
        rogue.publicKey,
        { selfSigningKey: generateRsaKeyPair(new SeededRandom('wallet-attestation-e2e', 'rogue-ka')).privateKey },
      );
      const forged = await sign(
        { typ: 'key-attestation+jwt', x5c: [der.toString('base64')] },
        { iat: nowS(), exp: nowS() + 3600, attested_keys: [await exportJWK(device.publicKey)] },
        rogue.privateKey,
      );
      const r = await credential(s, device, forged);
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ error: 'invalid_proof' });
      expect(r.body.error_description).toMatch(/key_attestation: the wallet provider's certificate does not validate/);
    });
  });

  it('lenient.wallet.no-wallet-attestation lets a wallet without attestation through, named in the log', async () => {
    const put = (body: unknown) =>
      f.fetch(`${ee}/admin/faults`, {
        method: 'PUT',
        headers: { ...ADMIN, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await put({ enable: ['lenient.wallet.no-wallet-attestation'] })).status).toBe(200);
    try {
      const bare = new HolderWallet({ fetch: f.fetch, clock: f.clock, walletProvider: false });
      await bare.receive((await offer()).credential_offer_url);
      expect(bare.credentials).toHaveLength(1);
      expect(
        f.logs.some(
          (l) => l.msg === 'fault fired' && (l as { fault?: string }).fault === 'lenient.wallet.no-wallet-attestation',
        ),
      ).toBe(true);
    } finally {
      await put({ disable: ['lenient.wallet.no-wallet-attestation'] });
    }
  });
});
