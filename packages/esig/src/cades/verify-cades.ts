import { DerError, decodeOid, decodeTime } from '../asn1/der.ts';
import { CMS_SIGNATURE_OID, RSA_ENCRYPTION_OID } from '../common/algorithms.ts';
import { derToPem, parseX509, publicKeyOf, sha } from '../common/certificates.ts';
import { emptyOutcome, type FormatOutcome, failed, passed, type SignatureInput } from '../common/signature-facts.ts';
import {
  CMS_OID,
  checkSigningCertificateAttribute,
  findSignerCertificate,
  parseSignedData,
  verifySignerSignature,
} from './cms.ts';

const RULE = 'ETSI EN 319 122-1';
const MAX_BYTES = 8 * 1024 * 1024;

class FormatError extends Error {}

function toDer(sig: Uint8Array | string): Buffer {
  if (typeof sig !== 'string') return Buffer.from(sig);
  const s = sig.trim();
  const body = s.startsWith('-----BEGIN') ? s.replace(/-----(BEGIN|END) [A-Z0-9 ]+-----/g, '') : s;
  const clean = body.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*=*$/.test(clean)) throw new FormatError('The CMS signature is neither DER nor base64.');
  return Buffer.from(clean, 'base64');
}

/**
 * Reads and verifies a CAdES signature (CMS SignedData, B-B or B-T): one SignerInfo; signed attributes present
 * with content-type equal to the encapsulated type, message-digest equal to the hash of the (attached or
 * detached) content, and ESS signing-certificate-v2 naming the certificate the SignerIdentifier designates
 * (C9); no repeated signed attribute; the signature over the DER signed attributes; signature time-stamps
 * (id-aa-signatureTimeStampToken) over the signature value.
 * @see https://www.etsi.org/deliver/etsi_en/319100_319199/31912201/
 * @see https://www.rfc-editor.org/rfc/rfc5652#section-5.4
 */
export function readCades(input: SignatureInput): FormatOutcome {
  const fo = emptyOutcome('CAdES');
  try {
    read(input, fo);
  } catch (e) {
    fo.formatFailure =
      e instanceof FormatError
        ? e.message
        : e instanceof DerError
          ? `The CMS structure is malformed: ${e.message}.`
          : `The CAdES signature cannot be read: ${e instanceof Error ? e.message.slice(0, 160) : 'bad structure'}.`;
    fo.formatChecks.push(failed('format', fo.formatFailure, RULE));
  }
  return fo;
}

