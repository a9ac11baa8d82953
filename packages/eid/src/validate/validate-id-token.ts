import { createHash, createHmac, createPublicKey, timingSafeEqual } from 'node:crypto';
import type { Clock, ErrorCode } from '@kakehashi/core';
import { compactVerify, importJWK } from 'jose';
import { IDENTITY_CLAIMS } from '../id-token/build-identity-claims.ts';
import { loaRank } from '../loa/loa.ts';
import type { IssuerKey, IssuerKeyResolver, IssuerKeys, ReplayCache } from './issuer-keys.ts';
import { type ParsedCompactJwt, parseCompactJwt } from './parse-compact-jwt.ts';
import type { ExpectedIdToken, IdTokenCheck, IdTokenRule, IdTokenVerdict, ValidatedIdentity } from './z-validation.ts';

/** The algorithms ID tokens may use across borders unless configured otherwise: asymmetric only (J1, J17). */
export const DEFAULT_ID_TOKEN_ALGORITHMS: readonly string[] = ['RS256', 'ES256'];
/** The longest lifetime (`exp - iat`) accepted for an ID token: one day (J8). */
export const MAX_ID_TOKEN_LIFETIME_SECONDS = 86_400;

/** What `validateIdToken` needs besides the token: time, skew, the issuer's keys and the replay cache. */
export interface ValidateIdTokenContext {
  clock: Clock;
  /** Allowed clock skew (configuration `clockSkewSeconds`). */
  clockSkewSeconds: number;
  resolveKeys: IssuerKeyResolver;
  replay: ReplayCache;
  /** Allowed algorithms (configuration, never the header); default RS256 and ES256. */
  algorithms?: readonly string[];
}

type CheckId =
  | 'structure'
  | 'alg-none'
  | 'crit'
  | 'jwk'
  | 'jku'
  | 'typ'
  | 'iss'
  | 'issuer-registered'
  | 'key-confusion'
  | 'symmetric'
  | 'kid'
  | 'alg'
  | 'x5c'
  | 'key-binding'
  | 'ecdsa'
  | 'signature'
  | 'claims'
  | 'time'
  | 'audience'
  | 'loa'
  | 'replay';

/** Every check, in the order it runs; the first failure stops the run and the rest are listed as skipped. */
const CHECKS: readonly { id: CheckId; rule: IdTokenRule; name: string; code: ErrorCode }[] = [
  {
    id: 'structure',
    rule: 'J15',
    name: 'canonical compact serialization, no duplicate JSON members',
    code: 'jwt-malformed',
  },
  { id: 'alg-none', rule: 'J1', name: 'signed (never alg none, signature present)', code: 'jwt-alg-none' },
  { id: 'crit', rule: 'J13', name: 'no critical extension that is not understood', code: 'jwt-unknown-crit' },
  { id: 'jwk', rule: 'J4', name: 'no key embedded in the header (jwk)', code: 'jwt-embedded-key' },
  { id: 'jku', rule: 'J5', name: 'no remote key reference (jku, x5u)', code: 'jwt-remote-key-reference' },
  { id: 'typ', rule: 'J12', name: 'an ID token (typ, no events claim)', code: 'jwt-type-invalid' },
  { id: 'iss', rule: 'J10', name: 'iss is the expected issuer', code: 'jwt-issuer-invalid' },
  {
    id: 'issuer-registered',
    rule: 'issuer-registered',
    name: 'the issuer is a registered node',
    code: 'jwt-issuer-unknown',
  },
  {
    id: 'key-confusion',
    rule: 'J2',
    name: 'the key type fixes the algorithm (no HMAC with a public key)',
    code: 'jwt-key-confusion',
  },
  { id: 'symmetric', rule: 'J17', name: 'no symmetric algorithm across borders', code: 'jwt-symmetric-alg' },
  { id: 'kid', rule: 'J6', name: "kid names a key of the issuer's JWKS", code: 'jwt-unknown-kid' },
  { id: 'alg', rule: 'J3', name: "alg is allowed and is the key's registered algorithm", code: 'jwt-alg-mismatch' },
  { id: 'x5c', rule: 'J7', name: 'certificate chain rooted in the trust fabric', code: 'jwt-untrusted-x5c' },
  { id: 'key-binding', rule: 'J10', name: "the key is certified for the issuer's country", code: 'jwt-issuer-invalid' },
  { id: 'ecdsa', rule: 'J14', name: 'ECDSA signature scalars in range (no r = s = 0)', code: 'jwt-signature-invalid' },
  {
    id: 'signature',
    rule: 'J15',
    name: 'signature verifies over header and payload (no tampering)',
    code: 'jwt-signature-invalid',
  },
  {
    id: 'claims',
    rule: 'claims',
    name: 'required claims present (iss, sub, aud, exp, iat)',
    code: 'jwt-claims-invalid',
  },
  {
    id: 'time',
    rule: 'J8',
    name: 'exp, nbf, iat, auth_time and lifetime on the virtual clock',
    code: 'jwt-time-invalid',
  },
  {
    id: 'audience',
    rule: 'J9',
    name: 'aud contains the client, azp when several audiences',
    code: 'jwt-audience-invalid',
  },
  { id: 'loa', rule: 'J16', name: 'acr at least the requested level of assurance', code: 'jwt-loa-insufficient' },
  { id: 'replay', rule: 'J11', name: 'nonce matches; nonce and jti not seen before', code: 'jwt-replay' },
];

