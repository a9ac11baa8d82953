import { hash } from 'node:crypto';
import type { Clock, ErrorCode, FaultSwitchboard } from '@kakehashi/core';
import { IDENTITY_CLAIMS } from '../id-token/build-identity-claims.ts';
import type { LenientIdTokenFault } from '../id-token/faults.ts';
import { loaRank } from '../loa/loa.ts';
import { CHECKS, type CheckId, checkDef } from './id-token-checks.ts';
import type { IssuerKeyResolver, IssuerKeys, ReplayCache } from './issuer-keys.ts';
import { type ParsedCompactJwt, type ParseResult, parseCompactJwt } from './parse-compact-jwt.ts';
import {
  embeddedKeyVerification,
  hmacVerification,
  issuerKeyVerification,
  notEvaluatedUnsigned,
  type Recorder,
  show,
} from './verify-id-token-key.ts';
import { verifyJwsSignature } from './verify-jws-signature.ts';
import type { ExpectedIdToken, IdTokenCheck, IdTokenVerdict, ValidatedIdentity } from './z-validation.ts';

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
  /**
   * The component's fault switches: while a `lenient.id-token.*` fault is on (the weak node mode), the defect it
   * names is let through, the check reported `skipped` with the fault's name, and the fault fired (logged, on the
   * trace hop). Absent: strict.
   */
  faults?: Pick<FaultSwitchboard, 'fire'> | undefined;
}

// Order of the P-256 group (ECDSA scalars must lie in [1, n-1]).
const P256_N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

/** Each check's position in CHECKS. */
const CHECK_INDEX = Object.fromEntries(CHECKS.map((c, i) => [c.id, i])) as Record<CheckId, number>;

/** Thrown inside the run to stop at the first failed check. */
class CheckFailed extends Error {}

/**
 * Validates an ID token issued by a node of the federation and returns a verdict with every check (the J-series
 * of the attack catalogue). The token is parsed strictly before any library sees it; the algorithm comes from
 * configuration and from the issuer's key, never from the header; the key is a lookup by kid in the
 * registered issuer's JWKS, whose certificate chain validates against the trust fabric and names the issuer's
 * country. A replayed nonce or jti is refused until the token expires. Only a `lenient.id-token.*` fault switched
 * on at the component relaxes a check (see {@link ValidateIdTokenContext.faults}).
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation (OIDC Core §3.1.3.7)
 * @see https://www.rfc-editor.org/rfc/rfc8725 (JWT Best Current Practices)
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-4.1.11 (crit)
 */
export async function validateIdToken(
  token: string,
  expected: ExpectedIdToken,
  ctx: ValidateIdTokenContext,
): Promise<IdTokenVerdict> {
  return (await validateIdTokenParsed(token, expected, ctx)).verdict;
}

/**
 * {@link validateIdToken}, also returning the token as parsed strictly (J15) for the caller's trace event, so
 * that the service does not parse it a second time.
 */
export async function validateIdTokenParsed(
  token: string,
  expected: ExpectedIdToken,
  ctx: ValidateIdTokenContext,
): Promise<{ verdict: IdTokenVerdict; parsed: ParseResult }> {
  const parsed = parseCompactJwt(token);
  // The checks as the verdict reports them, in CHECKS order, written once each (an array: this runs for every token
  // the service validates).
  const checks: (IdTokenCheck | undefined)[] = new Array(CHECKS.length);
  let failed: CheckId | undefined;
  // A check a fault let through stays reported as such; a later pass or skip does not hide it.
  const record = (id: CheckId, outcome: 'passed' | 'skipped', reason: string) => {
    const i = CHECK_INDEX[id];
    if (checks[i]?.fault !== undefined) return;
    const def = CHECKS[i] as (typeof CHECKS)[number];
    checks[i] = { rule: def.rule, name: def.name, outcome, reason };
  };
  const pass = (id: CheckId, reason: string) => record(id, 'passed', reason);
  const skip = (id: CheckId, reason: string) => record(id, 'skipped', reason);
  const fail = (id: CheckId, reason: string, code?: ErrorCode): never => {
    const def = checkDef(id);
    checks[CHECK_INDEX[id]] = { rule: def.rule, name: def.name, outcome: 'failed', reason, code: code ?? def.code };
    failed = id;
    throw new CheckFailed(reason);
  };
  const failUnless = (id: CheckId, fault: LenientIdTokenFault, reason: string, code?: ErrorCode): void => {
    const def = checkDef(id);
    if (!ctx.faults?.fire(fault, undefined, { check: def.rule, issuer: expected.issuer })) fail(id, reason, code);
    checks[CHECK_INDEX[id]] = {
      rule: def.rule,
      name: def.name,
      outcome: 'skipped',
      reason: `Let through by the fault ${fault} (weak node); strict validation refuses: ${reason}`,
      code: code ?? def.code,
      fault,
    };
  };

  let identity: ValidatedIdentity | undefined;
  try {
    identity = await run(token, parsed, expected, ctx, { pass, skip, fail, failUnless });
  } catch (e) {
    if (!(e instanceof CheckFailed)) throw e;
  }

  for (let i = 0; i < CHECKS.length; i++)
    if (!checks[i]) {
      const def = CHECKS[i] as (typeof CHECKS)[number];
      const reason = `Not evaluated: an earlier check failed (${failed ? checkDef(failed).rule : '?'}).`;
      checks[i] = { rule: def.rule, name: def.name, outcome: 'skipped', reason };
    }
  const all = checks as IdTokenCheck[];
  if (failed) {
    const def = checkDef(failed);
    const r = checks[CHECK_INDEX[failed]] as IdTokenCheck;
    return {
      verdict: { valid: false, checks: all, failure: { rule: def.rule, code: r.code ?? def.code, reason: r.reason } },
      parsed,
    };
  }
  return { verdict: { valid: true, checks: all, ...(identity ? { identity } : {}) }, parsed };
}

