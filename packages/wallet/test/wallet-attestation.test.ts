import type { KeyObject } from 'node:crypto';
import { SeededRandom, VirtualClock } from '@kakehashi/core';
import { generateRsaKeyPair, issueCertificate, TEST_ONLY_OU } from '@kakehashi/trust';
import { Oauth2AuthorizationServer } from '@openid4vc/oauth2';
import { CompactSign } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshEcKey } from '../src/crypto/ec-key.ts';
import { oid4vcCallbacks } from '../src/crypto/oid4vc-callbacks.ts';
import { checkWalletAttestation } from '../src/issuer/wallet-attestation.ts';

/** The PID provider's judgement of a wallet-unit attestation, the trust view and the wallet-provider list mocked. */
const AS = 'https://pid.example/wallet/issuer';
const clock = new VirtualClock();
clock.freeze(new Date('2026-06-01T00:00:00Z'));
const nowS = Math.floor(clock.now().getTime() / 1000);
const as = new Oauth2AuthorizationServer({ callbacks: oid4vcCallbacks({ fetch }) as never });
const provider = freshEcKey();
const device = freshEcKey();
let x5c: string[];
let headers: Headers;

const sign = (header: Record<string, unknown>, payload: Record<string, unknown>, key: KeyObject) =>
  new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'ES256', ...header })
    .sign(key);

beforeAll(async () => {
  const rsa = generateRsaKeyPair(new SeededRandom('wallet-attestation-unit', 'ca'));
  const { der } = issueCertificate(
    {
      subject: [
        { type: 'C', value: 'EE' },
        { type: 'OU', value: TEST_ONLY_OU },
        { type: 'CN', value: 'Wallet provider (TEST)' },
      ],
      serialHex: '77',
      notBefore: new Date('2025-01-01T00:00:00Z'),
      notAfter: new Date('2030-01-01T00:00:00Z'),
      keyUsage: ['digitalSignature'],
    },
    provider.publicKey,
    { selfSigningKey: rsa.privateKey },
  );
  x5c = [der.toString('base64')];
  const wua = await sign(
    { typ: 'oauth-client-attestation+jwt', x5c },
    { iss: 'https://wp.example', sub: 'client-1', iat: nowS, exp: nowS + 3600, cnf: { jwk: device.publicJwk } },
    provider.privateKey,
  );
  const pop = await sign(
    { typ: 'oauth-client-attestation-pop+jwt' },
    { iss: 'client-1', aud: AS, jti: 'j1', iat: nowS, exp: nowS + 60 },
    device.privateKey,
  );
  headers = new Headers({ 'OAuth-Client-Attestation': wua, 'OAuth-Client-Attestation-PoP': pop });
});

const deps = (listed: boolean, chainValid = true, lenient = false) => ({
  clock,
  faults: { fire: (name: string) => lenient && name === 'lenient.wallet.no-wallet-attestation' } as never,
  validateCertificate: () =>
    (chainValid
      ? { valid: true, checks: [] }
      : {
          valid: false,
          checks: [],
          failure: { rule: 'r', code: 'cert-untrusted-root', reason: 'no anchor' },
        }) as never,
  entityListing: (kind: string) => ({
    listed: listed && kind === 'wallet-providers',
    reason: listed ? 'listed' : 'The certificate is not on the list of wallet providers.',
  }),
});

describe('checkWalletAttestation', () => {
  it('accepts an attestation and PoP that verify, from a listed provider whose chain validates', async () => {
    expect(await checkWalletAttestation(deps(true), as, AS, headers)).toBeUndefined();
  });

  it('refuses a provider whose chain validates but that is not on the wallet-provider list', async () => {
    const r = await checkWalletAttestation(deps(false), as, AS, headers);
    expect(r).toMatchObject({ code: 'vci-wallet-attestation-invalid', error: 'invalid_client' });
    expect(r?.description).toMatch(/not on the EU list of wallet providers/);
  });

  it('refuses a provider whose chain does not validate', async () => {
    expect((await checkWalletAttestation(deps(true, false), as, AS, headers))?.description).toMatch(/no anchor/);
  });

  it('refuses an expired attestation (on the virtual clock) and a PoP for another server', async () => {
    const later = new VirtualClock();
    later.freeze(new Date(clock.now().getTime() + 2 * 3600_000));
    expect((await checkWalletAttestation({ ...deps(true), clock: later }, as, AS, headers))?.description).toMatch(
      /does not verify/,
    );
    expect((await checkWalletAttestation(deps(true), as, 'https://other.example', headers))?.description).toMatch(
      /does not verify/,
    );
  });

  it('the lenient fault lets a missing attestation through; strict refuses it', async () => {
    expect((await checkWalletAttestation(deps(true), as, AS, new Headers()))?.description).toMatch(
      /no wallet-unit attestation/,
    );
    expect(await checkWalletAttestation(deps(true, true, true), as, AS, new Headers())).toBeUndefined();
  });
});