// Order of the P-256 group (ECDSA scalars must lie in [1, n-1]).
const P256_N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

const show = (v: unknown) => JSON.stringify(typeof v === 'string' ? v.slice(0, 60) : v) ?? 'undefined';

/** Thrown inside the run to stop at the first failed check. */
class CheckFailed extends Error {}

/**
 * Validates an ID token issued by a node of the federation and returns a verdict with every check (the J-series
 * of the attack catalogue). The token is parsed strictly before any library sees it; the algorithm comes from
 * configuration and from the issuer's key, never from the header; the key is a lookup by kid in the
 * registered issuer's JWKS, whose certificate chain validates against the trust fabric and names the issuer's
 * country. A replayed nonce or jti is refused until the token expires.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation (OIDC Core §3.1.3.7)
 * @see https://www.rfc-editor.org/rfc/rfc8725 (JWT Best Current Practices)
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-4.1.11 (crit)
 */
/** Imported verification keys, per resolved key object (a refetched JWKS gives new objects, so no staleness). */
const IMPORTED = new WeakMap<IssuerKey, ReturnType<typeof importJWK>>();
function importedKey(key: IssuerKey): ReturnType<typeof importJWK> {
  let k = IMPORTED.get(key);
  if (!k) {
    k = importJWK(key.jwk, key.alg);
    IMPORTED.set(key, k);
  }
  return k;
}

export async function validateIdToken(
  token: string,
  expected: ExpectedIdToken,
  ctx: ValidateIdTokenContext,
): Promise<IdTokenVerdict> {
  const results = new Map<CheckId, Omit<IdTokenCheck, 'rule' | 'name'>>();
  let failed: CheckId | undefined;
  const pass = (id: CheckId, reason: string) => results.set(id, { outcome: 'passed', reason });
  const skip = (id: CheckId, reason: string) => results.set(id, { outcome: 'skipped', reason });
  const fail = (id: CheckId, reason: string, code?: ErrorCode): never => {
    const def = CHECKS.find((c) => c.id === id) as (typeof CHECKS)[number];
    results.set(id, { outcome: 'failed', reason, code: code ?? def.code });
    failed = id;
    throw new CheckFailed(reason);
  };

  let identity: ValidatedIdentity | undefined;
  try {
    identity = await run(token, expected, ctx, { pass, skip, fail });
  } catch (e) {
    if (!(e instanceof CheckFailed)) throw e;
  }

  const checks: IdTokenCheck[] = CHECKS.map((def) => {
    const r = results.get(def.id) ?? {
      outcome: 'skipped' as const,
      reason: `Not evaluated: an earlier check failed (${failed ? CHECKS.find((c) => c.id === failed)?.rule : '?'}).`,
    };
    return { rule: def.rule, name: def.name, ...r };
  });
  if (failed) {
    const def = CHECKS.find((c) => c.id === failed) as (typeof CHECKS)[number];
    const r = results.get(failed) as { reason: string; code?: ErrorCode };
    return { valid: false, checks, failure: { rule: def.rule, code: r.code ?? def.code, reason: r.reason } };
  }
  return { valid: true, checks, ...(identity ? { identity } : {}) };
}