async function run(
  token: string,
  parsed: ParseResult,
  expected: ExpectedIdToken,
  ctx: ValidateIdTokenContext,
  r: Recorder,
): Promise<ValidatedIdentity> {
  const allowed = ctx.algorithms ?? DEFAULT_ID_TOKEN_ALGORITHMS;

  // ---- J15: strict parsing before anything else reads the token -----------------------------------------
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
  const unsigned = algName.toLowerCase() === 'none' || jwt.signature.length === 0;
  if (algName.toLowerCase() === 'none')
    r.failUnless(
      'alg-none',
      'lenient.id-token.alg-none',
      `alg ${show(algName)} means unsigned; only ${allowed.join(', ')} are accepted (from configuration).`,
    );
  else if (unsigned)
    r.failUnless('alg-none', 'lenient.id-token.alg-none', 'The signature segment is empty (stripped).');
  r.pass('alg-none', `alg ${algName} with a ${jwt.signature.length}-byte signature.`);

  if ('crit' in header)
    r.failUnless(
      'crit',
      'lenient.id-token.unknown-crit',
      `The header marks ${show(header.crit)} critical; this service understands no JWS extension (RFC 7515 §4.1.11).`,
    );
  r.pass('crit', 'No crit header.');

  const embedded = 'jwk' in header;
  if (embedded)
    r.failUnless(
      'jwk',
      'lenient.id-token.embedded-jwk',
      'The header embeds a jwk: a token never brings its own verification key.',
    );
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
    r.failUnless(
      'typ',
      'lenient.id-token.wrong-typ',
      `typ is ${show(typ)}, an ID token here has typ ${show(expected.typ ?? 'JWT')} (at+jwt is an access token, logout+jwt a logout token).`,
    );
  else if ('events' in payload)
    r.failUnless(
      'typ',
      'lenient.id-token.wrong-typ',
      'The payload has an events claim: this is a logout (or security event) token, not an ID token.',
    );
  r.pass('typ', `typ ${typ as string}, no events claim.`);

  // J10, first half: refuse another issuer before fetching anything (the claim is unverified, refusing is safe).
  if (payload.iss !== expected.issuer)
    r.failUnless(
      'iss',
      'lenient.id-token.wrong-issuer',
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

  // ---- the key, then the signature ------------------------------------------------------------------------
  const verification = unsigned
    ? notEvaluatedUnsigned(r)
    : /^HS/i.test(algName)
      ? hmacVerification(jwt, algName, issuerKeys, allowed, r)
      : embedded
        ? await embeddedKeyVerification(header.jwk, algName, allowed, r)
        : await issuerKeyVerification(token, jwt, algName, issuerKeys, expected.issuer, allowed, r);

  if (verification.kind !== 'unsigned' && algName.startsWith('ES')) {
    const sig = jwt.signature;
    const r_ = sig.length === 64 ? BigInt(`0x${sig.subarray(0, 32).toString('hex')}`) : 0n;
    const s_ = sig.length === 64 ? BigInt(`0x${sig.subarray(32).toString('hex')}`) : 0n;
    if (sig.length !== 64) r.fail('ecdsa', `An ES256 signature is 64 bytes (r ‖ s), this one has ${sig.length}.`);
    if (r_ === 0n || s_ === 0n || r_ >= P256_N || s_ >= P256_N)
      r.fail('ecdsa', 'ECDSA r or s is 0 or not below the group order ("psychic signature", CVE-2022-21449).');
    r.pass('ecdsa', 'r and s in [1, n-1].');
  } else r.skip('ecdsa', `alg ${algName} is not ECDSA.`);

  if (verification.kind === 'key') {
    // A weak node that lets an unknown crit through must also keep jose from refusing it (verifyJwsSignature).
    if (await verifyJwsSignature(token, jwt, verification.key, verification.alg))
      r.pass('signature', `${verification.alg} signature verifies with ${verification.label}.`);
    else
      r.failUnless(
        'signature',
        'lenient.id-token.tampered-payload',
        `The ${verification.alg} signature does not verify with ${verification.label}: the header or payload was altered, or another key signed it.`,
      );
  } else if (verification.kind === 'hmac-public-key') {
    if (verification.verified)
      r.pass('signature', `The ${algName} MAC verifies with the issuer's public key as secret.`);
    else
      r.failUnless(
        'signature',
        'lenient.id-token.tampered-payload',
        `The ${algName} MAC does not verify with the issuer's public key either.`,
      );
  }

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
  const expired = 'lenient.id-token.expired';
  const future = 'lenient.id-token.issued-in-future';
  if (e <= now - skew)
    r.failUnless('time', expired, `Expired ${now - e} s ago (exp ${e}, now ${now}, skew ${skew} s).`);
  if (typeof nbf === 'number' && nbf > now + skew)
    r.failUnless('time', future, `Not valid before ${nbf} (now ${now}, skew ${skew} s).`);
  if (i > now + skew) r.failUnless('time', future, `Issued in the future (iat ${i}, now ${now}, skew ${skew} s).`);
  if (e - i > MAX_ID_TOKEN_LIFETIME_SECONDS)
    r.failUnless('time', expired, `Lifetime exp - iat = ${e - i} s exceeds ${MAX_ID_TOKEN_LIFETIME_SECONDS} s.`);
  if (e < i) r.failUnless('time', expired, 'exp is before iat.');
  if (typeof authTime === 'number' && authTime > now + skew)
    r.failUnless('time', future, `auth_time ${authTime} is in the future.`);
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
  const wrongAudience = 'lenient.id-token.wrong-audience';
  if (!audiences.includes(expected.audience))
    r.failUnless('audience', wrongAudience, `aud ${show(audiences)} does not contain ${show(expected.audience)}.`);
  if (audiences.length > 1 && azp !== expected.audience)
    r.failUnless(
      'audience',
      wrongAudience,
      `aud has extra audiences ${show(audiences.filter((a) => a !== expected.audience))}; then azp must be ${show(expected.audience)} (it is ${show(azp)}).`,
    );
  if (azp !== undefined && azp !== expected.audience)
    r.failUnless('audience', wrongAudience, `azp ${show(azp)} is not ${show(expected.audience)}.`);
  r.pass('audience', `aud contains ${expected.audience}${azp === undefined ? '' : ', azp matches'}.`);

  const acr = payload.acr;
  if (expected.requestedLoa) {
    const have = typeof acr === 'string' ? loaRank(acr) : 0;
    if (have === 0)
      r.failUnless(
        'loa',
        'lenient.id-token.acr-too-low',
        `acr ${show(acr)} is not an eIDAS LoA URI; ${expected.requestedLoa} was requested.`,
      );
    else if (have < loaRank(expected.requestedLoa))
      r.failUnless(
        'loa',
        'lenient.id-token.acr-too-low',
        `acr ${acr as string} is below the requested ${expected.requestedLoa} (LoA downgrade).`,
      );
    r.pass('loa', `acr ${acr as string} meets ${expected.requestedLoa}.`);
  } else r.skip('loa', `No level requested (acr ${show(acr)}).`);

  // J11 last: a token is remembered only once everything else passed (a refused token burns no nonce).
  const nonce = payload.nonce;
  if (expected.nonce !== undefined && nonce !== expected.nonce)
    r.failUnless(
      'replay',
      'lenient.id-token.nonce-mismatch',
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

/** SHA-256, base64url: node:crypto's one-shot hash (no Hash object per replay key). */
function digest(v: string): string {
  return hash('sha256', v, 'base64url');
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
