import { X509Certificate } from 'node:crypto';

/** Entries a memo keeps at most; when full it starts again (the access point meets a handful of certificates). */
const MEMO_MAX = 256;

/**
 * `fn()` remembered under `key` in `memo` (bounded): for what is derived from a certificate and costs a parse each
 * time — the same few certificates (the peers', the node's own) come with every message. Nothing is remembered
 * about whether a certificate is trusted: that is checked for every message.
 */
export function remembered<T>(memo: Map<string, T>, key: string, fn: () => T): T {
  const hit = memo.get(key);
  if (hit !== undefined) return hit;
  const value = fn();
  if (memo.size >= MEMO_MAX) memo.clear();
  memo.set(key, value);
  return value;
}

const BY_PEM = new Map<string, X509Certificate>();
const BY_DER = new Map<string, X509Certificate>();

/** The parsed certificate of a PEM (remembered: parsed once per certificate, not once per message). */
export function certificateOf(pem: string): X509Certificate {
  return remembered(BY_PEM, pem, () => new X509Certificate(pem));
}

/** The parsed certificate of a base64 DER (a BinarySecurityToken's text; remembered like {@link certificateOf}). */
export function certificateOfDer(base64: string): X509Certificate {
  return remembered(BY_DER, base64, () => new X509Certificate(Buffer.from(base64, 'base64')));
}

/** Whether two PEM certificates are the same certificate (same DER). */
export function sameCertificate(a: string, b: string): boolean {
  return a === b || certificateOf(a).raw.equals(certificateOf(b).raw);
}