interface Recorder {
  pass(id: CheckId, reason: string): void;
  skip(id: CheckId, reason: string): void;
  fail(id: CheckId, reason: string, code?: ErrorCode): never;
}

async function run(
  token: string,
  expected: ExpectedIdToken,
  ctx: ValidateIdTokenContext,
  r: Recorder,
): Promise<ValidatedIdentity> {
  const allowed = ctx.algorithms ?? DEFAULT_ID_TOKEN_ALGORITHMS;

  // ---- J15: strict parsing before anything else reads the token -----------------------------------------
  const parsed = parseCompactJwt(token);
  if (!parsed.ok) return r.fail('structure', parsed.reason);
  const jwt: ParsedCompactJwt = parsed.jwt;
  const { header, payload } = jwt;
  r.pass(
    'structure',
    'Three canonical base64url segments; header and payload are JSON objects without duplicate members.',
  );

  // ---- header ------------------------------------------------------------------------------------------
  const alg = header.alg;
  if (typeof alg !== 'string' || alg === '') r.fail('alg-none', 'The header has no alg.');
  const algName = alg as string;
  if (algName.toLowerCase() === 'none')
    r.fail(
      'alg-none',
      `alg ${show(algName)} means unsigned; only ${allowed.join(', ')} are accepted (from configuration).`,
    );
  if (jwt.signature.length === 0) r.fail('alg-none', 'The signature segment is empty (stripped).');
  r.pass('alg-none', `alg ${algName} with a ${jwt.signature.length}-byte signature.`);

  if ('crit' in header)
    r.fail(
      'crit',
      `The header marks ${show(header.crit)} critical; this service understands no JWS extension (RFC 7515 §4.1.11).`,
    );
  r.pass('crit', 'No crit header.');

  if ('jwk' in header) r.fail('jwk', 'The header embeds a jwk: a token never brings its own verification key.');
  r.pass('jwk', 'No embedded jwk.');

  for (const p of ['jku', 'x5u'] as const)
    if (p in header)
      r.fail(
        'jku',
        `The header carries ${p} ${show(header[p])}: remote keys are never fetched; keys come from the registered issuer's JWKS.`,
      );
  r.pass('jku', 'No jku or x5u.');

  const wantTyp = (expected.typ ?? 'JWT').toLowerCase();
  const typ = header.typ;
  if (typeof typ !== 'string' || typ.toLowerCase() !== wantTyp)
    r.fail(
      'typ',
      `typ is ${show(typ)}, an ID token here has typ ${show(expected.typ ?? 'JWT')} (at+jwt is an access token, logout+jwt a logout token).`,
    );
  if ('events' in payload)
    r.fail('typ', 'The payload has an events claim: this is a logout (or security event) token, not an ID token.');
  r.pass('typ', `typ ${typ as string}, no events claim.`);

  // J10, first half: refuse another issuer before fetching anything (the claim is unverified, refusing is safe).
  if (payload.iss !== expected.issuer)
    r.fail(
      'iss',
      `iss is ${show(payload.iss)}, expected ${show(expected.issuer)}: a token from another node is not accepted here.`,
    );
  r.pass('iss', `iss is ${expected.issuer} (verified with the signature below).`);

  // ---- the issuer's keys ------------------------------------------------------------------------------
  let issuerKeys: IssuerKeys | undefined;
  try {
    issuerKeys = await ctx.resolveKeys(expected.issuer, typeof header.kid === 'string' ? header.kid : undefined);
  } catch (e) {
    r.fail(
      'issuer-registered',
      `The keys of ${expected.issuer} could not be fetched: ${e instanceof Error ? e.message.slice(0, 160) : 'error'}.`,
      'jwt-issuer-keys-unavailable',
    );
  }
  if (!issuerKeys)
    return r.fail(
      'issuer-registered',
      `${show(expected.issuer)} is not the oidcIssuer of any registered node (GET /registry/nodes on the hub).`,
    );
  r.pass(
    'issuer-registered',
    `${expected.issuer} is the issuer of node ${issuerKeys.country} (${issuerKeys.keys.size} keys).`,
  );

  const kid = header.kid;
  const named = typeof kid === 'string' ? issuerKeys.keys.get(kid) : undefined;

  if (/^HS/i.test(algName)) {
    if (named)
      r.fail(
        'key-confusion',
        `alg ${algName} names the ${named.alg} key ${show(named.kid)}: the key type fixes the algorithm (key confusion).`,
      );
    if (hmacWithPublicKey(jwt, algName, issuerKeys))
      r.fail('key-confusion', `The ${algName} MAC is keyed with the issuer's public key (key confusion).`);
    r.pass('key-confusion', `alg ${algName} names no key of the issuer.`);
    r.fail(
      'symmetric',
      `alg ${algName} is symmetric: a shared secret cannot prove a node's identity across borders; only ${allowed.join(', ')}.`,
    );
  }
  r.pass('key-confusion', `alg ${algName} is asymmetric.`);
  r.pass('symmetric', `alg ${algName} is not an HMAC.`);

  let key: IssuerKey | undefined = named;
  if (kid === undefined && issuerKeys.keys.size === 1) key = [...issuerKeys.keys.values()][0];
  if (!key)
    return r.fail(
      'kid',
      kid === undefined
        ? `The header has no kid and the issuer publishes ${issuerKeys.keys.size} keys (OIDC Core §10.1 requires a kid then).`
        : `kid ${show(kid)} is not a key of ${expected.issuer}'s JWKS.`,
    );
  r.pass('kid', `kid ${key.kid} (${key.alg}).`);

  if (!allowed.includes(algName))
    r.fail('alg', `alg ${show(algName)} is not allowed: ${allowed.join(', ')} (configuration).`);
  if (algName !== key.alg)
    r.fail(
      'alg',
      `alg ${algName} in the header, but key ${show(key.kid)} is registered for ${key.alg}: no algorithm substitution.`,
    );
  r.pass('alg', `alg ${algName} is allowed and is the key's algorithm.`);

  if ('x5c' in header) {
    const x5c = header.x5c;
    const same =
      Array.isArray(x5c) &&
      key.x5c !== undefined &&
      x5c.length === key.x5c.length &&
      x5c.every((c, i) => c === key.x5c?.[i]);
    if (!same)
      r.fail(
        'x5c',
        "The header carries an x5c chain that is not the issuer's registered chain for this key (self-signed or not rooted in the trust fabric).",
      );
  }
  if (key.certificate && !key.certificate.valid)
    r.fail(
      'x5c',
      `The certificate of key ${show(key.kid)} does not validate against the trust fabric: ${key.certificate.reason}`,
    );
  r.pass(
    'x5c',
    key.certificate
      ? `Key certificate valid: ${key.certificate.reason}`
      : "No x5c; the key comes from the registered issuer's JWKS.",
  );

  if (key.certificate && key.certificate.country !== issuerKeys.country)
    r.fail(
      'key-binding',
      `Key ${show(key.kid)} is certified for ${show(key.certificate.country)}, but ${expected.issuer} is node ${issuerKeys.country}'s issuer.`,
    );
  r.pass(
    'key-binding',
    key.certificate
      ? `Certified for ${issuerKeys.country}.`
      : `Published in the JWKS of node ${issuerKeys.country}'s issuer.`,
  );

  // ---- signature ------------------------------------------------------------------------------------------
  if (algName.startsWith('ES')) {
    const sig = jwt.signature;
    const r_ = sig.length === 64 ? BigInt(`0x${sig.subarray(0, 32).toString('hex')}`) : 0n;
    const s_ = sig.length === 64 ? BigInt(`0x${sig.subarray(32).toString('hex')}`) : 0n;
    if (sig.length !== 64) r.fail('ecdsa', `An ES256 signature is 64 bytes (r ‖ s), this one has ${sig.length}.`);
    if (r_ === 0n || s_ === 0n || r_ >= P256_N || s_ >= P256_N)
      r.fail('ecdsa', 'ECDSA r or s is 0 or not below the group order ("psychic signature", CVE-2022-21449).');
    r.pass('ecdsa', 'r and s in [1, n-1].');
  } else r.skip('ecdsa', `alg ${algName} is not ECDSA.`);

  try {
    await compactVerify(token, await importedKey(key), { algorithms: [key.alg] });
  } catch {
    r.fail(
      'signature',
      `The ${key.alg} signature does not verify with key ${show(key.kid)}: the header or payload was altered, or another key signed it.`,
    );
  }
  r.pass('signature', `${key.alg} signature verifies with key ${key.kid}.`);

  // ---- claims (verified from here on) ---------------------------------------------------------------------
  const { sub, exp, iat, aud, nbf, azp } = payload;
  const authTime = payload.auth_time;
  const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 255)
    r.fail('claims', 'sub must be a non-empty string of at most 255 characters.');
  if (!num(exp) || !num(iat)) r.fail('claims', 'exp and iat must be NumericDates.');
  const audList =
    typeof aud === 'string'
      ? [aud]
      : Array.isArray(aud) && aud.every((a) => typeof a === 'string')
        ? (aud as string[])
        : undefined;
  if (!audList || audList.length === 0) r.fail('claims', 'aud must be a string or an array of strings.');
  for (const n of ['nbf', 'auth_time'] as const)
    if (payload[n] !== undefined && !num(payload[n])) r.fail('claims', `${n} must be a NumericDate.`);
  r.pass('claims', 'iss, sub, aud, exp and iat present with their types.');

  const now = Math.floor(ctx.clock.nowMs() / 1000);
  const skew = ctx.clockSkewSeconds;
  const e = exp as number;
  const i = iat as number;
  if (e <= now - skew) r.fail('time', `Expired ${now - e} s ago (exp ${e}, now ${now}, skew ${skew} s).`);
  if (typeof nbf === 'number' && nbf > now + skew)
    r.fail('time', `Not valid before ${nbf} (now ${now}, skew ${skew} s).`);
  if (i > now + skew) r.fail('time', `Issued in the future (iat ${i}, now ${now}, skew ${skew} s).`);
  if (e - i > MAX_ID_TOKEN_LIFETIME_SECONDS)
    r.fail('time', `Lifetime exp - iat = ${e - i} s exceeds ${MAX_ID_TOKEN_LIFETIME_SECONDS} s.`);
  if (e < i) r.fail('time', 'exp is before iat.');
  if (typeof authTime === 'number' && authTime > now + skew) r.fail('time', `auth_time ${authTime} is in the future.`);
  if (expected.maxAgeSeconds !== undefined) {
    if (typeof authTime !== 'number') r.fail('time', 'maxAgeSeconds was requested but the token has no auth_time.');
    if ((authTime as number) + expected.maxAgeSeconds < now - skew)
      r.fail(
        'time',
        `The authentication is ${now - (authTime as number)} s old, more than max_age ${expected.maxAgeSeconds} s.`,
      );
  }
  r.pass('time', `Valid for ${e - now} s more (skew ${skew} s); lifetime ${e - i} s.`);

  const audiences = audList as string[];
  if (!audiences.includes(expected.audience))
    r.fail('audience', `aud ${show(audiences)} does not contain ${show(expected.audience)}.`);
  if (audiences.length > 1 && azp !== expected.audience)
    r.fail(
      'audience',
      `aud has extra audiences ${show(audiences.filter((a) => a !== expected.audience))}; then azp must be ${show(expected.audience)} (it is ${show(azp)}).`,
    );
  if (azp !== undefined && azp !== expected.audience)
    r.fail('audience', `azp ${show(azp)} is not ${show(expected.audience)}.`);
  r.pass('audience', `aud contains ${expected.audience}${azp === undefined ? '' : ', azp matches'}.`);

  const acr = payload.acr;
  if (expected.requestedLoa) {
    const have = typeof acr === 'string' ? loaRank(acr) : 0;
    if (have === 0) r.fail('loa', `acr ${show(acr)} is not an eIDAS LoA URI; ${expected.requestedLoa} was requested.`);
    if (have < loaRank(expected.requestedLoa))
      r.fail('loa', `acr ${acr as string} is below the requested ${expected.requestedLoa} (LoA downgrade).`);
    r.pass('loa', `acr ${acr as string} meets ${expected.requestedLoa}.`);
  } else r.skip('loa', `No level requested (acr ${show(acr)}).`);

  // J11 last: a token is remembered only once everything else passed (a refused token burns no nonce).
  const nonce = payload.nonce;
  if (expected.nonce !== undefined && nonce !== expected.nonce)
    r.fail(
      'replay',
      nonce === undefined
        ? 'The token has no nonce, one was expected.'
        : 'nonce does not match the one sent in the authorization request.',
    );
  if (nonce !== undefined && typeof nonce !== 'string') r.fail('replay', 'nonce must be a string.');
  const jti = payload.jti;
  if (jti !== undefined && typeof jti !== 'string') r.fail('replay', 'jti must be a string.');
  const replayKeys: string[] = [];
  if (typeof nonce === 'string') replayKeys.push(`nonce:${digest(`${nonce}\u0000${sub as string}`)}`);
  if (typeof jti === 'string') replayKeys.push(`jti:${digest(jti)}`);
  for (const k of replayKeys)
    if (ctx.replay.seen(expected.issuer, k))
      r.fail(
        'replay',
        `This ${k.split(':')[0]} was already presented (replay); it is remembered until the token expires.`,
      );
  for (const k of replayKeys) ctx.replay.remember(expected.issuer, k, e + skew);
  if (replayKeys.length === 0) r.skip('replay', 'No nonce or jti to track, none expected.');
  else r.pass('replay', `${typeof nonce === 'string' ? 'nonce' : 'jti'} first seen; remembered until exp.`);

  return extractIdentity(payload, issuerKeys);
}

