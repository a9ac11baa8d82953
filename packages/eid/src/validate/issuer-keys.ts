import type { JWK } from 'jose';

/** One verification key of an issuer, as its JWKS publishes it, with what the service verified about it. */
export interface IssuerKey {
  kid: string;
  /** The key's registered algorithm (`RS256`, `ES256`): the only one it verifies (J3). */
  alg: string;
  /** The public JWK (no private members). */
  jwk: JWK;
  /** The JWK's `x5c` chain (base64 DER), when it has one. */
  x5c?: string[];
  /** The verdict on that chain against the component's trust view (J7) and its country (J10). */
  certificate?: { valid: boolean; country?: string | undefined; reason: string };
}

/** A registered issuer and its verification keys (a fixed map by kid: J6). */
export interface IssuerKeys {
  issuer: string;
  /** The country of the registered node whose `oidcIssuer` this is. */
  country: string;
  keys: ReadonlyMap<string, IssuerKey>;
}

/**
 * Resolves an issuer to its keys: `undefined` when it is not a registered node's issuer; throws when its JWKS
 * cannot be fetched. With `kid`, a cached key set that lacks it is fetched again (an issuer rotated its keys),
 * at most once per `JWKS_MIN_REFETCH_SECONDS`.
 */
export type IssuerKeyResolver = (issuer: string, kid?: string) => Promise<IssuerKeys | undefined>;

/** Remembers the nonces and jtis seen, until the token expires (J11). */
export interface ReplayCache {
  /** True when `key` was already seen for `issuer` (and is not yet purged). */
  seen(issuer: string, key: string): boolean;
  /** Records `key` for `issuer` until `expiresAt` (seconds). */
  remember(issuer: string, key: string, expiresAt: number): void;
}
