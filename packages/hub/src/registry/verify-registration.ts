import {
  type Check,
  type ErrorCode,
  KakehashiError,
  type NodeMetadata,
  NodeMetadataSchema,
  x5cToPem,
} from '@kakehashi/core';
import { compactVerify, decodeProtectedHeader, importX509 } from 'jose';
import type { CertificateVerdict, HubTrust } from '../trust/hub-trust.ts';

export interface VerifiedRegistration {
  metadata: NodeMetadata;
  certificate: CertificateVerdict;
  /** Every check made, in order (core's shared check shape; a failed one names its code). */
  checks: Check[];
}

/** Only asymmetric, configured algorithms: the header never chooses the key or the algorithm family. */
const ALLOWED_ALGS = ['RS256', 'PS256'];

/**
 * Verifies signed node metadata: JWS structure and algorithm, the signing certificate (`x5c`) against the
 * trust fabric on the virtual clock (chain, validity, key usage, CRL), the signature with that certificate's
 * key, the metadata schema, its freshness, and that the country it claims is the country its certificate
 * was issued for.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-4.1.6 (x5c)
 * @see https://www.rfc-editor.org/rfc/rfc8725#section-3.1 (algorithm verification)
 */
export async function verifyRegistration(
  signedMetadata: string,
  ctx: { trust: HubTrust; nowMs: number; maxAgeSeconds: number; skewSeconds: number },
): Promise<VerifiedRegistration> {
  const checks: Check[] = [];
  const fail = (code: ErrorCode, rule: string, reason: string): never => {
    checks.push({ rule, outcome: 'failed', reason, code });
    throw new KakehashiError(code, reason, { rule, extra: { checks } });
  };
  const pass = (rule: string, reason: string) => checks.push({ rule, outcome: 'passed', reason });

  const parts = signedMetadata.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) {
    fail(
      'registration-unsigned',
      'jws-format',
      'signedMetadata must be a compact JWS (three base64url parts separated by dots).',
    );
  }
  if (parts[2] === '') fail('registration-unsigned', 'jws-signature-present', 'The metadata carries no signature.');

  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(signedMetadata);
  } catch {
    return fail('registration-unsigned', 'jws-header', 'The JWS protected header is not valid base64url JSON.');
  }
  if (!header.alg || !ALLOWED_ALGS.includes(header.alg)) {
    fail(
      'registration-signature-invalid',
      'jws-alg',
      // Described, never stringified: a header is attacker JSON, and String() of a deeply nested array overflows the stack.
      typeof header.alg === 'string'
        ? `Algorithm "${header.alg.slice(0, 20)}" is not accepted; sign with ${ALLOWED_ALGS.join(' or ')}.`
        : `Algorithm is not a string (${Array.isArray(header.alg) ? 'an array' : typeof header.alg}); sign with ${ALLOWED_ALGS.join(' or ')}.`,
    );
  }
  if (header.crit !== undefined)
    fail(
      'registration-signature-invalid',
      'jws-crit',
      'Unknown critical header parameters are refused (RFC 7515 §4.1.11).',
    );
  if (header.jwk || header.jku || header.x5u)
    fail(
      'registration-signature-invalid',
      'jws-key-source',
      'Keys carried by reference or value (jwk, jku, x5u) are refused; send the certificate chain in x5c.',
    );
  pass('jws-format', `Compact JWS, ${header.alg}.`);

  const x5c = header.x5c;
  if (!Array.isArray(x5c) || x5c.length === 0 || x5c.length > 5)
    fail('registration-unsigned', 'jws-x5c', 'The JWS header must carry the signing certificate chain in x5c.');
  const pems = (x5c as unknown[]).map(
    (entry) => x5cToPem(entry) ?? fail('cert-malformed', 'jws-x5c', 'x5c entries must be base64 DER certificates.'),
  );
  const [leafPem, ...chainPems] = pems as [string, ...string[]];

  const verdict = ctx.trust.validateCertificate(leafPem, chainPems, {
    at: new Date(ctx.nowMs),
    usage: ['digitalSignature'],
  });
  if (!verdict.valid) {
    const reason = `The signing certificate does not validate against the trust fabric: ${verdict.failure?.reason ?? 'unknown reason'}`;
    checks.push({ rule: 'certificate-path', outcome: 'failed', reason, code: 'registration-cert-invalid' });
    throw new KakehashiError('registration-cert-invalid', reason, {
      rule: 'RFC 5280 §6.1',
      extra: { checks, certificateFailure: verdict.failure?.code },
    });
  }
  pass(
    'certificate-path',
    `Chain to ${verdict.anchor ?? 'a trusted root'} validated at ${new Date(ctx.nowMs).toISOString()} (CRL checked).`,
  );

  let payload: Uint8Array;
  try {
    const key = await importX509(leafPem, header.alg as string);
    payload = (await compactVerify(signedMetadata, key, { algorithms: ALLOWED_ALGS })).payload;
  } catch {
    return fail(
      'registration-signature-invalid',
      'jws-signature',
      'The metadata signature does not verify with the key of the certificate in x5c.',
    );
  }
  pass('jws-signature', 'Signature verifies with the certificate key.');

  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch {
    return fail('validation-failed', 'metadata-json', 'The signed payload is not JSON.');
  }
  const parsed = NodeMetadataSchema.safeParse(json);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    return fail(
      'validation-failed',
      'metadata-schema',
      `The metadata does not match the schema: ${i?.path.join('.') || '(root)'}: ${i?.message}.`,
    );
  }
  const metadata = parsed.data;
  pass('metadata-schema', 'Metadata matches the NodeMetadata schema.');

  const urlProblem = endpointOriginProblem(metadata);
  if (urlProblem) fail('registration-endpoint-invalid', 'endpoint-origin', urlProblem);
  pass('endpoint-origin', `Every endpoint is an http(s) URL on ${metadata.url}.`);

  if (!ctx.trust.countries().includes(metadata.country)) {
    fail(
      'unknown-country',
      'country-known',
      `Country ${metadata.country} has no trusted list in this federation (known: ${ctx.trust.countries().join(', ')}).`,
    );
  }
  if (verdict.country !== metadata.country) {
    fail(
      'registration-country-mismatch',
      'country-binding',
      `The metadata claims ${metadata.country} but the certificate was issued for ${verdict.country ?? 'no country'}.`,
    );
  }
  pass('country-binding', `Certificate issued for ${metadata.country}.`);

  const ageSeconds = ctx.nowMs / 1000 - metadata.iat;
  if (ageSeconds > ctx.maxAgeSeconds || ageSeconds < -ctx.skewSeconds) {
    fail(
      'registration-stale',
      'metadata-fresh',
      `The metadata was signed ${Math.round(ageSeconds)} s ago (allowed: ${ctx.maxAgeSeconds} s, skew ${ctx.skewSeconds} s); sign it again.`,
    );
  }
  pass('metadata-fresh', `Signed ${Math.round(ageSeconds)} s ago.`);

  return { metadata, certificate: verdict, checks };
}