function digest(v: string): string {
  return createHash('sha256').update(v, 'utf8').digest('base64url');
}

/** Would an HMAC keyed with an encoding of one of the issuer's public keys produce this signature? (J2) */
function hmacWithPublicKey(jwt: ParsedCompactJwt, alg: string, keys: IssuerKeys): boolean {
  const hash = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' }[alg.toUpperCase()];
  if (!hash) return false;
  for (const k of keys.keys.values()) {
    let pem: string;
    try {
      pem = createPublicKey({ key: k.jwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string;
    } catch {
      continue;
    }
    for (const secret of [pem, pem.trim(), JSON.stringify(k.jwk)]) {
      const mac = createHmac(hash, secret).update(jwt.signingInput).digest();
      if (mac.length === jwt.signature.length && timingSafeEqual(mac, jwt.signature)) return true;
    }
  }
  return false;
}

/** The identity claims the provider releases, plus the LoA reached. */
const IDENTITY_STRINGS = [...IDENTITY_CLAIMS, 'acr'] as const;

function extractIdentity(payload: Record<string, unknown>, issuer: IssuerKeys): ValidatedIdentity {
  const identity: ValidatedIdentity = { issuer: issuer.issuer, country: issuer.country, sub: payload.sub as string };
  for (const k of IDENTITY_STRINGS) if (typeof payload[k] === 'string') identity[k] = payload[k] as string;
  if (Array.isArray(payload.amr) && payload.amr.every((a) => typeof a === 'string'))
    identity.amr = payload.amr as string[];
  if (typeof payload.auth_time === 'number') identity.auth_time = payload.auth_time;
  return identity;
}
