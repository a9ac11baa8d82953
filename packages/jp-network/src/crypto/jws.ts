import { createHash, createPublicKey, type KeyObject, sign, verify, X509Certificate } from 'node:crypto';
import { KakehashiError, x5cToPem } from '@kakehashi/core';
import type { JpCredential } from '../deps.ts';

const b64u = (b: Buffer | string) => Buffer.from(b).toString('base64url');

function pemToB64(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}

/**
 * A bounded memo of a pure function of a text the parties send again and again (a certificate's PEM: its
 * fingerprint, its public key; a JWS header): the parties of the network present the same few certificates with
 * every request, and parsing one costs more than the HMAC it guards. The oldest entry goes when it is full; a
 * thrown error and an `undefined` result are not kept.
 */
function pemMemo<T>(fn: (pem: string) => T, max = 512): (pem: string) => T {
  const memo = new Map<string, T>();
  return (pem) => {
    let v = memo.get(pem);
    if (v === undefined) {
      v = fn(pem);
      if (memo.size >= max) memo.delete(memo.keys().next().value as string);
      memo.set(pem, v);
    }
    return v;
  };
}

/** SHA-256 fingerprint (hex) of a PEM certificate: how parties pin each other's certificates. */
export const certFingerprint: (pem: string) => string = pemMemo((pem) =>
  new X509Certificate(pem).fingerprint256.replaceAll(':', '').toLowerCase(),
);

const publicKeyOf: (pem: string) => KeyObject = pemMemo((pem) => createPublicKey(pem));

/**
 * Signs `payload` as a compact JWS (RS256) carrying the signer's certificate chain in `x5c`.
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-4.1.6 (x5c)
 */
export function signJws(payload: Record<string, unknown>, cred: JpCredential, typ: string): string {
  const input = `${encodedHeader(cred, typ)}.${b64u(JSON.stringify(payload))}`;
  return `${input}.${b64u(sign('sha256', Buffer.from(input), cred.privateKey))}`;
}

/**
 * The encoded protected header of a signer's JWS of one `typ`, per credential: a party signs every request with
 * the same certificate chain, and encoding it (a few KB of base64 twice) cost more than the rest of the JWS around
 * the signature. Kept with the certificates it was made from, and made again when the credential's change.
 */
const headers = new WeakMap<JpCredential, { certPem: string; chainPem: string[]; byTyp: Map<string, string> }>();
function encodedHeader(cred: JpCredential, typ: string): string {
  let held = headers.get(cred);
  if (
    !held ||
    held.certPem !== cred.certPem ||
    held.chainPem.length !== cred.chainPem.length ||
    held.chainPem.some((pem, i) => pem !== cred.chainPem[i])
  ) {
    held = { certPem: cred.certPem, chainPem: [...cred.chainPem], byTyp: new Map() };
    headers.set(cred, held);
  }
  let encoded = held.byTyp.get(typ);
  if (encoded === undefined) {
    encoded = b64u(JSON.stringify({ alg: 'RS256', typ, x5c: [cred.certPem, ...cred.chainPem].map(pemToB64) }));
    held.byTyp.set(typ, encoded);
  }
  return encoded;
}

export interface VerifiedJws {
  payload: Record<string, unknown>;
  certPem: string;
  chainPem: string[];
}

/** What {@link verifyJwsSignature} reads from a protected header; judged by the caller, never kept as a verdict. */
interface JwsHeader {
  alg: unknown;
  typ: unknown;
  /** The first member refused in a header (`crit`, `jwk`, `jku`, `x5u`), if any. */
  refused: string | undefined;
  /** The `x5c` entries as PEM, `undefined` where one is not base64 (empty when `x5c` is not an array). */
  x5c: readonly (string | undefined)[];
}

/**
 * The reading of a protected header (base64url JSON, the `x5c` chain as PEM), a pure function of its text: a
 * party sends the same header — its certificate chain — with every request, and decoding it cost more than the
 * verification. `undefined` when it is not a JSON object; throws (not kept) when it is not JSON.
 */
const headerOf: (h: string) => JwsHeader | undefined = pemMemo((h) => {
  const header: unknown = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
  if (!header || typeof header !== 'object') return undefined;
  const members = header as Record<string, unknown>;
  return {
    alg: members.alg,
    typ: members.typ,
    refused: ['crit', 'jwk', 'jku', 'x5u'].find((k) => k in members),
    x5c: Object.freeze(Array.isArray(members.x5c) ? members.x5c.map(x5cToPem) : []),
  };
}, 256);

/**
 * Verifies the structure and signature of a compact JWS with the key of its own `x5c` leaf. RS256 only (the
 * algorithm is fixed here, never taken from the header); no `crit`, `jwk`, `jku`, `x5u`. The caller must then
 * pin the leaf certificate and validate its chain — a signature by an embedded key proves nothing alone.
 * @see https://www.rfc-editor.org/rfc/rfc8725#section-3.1
 */
export function verifyJwsSignature(token: string, typ: string): VerifiedJws {
  const fail = (why: string): never => {
    throw new KakehashiError('jp-agency-unauthenticated', `The signature is not acceptable: ${why}.`, {
      rule: 'RFC 7515 / RFC 8725',
    });
  };
  if (typeof token !== 'string' || token.length > 40_000) fail('missing or oversized');
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]+$/.test(p))) fail('not a compact JWS');
  const [h, p, s] = parts as [string, string, string];
  let header: JwsHeader | undefined;
  let payload: Record<string, unknown>;
  try {
    header = headerOf(h);
    payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  } catch {
    return fail('header or payload is not JSON');
  }
  if (!header || !payload || typeof payload !== 'object') fail('not JSON objects');
  const { alg, typ: headerTyp, refused, x5c } = header as JwsHeader;
  if (alg !== 'RS256') fail('alg must be RS256');
  if (headerTyp !== typ) fail(`typ must be ${typ}`);
  if (refused) fail(`header member ${refused} is refused`);
  if (x5c.length === 0 || x5c.length > 4 || x5c.some((x) => x === undefined)) fail('x5c missing or malformed');
  const [certPem, ...chainPem] = x5c as string[];
  let ok = false;
  try {
    ok = verify('sha256', Buffer.from(`${h}.${p}`), publicKeyOf(certPem as string), Buffer.from(s, 'base64url'));
  } catch {
    ok = false;
  }
  if (!ok) fail('the signature does not verify');
  return { payload, certPem: certPem as string, chainPem };
}

/** base64url SHA-256 of a request body: binds a request signature to the exact body sent. */
export function bodyHash(body: string): string {
  return createHash('sha256').update(body).digest('base64url');
}
