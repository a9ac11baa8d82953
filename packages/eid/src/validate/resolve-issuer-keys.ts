import { type CertificateVerdict, type Clock, KakehashiError, x5cToPem } from '@kakehashi/core';
import type { JWK } from 'jose';
import type { IssuerKey, IssuerKeyResolver, IssuerKeys } from './issuer-keys.ts';

/** How long a fetched JWKS is reused, on the virtual clock. */
export const JWKS_CACHE_SECONDS = 300;
/**
 * A key set that lacks the token's `kid` is fetched again (key rotation), but not more often than this: an
 * attacker sending made-up kids must not turn the validator into a request amplifier against the issuer (J6).
 */
export const JWKS_MIN_REFETCH_SECONDS = 10;
/** How long fetching an issuer's JWKS may take (real time): an issuer that hangs fails J6 instead of the request. */
export const JWKS_FETCH_TIMEOUT_MS = 10_000;

/** A registered issuer: the node's country and where its keys are. */
export interface RegisteredIssuer {
  country: string;
  jwksUri: string;
}

export interface IssuerKeyResolverDeps {
  clock: Clock;
  /** The registered node whose `oidcIssuer` this is, or undefined. */
  resolveIssuer: (
    issuer: string,
    fetcher: typeof fetch,
  ) => Promise<RegisteredIssuer | undefined> | RegisteredIssuer | undefined;
  /** The component's trust view. */
  validateCertificate: (
    certPem: string,
    chainPem: string[],
    opts: { at: Date; usage?: string[] },
  ) => CertificateVerdict;
}

/**
 * Resolves a registered issuer to its keys: fetches its `/oidc/jwks` (cached {@link JWKS_CACHE_SECONDS} on the
 * virtual clock), keeps only public asymmetric keys with a kid and an alg, and validates each `x5c` chain
 * against the component's trust view (usage digitalSignature), noting the certificate's country so keys are
 * bound to their issuer (J10).
 * @see https://openid.net/specs/openid-connect-core-1_0.html#Signing (OIDC Core §10.1)
 */
export function createIssuerKeyResolver(deps: IssuerKeyResolverDeps): (fetcher: typeof fetch) => IssuerKeyResolver {
  const cache = new Map<string, { at: number; keys: IssuerKeys }>();
  return (fetcher) => async (issuer, kid) => {
    const registered = await deps.resolveIssuer(issuer, fetcher);
    if (!registered) return undefined;
    const now = deps.clock.nowMs();
    const hit = cache.get(issuer);
    const fresh =
      hit && hit.at <= now && now - hit.at < JWKS_CACHE_SECONDS * 1000 && hit.keys.country === registered.country;
    const knowsKid = kid === undefined || hit?.keys.keys.has(kid) === true;
    if (hit && fresh && (knowsKid || now - hit.at < JWKS_MIN_REFETCH_SECONDS * 1000)) return hit.keys;
    const res = await fetcher(registered.jwksUri, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(JWKS_FETCH_TIMEOUT_MS),
    }).catch((cause: unknown) => {
      const timedOut = cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError');
      throw new KakehashiError(
        'jwt-issuer-keys-unavailable',
        `GET ${registered.jwksUri} ${timedOut ? `did not answer within ${JWKS_FETCH_TIMEOUT_MS} ms` : 'failed (unreachable)'}`,
        { cause },
      );
    });
    if (!res.ok)
      throw new KakehashiError('jwt-issuer-keys-unavailable', `GET ${registered.jwksUri} answered ${res.status}.`);
    const body = (await res.json()) as { keys?: unknown };
    if (!Array.isArray(body.keys))
      throw new KakehashiError('jwt-issuer-keys-unavailable', `${registered.jwksUri} is not a JWK Set.`);
    const keys = new Map<string, IssuerKey>();
    for (const raw of body.keys as JWK[]) {
      if (typeof raw !== 'object' || raw === null || typeof raw.kid !== 'string' || typeof raw.alg !== 'string')
        continue;
      if (raw.kty === 'oct' || 'd' in raw || keys.has(raw.kid)) continue;
      const key: IssuerKey = { kid: raw.kid, alg: raw.alg, jwk: raw };
      if (Array.isArray(raw.x5c) && raw.x5c.length > 0) {
        key.x5c = raw.x5c;
        const pems = raw.x5c.map(x5cToPem);
        const [leaf, ...chain] = pems;
        if (!leaf || pems.some((p) => p === undefined))
          key.certificate = { valid: false, reason: 'The x5c chain has a malformed entry.' };
        else {
          const v = deps.validateCertificate(leaf, chain as string[], {
            at: deps.clock.now(),
            usage: ['digitalSignature'],
          });
          key.certificate = {
            valid: v.valid,
            country: v.country,
            reason: v.valid
              ? `chain to ${v.anchor ?? 'a trust anchor'} (serial ${v.serialHex ?? '?'})`
              : `${v.failure?.code ?? 'invalid'}: ${v.failure?.reason ?? 'the chain does not validate'}`,
          };
        }
      }
      keys.set(raw.kid, key);
    }
    const resolved: IssuerKeys = { issuer, country: registered.country, keys };
    cache.set(issuer, { at: now, keys: resolved });
    return resolved;
  };
}
