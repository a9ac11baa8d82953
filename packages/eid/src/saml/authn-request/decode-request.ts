import { createPublicKey, verify, X509Certificate } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import { KakehashiError } from '@kakehashi/core';
import { MAX_SAML_MESSAGE_BYTES, SIGNATURE_ALGORITHMS } from '../constants.ts';
import { decodeBase64Strict } from '../xml/dom.ts';

/** A SAML message as its binding delivered it, before any XML parsing. */
export interface DecodedBindingMessage {
  binding: 'redirect' | 'post';
  xml: string;
  relayState?: string;
  /** Redirect binding only: the query-string signature and the exact octets it covers. */
  querySignature?: { sigAlg: string; signature: Buffer; signedOctets: string };
  /** `kakehashi_persona` when the request carried it. */
  persona?: string;
  /** `kakehashi_fault` when the request carried it (a test asks for one forged Response; outside the signature). */
  fault?: string;
}

const bindingError = (m: string, rule: string) => new KakehashiError('saml-binding-invalid', m, { rule });

/** Splits a raw query string keeping the raw (still URL-encoded) values: the Redirect signature covers those. */
function rawParams(rawQuery: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of rawQuery.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const k = urlDecode(eq < 0 ? part : part.slice(0, eq), 'A query parameter name');
    const list = out.get(k) ?? [];
    list.push(eq < 0 ? '' : part.slice(eq + 1));
    out.set(k, list);
  }
  return out;
}

function urlDecode(raw: string, what: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    throw bindingError(`${what} is not URL-encoded correctly.`, 'RFC 3986 §2.1');
  }
}

const RELAY_STATE_MAX = 80;

/**
 * Decodes an HTTP-Redirect SAML request: exactly one `SAMLRequest` (base64 of raw DEFLATE, inflated with a size
 * limit), optional `RelayState` (≤ 80 bytes), and `SigAlg`+`Signature` together or not at all.
 * @see https://docs.oasis-open.org/security/saml/v2.0/saml-bindings-2.0-os.pdf (§3.4.4.1, §3.4.3 RelayState)
 */
export function decodeRedirectRequest(rawQuery: string): DecodedBindingMessage {
  return decodeRedirectMessage(rawQuery, 'SAMLRequest');
}

/**
 * Decodes an HTTP-Redirect SAML message of the given kind (`SAMLRequest`: AuthnRequest, LogoutRequest;
 * `SAMLResponse`: LogoutResponse): the message inflated with a size limit, `RelayState`, and the query signature
 * with the exact octets it covers (`<kind>=…&RelayState=…&SigAlg=…`, as received).
 * @see https://docs.oasis-open.org/security/saml/v2.0/saml-bindings-2.0-os.pdf (§3.4.4.1)
 */