function read(input: SignatureInput, fo: FormatOutcome): void {
  const der = toDer(input.signature);
  if (der.length > MAX_BYTES)
    throw new FormatError(`The CMS signature is ${der.length} bytes; the limit is ${MAX_BYTES}.`);
  const parsed = parseSignedData(der);
  if (parsed.signerCount !== 1)
    throw new FormatError(`Only one SignerInfo is supported; the SignedData has ${parsed.signerCount}.`);
  if (parsed.eContentType !== CMS_OID.data)
    throw new FormatError(`The encapsulated content type ${parsed.eContentType} is not id-data.`);
  const s = parsed.signer;
  if (!s.signedAttrsDer) throw new FormatError('The SignerInfo has no signed attributes (CAdES requires them).');
  if (s.duplicateAttrs.length > 0)
    throw new FormatError(`The signed attribute ${s.duplicateAttrs[0]} appears more than once.`);
  const ct = s.signedAttrs.get(CMS_OID.contentType)?.[0];
  if (!ct || decodeOid(ct) !== parsed.eContentType)
    throw new FormatError(
      'The content-type signed attribute is missing or differs from the encapsulated content type.',
    );
  const md = s.signedAttrs.get(CMS_OID.messageDigest)?.[0];
  if (!md) throw new FormatError('The message-digest signed attribute is missing.');
  if (!s.hash || s.hash === 'md5') throw new FormatError(`The digest algorithm ${s.digestAlgorithm} is not supported.`);
  fo.digestAlgorithms.push(s.hash);
  fo.signatureScheme =
    s.signatureAlgorithm === RSA_ENCRYPTION_OID
      ? { name: `rsaEncryption with ${s.hash}`, hash: s.hash, key: 'rsa' }
      : CMS_SIGNATURE_OID[s.signatureAlgorithm];
  if (!fo.signatureScheme) throw new FormatError(`The signature algorithm ${s.signatureAlgorithm} is not supported.`);
  const st = s.signedAttrs.get(CMS_OID.signingTime)?.[0];
  if (st) fo.claimedSigningTime = decodeTime(st);
  fo.packaging = parsed.eContent ? 'enveloping' : 'detached';
  fo.formatChecks.push(
    passed(
      'structure',
      `A CMS SignedData with one SignerInfo (${fo.signatureScheme.name}), ${fo.packaging === 'detached' ? 'detached' : 'attached'} content.`,
      RULE,
    ),
  );

  const certDer = findSignerCertificate(parsed);
  if (!certDer) {
    fo.iscFailure = 'The SignedData does not contain the certificate its SignerIdentifier names.';
    fo.iscChecks.push(failed('signing certificate', fo.iscFailure, 'RFC 5652 §5.3'));
    return;
  }
  fo.signingCertPem = parseX509(certDer).toString();
  fo.chainPem = parsed.certificates.filter((c) => !c.equals(certDer)).map(derToPem);
  const ess = checkSigningCertificateAttribute(s.signedAttrs, certDer);
  if (!ess.matches) fo.iscFailure = ess.reason;
  fo.iscChecks.push(
    ess.matches
      ? passed('signing certificate', ess.reason, `${RULE} §5.2.2.3`)
      : failed('signing certificate', ess.reason, `${RULE} §5.2.2.3`),
  );

  const content = parsed.eContent ?? (input.detachedContent ? Buffer.from(input.detachedContent) : undefined);
  if (parsed.eContent && input.detachedContent && !parsed.eContent.equals(Buffer.from(input.detachedContent)))
    fo.cvChecks.push(
      failed(
        'content',
        'The supplied detached content differs from the encapsulated content; the encapsulated content is what is validated.',
      ),
    );
  if (!content) {
    fo.signedDataNotFound =
      'The signature is detached and the signed content was not supplied: send it as detachedContent.';
    fo.cvChecks.push(failed('message digest', fo.signedDataNotFound, 'RFC 5652 §5.4'));
  } else {
    const digest = sha(s.hash, content);
    if (!digest.equals(md.value)) {
      fo.hashFailure =
        'The message-digest attribute does not match the hash of the content: the content was changed after signing.';
      fo.cvChecks.push(failed('message digest', fo.hashFailure, 'RFC 5652 §11.2'));
    } else
      fo.cvChecks.push(
        passed('message digest', `The ${s.hash.toUpperCase()} message digest matches the content.`, 'RFC 5652 §11.2'),
      );
    fo.signedData.push({
      reference: parsed.eContent ? '(encapsulated content)' : '(detached content)',
      digestAlgorithm: s.hash,
      digest: digest.toString('hex'),
    });
  }
  const problem = verifySignerSignature(parsed, publicKeyOf(parseX509(certDer)));
  if (problem) fo.sigCryptoFailure = `The CMS signature does not verify: ${problem}.`;
  fo.cvChecks.push(
    problem
      ? failed('signature value', fo.sigCryptoFailure as string, 'RFC 5652 §5.6')
      : passed('signature value', 'The signature over the signed attributes verifies.', 'RFC 5652 §5.6'),
  );

  for (const t of (s.unsignedAttrs.get(CMS_OID.signatureTimeStampToken) ?? []).slice(0, 4)) {
    fo.timestamps.push({ token: Buffer.from(t.bytes), covered: s.signature });
  }
  fo.level = fo.timestamps.length > 0 ? 'B-T' : 'B-B';
}
