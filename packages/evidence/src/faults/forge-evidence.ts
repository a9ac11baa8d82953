import { randomBytes, randomUUID } from 'node:crypto';
import { KakehashiError } from '@kakehashi/core';
import { DOCUMENT_FAULTS, type DocumentFault } from './faults.ts';

/** Replaces the text of the first `<ev:<local>>` element of an evidence document we built (one line each). */
function setText(xml: string, local: string, value: (old: string) => string): string {
  const re = new RegExp(`(<ev:${local}(?:\\s[^>]*)?>)([^<]*)(</ev:${local}>)`);
  const m = re.exec(xml);
  if (!m) throw new KakehashiError('internal-error', `The evidence document has no ev:${local} to forge.`);
  return xml.replace(re, (_all, open: string, old: string, close: string) => `${open}${value(old)}${close}`);
}

const escapeXml = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;');

/**
 * The unsigned evidence document with the defect of `fault` applied before signing (the faults whose document is
 * signed validly but says the wrong thing). Unchanged for the others.
 */
export function forgeBeforeSigning(xml: string, fault: DocumentFault): string {
  switch (fault) {
    case 'evidence.wrong-subject': {
      // Another person of the same register: another opaque identifier under the same prefix, another name and birth date.
      let out = setText(xml, 'PersonIdentifier', (pid) => {
        const prefix = pid.split('/').slice(0, 2).join('/');
        return `${prefix}/${randomBytes(32).toString('base64url')}`;
      });
      out = setText(out, 'FamilyName', () => escapeXml('Other'));
      out = setText(out, 'GivenName', () => escapeXml('Someone'));
      return setText(out, 'DateOfBirth', () => '1970-01-01');
    }
    case 'evidence.wrong-request':
      return setText(xml, 'RequestId', () => `urn:uuid:${randomUUID()}`);
    case 'evidence.stale-document':
      return setText(xml, 'IssuedAt', (old) => {
        const t = Date.parse(old.trim());
        return new Date((Number.isNaN(t) ? Date.now() : t) - 365 * 86_400_000).toISOString();
      });
    case 'evidence.wrong-issuer': {
      // Another authority of the same country: the provider's participant id with another last segment.
      const re = /(<ev:IssuingAuthority\b[^>]*\sparticipant=")([^"]*)(")/;
      if (!re.test(xml)) throw new KakehashiError('internal-error', 'The evidence document names no issuer to forge.');
      return xml.replace(
        re,
        (_all, a: string, id: string, b: string) => `${a}${id.split(':').slice(0, -1).join(':')}:another-authority${b}`,
      );
    }
    case 'evidence.wrong-evidence-type':
      return setText(xml, 'EvidenceType', (old) => `${old.trim()}-other`);
    default:
      return xml;
  }
}

/** The signed evidence document with a fact changed after signing (`evidence.tampered-document`). */
export function tamperSigned(signedXml: string): string {
  return /<ev:Fact\b[^>]*>[^<]*<\/ev:Fact>/.test(signedXml)
    ? setText(signedXml, 'Fact', (old) => `${old} (altered after signing)`)
    : setText(signedXml, 'FamilyName', (old) => `${old}-altered`);
}

/**
 * Signs the approved evidence document the way the faults in force say: the first document fault on (switched on,
 * or asked for by the approval request) changes the document before signing, skips the signature, or alters the
 * signed document. Returns what is sent and the fault that fired, if one did.
 */
export async function signWithFaults(
  document: string,
  isFired: (fault: DocumentFault) => boolean,
  sign: (xml: string) => Promise<string>,
): Promise<{ signed: string; fault?: DocumentFault }> {
  const fault = DOCUMENT_FAULTS.find((f) => isFired(f));
  if (!fault) return { signed: await sign(document) };
  if (fault === 'evidence.unsigned-document') return { signed: document, fault };
  if (fault === 'evidence.tampered-document') return { signed: tamperSigned(await sign(document)), fault };
  return { signed: await sign(forgeBeforeSigning(document, fault)), fault };
}
