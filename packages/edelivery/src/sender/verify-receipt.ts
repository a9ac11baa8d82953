import { parseXml } from '@kakehashi/core';
import { isEbmsError } from '../errors/ebms-error.ts';
import type { ReferenceInfo } from '../message/build-signal.ts';
import { parseEnvelope } from '../message/parse-envelope.ts';
import { parseContentType, parseMultipart, SOAP_CONTENT_TYPE } from '../mime/multipart.ts';
import { sameCertificate } from '../wss/certificates.ts';
import { verifyEnvelope } from '../wss/verify-envelope.ts';

export type ReceiptOutcome =
  | { kind: 'receipt'; receiptXml: string; signalMessageId: string; references: ReferenceInfo[] }
  | { kind: 'error'; errors: { code: string; severity: string; description?: string | undefined }[]; signalXml: string }
  | { kind: 'invalid'; reason: string; rule: string };

export interface ExpectedReceipt {
  messageId: string;
  /** The receiving access point's signing certificate, as discovery returned it. */
  peerSigningCert: string;
  /** References of the parts that do not change between attempts (Messaging, Body, attachments). */
  stableReferences: ReferenceInfo[];
  /** The wsu:Id reference of the Timestamp and the digests it had in every attempt. */
  timestampUri: string;
  timestampDigests: string[];
  now: Date;
  skewSeconds: number;
  validateCertificate(
    pem: string,
    chain: string[],
    opts: { at: Date; usage?: string[] },
  ): { valid: boolean; failure?: { reason: string } | undefined };
}

/**
 * Checks the synchronous answer to a UserMessage before anything is marked delivered: an ebMS Error signal, or a
 * Receipt that is signed (by the very certificate discovery gave for the receiving access point, valid in the
 * trust fabric), refers to our MessageId, and whose non-repudiation information repeats exactly the digests of
 * the parts we signed.
 * @see https://docs.oasis-open.org/ebxml-msg/ebms/v3.0/profiles/AS4-profile/v1.0/os/AS4-profile-v1.0-os.html §3.4, §5.1.8
 * @see shared/design/attack-catalogue.md E1, E2
 */
export function verifyReceipt(contentType: string, body: Buffer, exp: ExpectedReceipt): ReceiptOutcome {
  const invalid = (reason: string, rule = 'AS4 profile §5.1.8') => ({ kind: 'invalid' as const, reason, rule });
  let xml: Buffer;
  const media = parseContentType(contentType).mediaType;
  try {
    if (media === 'multipart/related') xml = parseMultipart(contentType, body).root.body;
    else if (media === SOAP_CONTENT_TYPE) xml = body;
    else return invalid(`The answer is ${contentType.slice(0, 60) || 'untyped'}, not an ebMS signal.`);
  } catch (e) {
    return invalid(`The answer's MIME structure is invalid: ${e instanceof Error ? e.message : 'error'}`);
  }
  let env: ReturnType<typeof parseEnvelope>;
  try {
    env = parseEnvelope(parseXml(xml, { fast: true }));
  } catch (e) {
    return invalid(`The answer is not an ebMS message: ${e instanceof Error ? e.message.slice(0, 200) : 'error'}`);
  }
  const signal = env.signal;
  if (!signal) return invalid('The answer is a UserMessage, not a signal.');
  if (signal.errors.length > 0) {
    return {
      kind: 'error',
      errors: signal.errors.map((e) => ({ code: e.code, severity: e.severity, description: e.description })),
      signalXml: xml.toString('utf8'),
    };
  }
  if (!signal.receipt) return invalid('The signal carries neither a Receipt nor an Error.', 'AS4 profile §3.4 (E1)');
  if (signal.refToMessageId !== exp.messageId)
    return invalid(
      `The receipt refers to ${signal.refToMessageId ?? 'no message'}, not to ${exp.messageId}.`,
      'ebMS 3.0 core §5.2.3.3 (E2)',
    );
  let certPem: string;
  try {
    certPem = verifyEnvelope(env, {
      now: exp.now,
      skewSeconds: exp.skewSeconds,
      requireExpires: false,
      attachments: new Map(),
      requiredCids: [],
    }).certPem;
  } catch (e) {
    return invalid(
      `The receipt's signature is not acceptable: ${isEbmsError(e) ? e.detail : 'error'}`,
      'AS4 profile §5.1.8 (E1)',
    );
  }
  if (!sameCertificate(certPem, exp.peerSigningCert))
    return invalid(
      'The receipt is signed by another certificate than the receiving access point’s registered one.',
      'attack-catalogue E1',
    );
  const verdict = exp.validateCertificate(certPem, [], { at: exp.now, usage: ['digitalSignature'] });
  if (!verdict.valid)
    return invalid(
      `The receipt signer's certificate is not valid: ${verdict.failure?.reason ?? 'invalid'}`,
      'attack-catalogue E1',
    );

  const nri = signal.receipt.references;
  const byUri = new Map(nri.map((r) => [r.uri, r]));
  if (byUri.size !== nri.length) return invalid('The receipt repeats a reference.', 'attack-catalogue E2');
  for (const r of exp.stableReferences) {
    const got = byUri.get(r.uri);
    if (!got || got.digestValue !== r.digestValue || got.digestMethod !== r.digestMethod)
      return invalid(
        `The receipt's non-repudiation information does not match the sent part ${r.uri.slice(0, 80)}.`,
        'AS4 profile §5.1.8 (E2)',
      );
  }
  for (const r of nri) {
    if (exp.stableReferences.some((s) => s.uri === r.uri)) continue;
    if (r.uri === exp.timestampUri && exp.timestampDigests.includes(r.digestValue)) continue;
    return invalid(`The receipt names a part that was not sent: ${r.uri.slice(0, 80)}.`, 'AS4 profile §5.1.8 (E2)');
  }
  return { kind: 'receipt', receiptXml: xml.toString('utf8'), signalMessageId: signal.messageId, references: nri };
}
