import type { KeyObject } from 'node:crypto';
import { StatusList } from '@sd-jwt/jwt-status-list';
import { TextMemo } from '../crypto/text-memo.ts';
import { b64urlJson, jwsHeader, verifyEs256 } from '../crypto/verify-es256.ts';

/** A credential valid longer than this must carry a status (ARF VCR_01b: 24 hours). */
const STATUS_REQUIRED_AFTER_SECONDS = 24 * 3600;
/** The most a verifier reads of a status list token. */
const MAX_TOKEN_BYTES = 64 * 1024;
/** Decoded lists kept (by their compressed form): the token is verified each time, the list decoded once. */
const MAX_DECODED = 4;
const DECODED = new Map<string, StatusList>();

/** The list of a verified token's `status_list` (`bits`, `lst`), decoded once per compressed form (the oldest go). */
function decodedList(ref: { bits?: unknown; lst?: unknown } | undefined): StatusList {
  if (!ref || typeof ref.lst !== 'string' || ![1, 2, 4, 8].includes(ref.bits as number)) throw new Error('list');
  const key = `${ref.bits as number}:${ref.lst}`;
  let list = DECODED.get(key);
  if (!list) {
    list = StatusList.decompressStatusList(ref.lst, ref.bits as 1 | 2 | 4 | 8);
    DECODED.set(key, list);
    for (const k of DECODED.keys()) if (DECODED.size > MAX_DECODED) DECODED.delete(k);
  }
  return list;
}

/** What a status list token says once its signature verified: its list, its `sub` and `exp`. */
interface VerifiedListToken {
  /** The certificate (x5c entry, base64 DER) whose key verified the token: the one its header names. */
  x5cLeaf: string;
  /** That certificate's public key, as the caller passed it. */
  key: KeyObject;
  claims: { sub?: unknown; exp?: unknown; status_list?: { bits?: unknown; lst?: unknown } };
}
/**
 * Verified tokens kept (by their exact text, found by comparison: {@link TextMemo}; the oldest go): an issuer serves
 * the same token until the list changes.
 */
const MAX_VERIFIED = 16;
const VERIFIED = new TextMemo<VerifiedListToken>(MAX_VERIFIED);

/**
 * The token's header and signature checked once per token text: `statuslist+jwt`, ES256, its x5c leaf the
 * credential's, the ES256 signature by that leaf's key. What is kept is decided by the token's bytes and the
 * certificate alone, so it is looked up by the text and used only for the same certificate and key; the claims
 * that depend on the request and the time (`sub`, `exp`) are checked by the caller every time. Throws when the
 * token fails.
 */
async function verifiedListToken(token: string, x5cLeaf: string, leafKey: KeyObject): Promise<VerifiedListToken> {
  const kept = VERIFIED.get(token);
  if (kept && kept.x5cLeaf === x5cLeaf && (kept.key === leafKey || kept.key.equals(leafKey))) return kept;
  const header = jwsHeader(token);
  if (header.typ !== 'statuslist+jwt' || header.alg !== 'ES256') throw new Error('typ');
  if (!Array.isArray(header.x5c) || header.x5c[0] !== x5cLeaf) throw new Error('x5c');
  if (!(await verifyEs256(token, leafKey))) throw new Error('signature');
  const claims = b64urlJson(token.split('.')[1] ?? '');
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) throw new Error('claims');
  const v: VerifiedListToken = { x5cLeaf, key: leafKey, claims: claims as VerifiedListToken['claims'] };
  VERIFIED.set(token, v);
  return v;
}

/** Origins by URL text (emptied when it holds this many): a credential names one of its issuer's few lists. */
const ORIGINS_MAX = 256;
const ORIGINS = new Map<string, string | undefined>();
/** The origin of a URL, undefined when it is none; parsed once per text. */
function originOf(url: string): string | undefined {
  if (ORIGINS.has(url)) return ORIGINS.get(url);
  let origin: string | undefined;
  try {
    origin = new URL(url).origin;
  } catch {
    origin = undefined;
  }
  if (ORIGINS.size >= ORIGINS_MAX) ORIGINS.clear();
  ORIGINS.set(url, origin);
  return origin;
}

/**
 * The W15 check: the credential's entry in its issuer's Token Status List. The list is fetched only from the
 * issuer's own origin (no request to an address the credential chose elsewhere), must be a `statuslist+jwt` signed
 * by the very certificate that signed the credential, name its own URI as `sub`, be unexpired, and say 0 (valid)
 * at the credential's index. Returns undefined when the status is valid, else why not. The list is fetched for every
 * credential; a token already verified (the same text, the same certificate) is not verified again, its `sub` and
 * `exp` are checked each time.
 * @see https://www.ietf.org/archive/id/draft-ietf-oauth-status-list-20.html#section-8.3
 */
export async function checkStatus(opts: {
  payload: Record<string, unknown>;
  issuer: string;
  /** The public key of the certificate that signed the credential (`x5cLeaf`). */
  leaf: KeyObject;
  x5cLeaf: string;
  nowS: number;
  skewSeconds: number;
  fetcher: typeof fetch;
}): Promise<string | undefined> {
  const ref = (opts.payload.status as { status_list?: { idx?: unknown; uri?: unknown } } | undefined)?.status_list;
  if (!ref) {
    const lifetime = Number(opts.payload.exp) - Number(opts.payload.iat ?? opts.payload.nbf ?? opts.nowS);
    return lifetime > STATUS_REQUIRED_AFTER_SECONDS
      ? 'The credential is valid for more than 24 h but names no status list (VCR_01b).'
      : undefined;
  }
  const { idx, uri } = ref;
  if (typeof idx !== 'number' || !Number.isInteger(idx) || idx < 0 || typeof uri !== 'string')
    return 'status.status_list needs an integer idx and a uri (TSL §6.2).';
  const sameOrigin = originOf(uri) !== undefined && originOf(uri) === originOf(opts.issuer);
  if (!sameOrigin) return `The status list ${uri.slice(0, 120)} is not at the issuer's origin: not fetched.`;
  let token: string;
  try {
    const res = await opts.fetcher(uri, { headers: { accept: 'application/statuslist+jwt' } });
    token = (await res.text()).trim();
    if (!res.ok || token.length > MAX_TOKEN_BYTES) throw new Error(String(res.status));
  } catch {
    return `The status list ${uri} could not be fetched: the status is unknown, so the credential is not accepted.`;
  }
  let claims: VerifiedListToken['claims'] = {};
  try {
    claims = (await verifiedListToken(token, opts.x5cLeaf, opts.leaf)).claims;
    if (claims.sub !== uri) throw new Error('sub');
    if (typeof claims.exp === 'number' && claims.exp + opts.skewSeconds < opts.nowS) throw new Error('exp');
  } catch {
    return `The status list ${uri} is not a current statuslist+jwt signed by the credential's own certificate.`;
  }
  let status: number;
  try {
    status = decodedList(claims.status_list).getStatus(idx);
  } catch {
    return `The status list has no entry ${idx} (TSL §8.3: an index out of range is refused).`;
  }
  if (status === 0) return undefined;
  return status === 2
    ? `The credential is suspended (status list entry ${idx}).`
    : `The credential is revoked (status list entry ${idx} = ${status}).`;
}