export function decodeRedirectMessage(rawQuery: string, kind: 'SAMLRequest' | 'SAMLResponse'): DecodedBindingMessage {
  const other = kind === 'SAMLRequest' ? 'SAMLResponse' : 'SAMLRequest';
  const params = rawParams(rawQuery);
  if (params.has(other))
    throw bindingError(
      `This endpoint takes ${kind}${kind === 'SAMLRequest' ? ' (a request)' : ' (a response)'}, not ${other}.`,
      'SAML Bindings §3.4.4',
    );
  for (const [k, v] of params)
    if (v.length > 1) throw bindingError(`${k.slice(0, 40)} is repeated.`, 'SAML Bindings §3.4.4.1');
  const rawMessage = params.get(kind)?.[0];
  if (!rawMessage)
    throw bindingError(
      `${kind} is missing: the HTTP-Redirect binding carries the message there.`,
      'SAML Bindings §3.4.4',
    );
  const deflated = decodeBase64Strict(urlDecode(rawMessage, kind), kind);
  let inflated: Buffer;
  try {
    inflated = inflateRawSync(deflated, { maxOutputLength: MAX_SAML_MESSAGE_BYTES });
  } catch (e) {
    const tooBig = e instanceof RangeError || (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
    if (tooBig)
      throw new KakehashiError('xml-too-large', `The inflated ${kind} exceeds ${MAX_SAML_MESSAGE_BYTES} bytes.`, {
        rule: 'X6',
      });
    throw bindingError(`${kind} is not raw DEFLATE data (RFC 1951) after base64 decoding.`, 'SAML Bindings §3.4.4.1');
  }
  const out: DecodedBindingMessage = { binding: 'redirect', xml: utf8(inflated) };
  const rawRelay = params.get('RelayState')?.[0];
  if (rawRelay !== undefined) out.relayState = relayState(urlDecode(rawRelay, 'RelayState'));
  const rawSigAlg = params.get('SigAlg')?.[0];
  const rawSig = params.get('Signature')?.[0];
  if ((rawSigAlg === undefined) !== (rawSig === undefined))
    throw bindingError('SigAlg and Signature go together.', 'SAML Bindings §3.4.4.1');
  if (rawSigAlg !== undefined && rawSig !== undefined) {
    const sigAlg = urlDecode(rawSigAlg, 'SigAlg');
    const signedOctets =
      `${kind}=${rawMessage}` + (rawRelay !== undefined ? `&RelayState=${rawRelay}` : '') + `&SigAlg=${rawSigAlg}`;
    out.querySignature = {
      sigAlg,
      signature: decodeBase64Strict(urlDecode(rawSig, 'Signature'), 'Signature'),
      signedOctets,
    };
  }
  const persona = params.get('kakehashi_persona')?.[0];
  if (persona !== undefined) out.persona = urlDecode(persona, 'kakehashi_persona');
  const fault = params.get('kakehashi_fault')?.[0];
  if (fault !== undefined) out.fault = urlDecode(fault, 'kakehashi_fault');
  return out;
}

/**
 * Decodes an HTTP-POST SAML request from its form: `SAMLRequest` (base64 of the XML, not deflated), optional
 * `RelayState`, `kakehashi_persona` and `kakehashi_fault`.
 * @see https://docs.oasis-open.org/security/saml/v2.0/saml-bindings-2.0-os.pdf (§3.5.4)
 */
export function decodePostRequest(form: URLSearchParams): DecodedBindingMessage {
  if (form.has('SAMLResponse'))
    throw bindingError('This endpoint takes SAMLRequest (an AuthnRequest), not SAMLResponse.', 'SAML Bindings §3.5.4');
  for (const k of new Set(form.keys()))
    if (form.getAll(k).length > 1) throw bindingError(`${k.slice(0, 40)} is repeated.`, 'SAML Bindings §3.5.4');
  const value = form.get('SAMLRequest');
  if (!value) throw bindingError('The form has no SAMLRequest field.', 'SAML Bindings §3.5.4');
  const out: DecodedBindingMessage = { binding: 'post', xml: utf8(decodeBase64Strict(value, 'SAMLRequest')) };
  const rs = form.get('RelayState');
  if (rs !== null) out.relayState = relayState(rs);
  const persona = form.get('kakehashi_persona');
  if (persona !== null) out.persona = persona;
  const fault = form.get('kakehashi_fault');
  if (fault !== null) out.fault = fault;
  return out;
}

function relayState(v: string): string {
  if (Buffer.byteLength(v, 'utf8') > RELAY_STATE_MAX)
    throw bindingError(`RelayState is longer than ${RELAY_STATE_MAX} bytes.`, 'SAML Bindings §3.4.3');
  return v;
}

function utf8(b: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    throw new KakehashiError('malformed-xml', 'The SAML message is not UTF-8.');
  }
}

/**
 * Verifies the Redirect binding's query-string signature with one of the SP's signing certificates (from its
 * metadata: never from the message). SigAlg must be an allowed RSA algorithm (no SHA-1).
 * @see https://docs.oasis-open.org/security/saml/v2.0/saml-bindings-2.0-os.pdf (§3.4.4.1)
 */
export function verifyQuerySignature(
  qs: NonNullable<DecodedBindingMessage['querySignature']>,
  certsPem: readonly string[],
): { ok: true } | { ok: false; reason: string } {
  const hash = SIGNATURE_ALGORITHMS[qs.sigAlg];
  if (!hash)
    return {
      ok: false,
      reason: `SigAlg ${JSON.stringify(qs.sigAlg.slice(0, 80))} is not allowed (RSA-SHA256, RSA-SHA512).`,
    };
  for (const pem of certsPem) {
    try {
      const key = createPublicKey(new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'pem' }));
      if (verify(hash, Buffer.from(qs.signedOctets, 'utf8'), key, qs.signature)) return { ok: true };
    } catch {
      // try the next certificate
    }
  }
  return { ok: false, reason: "The query-string Signature does not verify with the SP's signing certificate." };
}
