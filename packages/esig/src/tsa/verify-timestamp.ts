import { inspectCertificate } from '@kakehashi/trust';
import { children, decodeOid, decodeTime, expectTag, integerHex, readDerExact, TAG } from '../asn1/der.ts';
import {
  CMS_OID,
  checkSigningCertificateAttribute,
  findSignerCertificate,
  parseSignedData,
  publicKeyOf,
  verifySignerSignature,
} from '../cades/cms.ts';
import { HASH_OID, type HashName } from '../common/algorithms.ts';
import { certLabel, derToPem, parseX509, sha } from '../common/certificates.ts';

const TIME_STAMPING_EKU = '1.3.6.1.5.5.7.3.8';

/** What a time-stamp token says and whether it holds together (its TSA certificate path is checked apart). */
export interface TimestampFacts {
  /** The token's structure, signature, ESS binding and imprint are all correct. */
  intact: boolean;
  genTime?: Date;
  policy?: string;
  serialHex?: string;
  hash?: HashName;
  imprintMatches: boolean;
  tsaCertPem?: string;
  tsaLabel?: string;
  /** The other certificates in the token (the TSA's chain). */
  chainPem: string[];
  /** Plain-language problems, first one decisive. */
  problems: string[];
}

/**
 * Checks an RFC 3161 TimeStampToken against the data it should cover: a SignedData over TSTInfo
 * (eContentType id-ct-TSTInfo), one signer whose certificate is in the token and carries the critical
 * id-kp-timeStamping EKU, the ESS signing-certificate(-v2) attribute naming it, messageDigest = hash of TSTInfo,
 * a valid signature, and a message imprint equal to the hash of `covered`. The TSA certificate's path (trusted
 * list, revocation) is the caller's to validate.
 * @see https://www.rfc-editor.org/rfc/rfc3161#section-2.4.2
 * @see https://www.rfc-editor.org/rfc/rfc5816
 */
export function verifyTimestampToken(token: Buffer, covered: Buffer): TimestampFacts {
  const facts: TimestampFacts = { intact: false, imprintMatches: false, chainPem: [], problems: [] };
  try {
    const parsed = parseSignedData(token);
    if (parsed.eContentType !== CMS_OID.tstInfo || !parsed.eContent) {
      facts.problems.push('The token does not encapsulate a TSTInfo.');
      return facts;
    }
    const tst = children(expectTag(readDerExact(parsed.eContent), TAG.sequence, 'TSTInfo'));
    facts.policy = decodeOid(tst[1]);
    const [alg, hashed] = children(expectTag(tst[2], TAG.sequence, 'messageImprint'));
    const hash = HASH_OID[decodeOid(children(alg)[0])];
    facts.serialHex = integerHex(tst[3]);
    facts.genTime = decodeTime(expectTag(tst[4], TAG.generalizedTime, 'genTime'));
    if (hash) facts.hash = hash;
    const signerDer = findSignerCertificate(parsed);
    if (!signerDer) {
      facts.problems.push('The token does not contain the TSA certificate, so its signature cannot be checked.');
      return facts;
    }
    const x509 = parseX509(signerDer);
    facts.tsaCertPem = derToPem(signerDer);
    facts.tsaLabel = certLabel(x509);
    facts.chainPem = parsed.certificates.filter((c) => !c.equals(signerDer)).map(derToPem);
    if (!hash || hash === 'md5') facts.problems.push('The message imprint uses an unsupported hash algorithm.');
    else {
      facts.imprintMatches = sha(hash, covered).equals(expectTag(hashed, TAG.octetString, 'hashedMessage').value);
      if (!facts.imprintMatches)
        facts.problems.push(
          'The time-stamp covers other data than this signature (message imprint mismatch): it was taken for another signature or the signature value was changed.',
        );
    }
    const md = parsed.signer.signedAttrs.get(CMS_OID.messageDigest)?.[0];
    const mdHash = parsed.signer.hash;
    if (!md || !mdHash || !sha(mdHash, parsed.eContent).equals(md.value))
      facts.problems.push('The token signature does not cover its TSTInfo (messageDigest mismatch).');
    const ess = checkSigningCertificateAttribute(parsed.signer.signedAttrs, signerDer);
    if (!ess.matches) facts.problems.push(`TSA certificate binding: ${ess.reason}`);
    const sigProblem = verifySignerSignature(parsed, publicKeyOf(signerDer));
    if (sigProblem) facts.problems.push(`The token signature is invalid: ${sigProblem}.`);
    const tsaFacts = inspectCertificate(x509);
    const eku = tsaFacts.extKeyUsage ?? [];
    if (eku.length !== 1 || eku[0] !== TIME_STAMPING_EKU || !tsaFacts.criticalExtensions.includes('2.5.29.37')) {
      facts.problems.push(
        `"${facts.tsaLabel}" is not a time-stamping certificate (its extended key usage must be exactly id-kp-timeStamping, marked critical: RFC 3161 §2.3).`,
      );
    }
    facts.intact = facts.problems.length === 0;
  } catch (e) {
    facts.problems.push(`The time-stamp token cannot be decoded: ${e instanceof Error ? e.message : 'bad structure'}.`);
  }
  return facts;
}