/**
 * Why the metadata's URLs are unacceptable, or undefined when they are fine. The hub fetches some of them
 * (health) and hands others to browsers and peers (issuer, SSO, AS4), so a node may only advertise its own origin:
 * `url` is an http(s) origin (no credentials, path, query or fragment) whose host is not link-local, unspecified or
 * multicast (cloud metadata services live at 169.254.169.254), and every endpoint, service endpoint included, is an
 * http(s) URL on exactly that origin. With `publicUrl` (a proxy, a container) the node's url and endpoints all
 * name the public origin, so they still agree.
 */
export function endpointOriginProblem(metadata: NodeMetadata): string | undefined {
  const origin = parseHttpUrl(metadata.url);
  if (!origin) return `url "${clip(metadata.url)}" is not an http(s) URL.`;
  if (origin.username || origin.password || origin.pathname !== '/' || origin.search || origin.hash)
    return `url "${clip(metadata.url)}" must be a bare origin (scheme, host, port): no credentials, path, query or fragment.`;
  if (isForbiddenHost(origin.hostname))
    return `url "${clip(metadata.url)}" names a link-local, unspecified or multicast address; advertise a routable host.`;
  const endpoints: [string, string][] = [
    ...Object.entries(metadata.endpoints)
      .filter((e): e is [string, string] => typeof e[1] === 'string')
      .map(([k, v]): [string, string] => [`endpoints.${k}`, v]),
    ...metadata.services.map((s, i): [string, string] => [`services[${i}].endpoint`, s.endpoint]),
  ];
  for (const [name, value] of endpoints) {
    const u = parseHttpUrl(value);
    if (!u || u.origin !== origin.origin || u.username || u.password)
      return `${name} "${clip(value)}" must be an http(s) URL on the node's origin ${origin.origin}.`;
  }
  return undefined;
}

const clip = (s: string) => (s.length > 100 ? `${s.slice(0, 100)}…` : s);

function parseHttpUrl(s: string): URL | undefined {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u : undefined;
  } catch {
    return undefined;
  }
}

/** Link-local (169.254/16, fe80::/10), unspecified (0.0.0.0, ::) and multicast (224/4, ff00::/8) hosts. */
function isForbiddenHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(h) ?? /^::ffff:(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(h);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return (a === 169 && b === 254) || a === 0 || (a >= 224 && a <= 239) || a === 255;
  }
  if (!h.includes(':')) return false;
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(h);
  if (mapped) {
    const hi = Number.parseInt(mapped[1] as string, 16);
    return isForbiddenHost(`${hi >> 8}.${hi & 255}.0.0`);
  }
  return h === '::' || /^fe[89ab][0-9a-f]:/.test(h) || h.startsWith('ff');
}
