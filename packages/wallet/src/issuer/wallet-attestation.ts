import { defineFaults, type ErrorCode } from '@kakehashi/core';
import type { Oauth2AuthorizationServer } from '@openid4vc/oauth2';
import { decodeProtectedHeader } from 'jose';
import type { WalletDeps } from '../wallet-deps.ts';

/**
 * The PID provider's one opt-out of wallet attestation (off by default, `PUT /admin/faults`): a token request without
 * a valid wallet-unit attestation is let through, the fault named in the node's log.
 */
export const WALLET_ATTESTATION_FAULTS = defineFaults('wallet', [
  {
    name: 'lenient.wallet.no-wallet-attestation',
    kind: 'lenient',
    description:
      'The PID provider issues to a wallet without a valid wallet-unit attestation (no OAuth-Client-Attestation, a bad PoP, or a wallet provider not on the EU list).',
    rule: 'vci-wallet-attestation-invalid (draft-ietf-oauth-attestation-based-client-auth; ARF WUA)',
  },
] as const);

const pemOf = (b64: string) =>
  `-----BEGIN CERTIFICATE-----\n${b64.match(/.{1,64}/g)?.join('\n')}\n-----END CERTIFICATE-----\n`;

/** Why a token request's wallet attestation is refused, or undefined when it is accepted (or let through). */
export type AttestationRefusal = { code: ErrorCode; error: 'invalid_client'; description: string } | undefined;

/**
 * Checks the wallet-unit attestation a token request carries as OAuth 2.0 Attestation-Based Client Authentication:
 * the `OAuth-Client-Attestation` JWT (`oauth-client-attestation+jwt`, signed by its `x5c` leaf, unexpired on the
 * virtual clock) and its `OAuth-Client-Attestation-PoP` (signed by the attested `cnf.jwk`, `aud` this authorization
 * server, `iss` the attestation's `sub`) — both verified by @openid4vc/oauth2 — then the wallet provider: the `x5c`
 * chain validates through the country's trusted list and its leaf is a granted service of the EU list of wallet
 * providers the LOTL points at. Strict: missing headers are refused unless `lenient.wallet.no-wallet-attestation`
 * is on (the fault fires, and is logged, only then).
 * @see https://datatracker.ietf.org/doc/draft-ietf-oauth-attestation-based-client-auth/ §4, §5
 * @see https://openid.net/specs/openid-4-verifiable-credential-issuance-1_0-final.html#appendix-E (wallet attestation)
 */
export async function checkWalletAttestation(
  deps: Pick<WalletDeps, 'clock' | 'faults' | 'validateCertificate' | 'entityListing'>,
  as: Oauth2AuthorizationServer,
  authorizationServer: string,
  headers: Headers,
): Promise<AttestationRefusal> {
  const refuse = (description: string): AttestationRefusal =>
    deps.faults.fire('lenient.wallet.no-wallet-attestation', undefined, { refused: description })
      ? undefined
      : { code: 'vci-wallet-attestation-invalid', error: 'invalid_client', description };
  const attestation = headers.get('oauth-client-attestation');
  const pop = headers.get('oauth-client-attestation-pop');
  if (!attestation || !pop)
    return refuse(
      'The token request carries no wallet-unit attestation (OAuth-Client-Attestation and OAuth-Client-Attestation-PoP headers): get one from your wallet provider.',
    );
  const now = deps.clock.now();
  try {
    await as.verifyClientAttestation({
      authorizationServer,
      clientAttestationJwt: attestation,
      clientAttestationPopJwt: pop,
      now,
    });
  } catch (e) {
    return refuse(`The wallet attestation or its PoP does not verify: ${e instanceof Error ? e.message : String(e)}`);
  }
  const why = walletProviderRefusal(deps, decodeProtectedHeader(attestation).x5c, now);
  return why ? refuse(`The wallet attestation: ${why}`) : undefined;
}

/**
 * Why the wallet provider an attestation's `x5c` names is not trusted (undefined: it is): its chain validates through
 * the country's trusted list and its leaf is a granted service of the EU list of wallet providers.
 */
export function walletProviderRefusal(
  deps: Pick<WalletDeps, 'validateCertificate' | 'entityListing'>,
  x5c: unknown,
  now: Date,
): string | undefined {
  if (!Array.isArray(x5c) || x5c.length === 0 || x5c.some((c) => typeof c !== 'string'))
    return 'it names its provider by no x5c chain.';
  const [leaf, ...chain] = (x5c as string[]).map(pemOf) as [string, ...string[]];
  const verdict = deps.validateCertificate(leaf, chain, { at: now, usage: ['digitalSignature'] });
  if (!verdict.valid)
    return `the wallet provider's certificate does not validate against the trusted lists: ${verdict.failure?.reason ?? 'refused'}`;
  const listing = deps.entityListing?.('wallet-providers', leaf, now);
  if (!listing?.listed)
    return `the wallet provider is not on the EU list of wallet providers: ${listing?.reason ?? 'no list of wallet providers is loaded'}`;
  return undefined;
}
