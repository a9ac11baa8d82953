import type { X509Certificate } from 'node:crypto';
import { isKakehashiError } from '@kakehashi/core';
import { type CertificateFacts, inspectCertificate } from '../pki/inspect-certificate.ts';
import { buildPath, readAnchors, readIntermediates } from './build-path.ts';
import {
  checkAlgorithms,
  checkCaConstraints,
  checkCriticalExtensions,
  checkKeyUsage,
  checkSignatures,
  checkValidity,
} from './check-certificates.ts';
import { checkRevocation } from './check-revocation.ts';
import { chainEntry, createRecorder, iso, RULES } from './path-rules.ts';
import type { PathValidationResult, ValidatePathOptions } from './z-path.ts';

/**
 * Validates a certificate path (RFC 5280 §6.1) at a given instant (the virtual clock), reporting every rule
 * applied with a named error code and a plain-language reason naming the certificate and dates.
 *
 * Path building: from the leaf, the issuer is looked up among the anchors and intermediates by issuer Name
 * (byte-exact) and authority/subject key identifier; the path ends at the first certificate that *is* a trust
 * anchor (same certificate, or same name and same public key). A self-signed root that is not an anchor — in
 * particular a look-alike with an anchor's name but another key — fails with `cert-untrusted-root`.
 *
 * Checks, in reporting order: trust anchor (and its trusted-list status at `at`), weak algorithms (SHA-1/MD5
 * signatures, RSA < 2048), signatures of every link, validity of every certificate at `at`, basicConstraints
 * cA on every issuer, pathLenConstraint, keyUsage keyCertSign on issuers and the required usages on the leaf,
 * unrecognised critical extensions, revocation by CRL (CRL signature checked against the issuer, thisUpdate ≤ at ≤ nextUpdate).
 *
 * A critical extension other than those processed here (`UNDERSTOOD_CRITICAL_EXTENSIONS`: basicConstraints,
 * keyUsage, extKeyUsage, subjectAltName, key identifiers, CRL distribution points, certificatePolicies,
 * authorityInfoAccess, ocsp-nocheck) fails with `cert-unknown-critical-extension` (§4.2). Not implemented:
 * certificate policies, name constraints, policy mappings (§6.1.3(b)-(f)) — a critical nameConstraints extension
 * is therefore rejected as not understood.
 * @see https://www.rfc-editor.org/rfc/rfc5280#section-6.1
 */
export function validateCertificatePath(
  leafInput: string | X509Certificate,
  options: ValidatePathOptions,
): PathValidationResult {
  const rec = createRecorder();
  let leaf: CertificateFacts;
  try {
    leaf = inspectCertificate(leafInput);
  } catch (e) {
    const reason = isKakehashiError(e) ? e.message : 'The certificate cannot be parsed.';
    rec.fail('parse', RULES.parse, 'cert-malformed', reason);
    return rec.finish([]);
  }
  const anchors = readAnchors(options.anchors);
  const { chain, anchor } = buildPath(leaf, anchors, readIntermediates(options.intermediates), options, rec);
  if (!anchor) return rec.finish(chain.map((f) => chainEntry(f, false)));

  const n = chain.length;
  const anchorFacts = chain[n - 1] as CertificateFacts;
  rec.pass('chain', RULES.chain, `Path built: ${chain.map((c) => `"${c.label}"`).join(' → ')}.`, leaf.label);
  rec.pass(
    'trust-anchor',
    anchor.grantedPeriods ? RULES.anchorStatus : RULES.anchor,
    `"${anchorFacts.label}" is a trust anchor (${anchor.source})${anchor.grantedPeriods ? `, granted at ${iso(options.at)}` : ''}.`,
    anchorFacts.label,
  );
  checkAlgorithms(chain, rec);
  checkSignatures(chain, rec);
  checkValidity(chain, options.at, rec);
  checkCaConstraints(chain, rec);
  checkKeyUsage(chain, options, rec);
  checkCriticalExtensions(chain, rec);
  // The anchor itself is trusted directly and not checked for revocation.
  for (let i = 0; i < n - 1; i++) {
    checkRevocation(chain[i] as CertificateFacts, chain[i + 1] as CertificateFacts, options, rec);
  }
  return rec.finish(chain.map((f, i) => chainEntry(f, i === n - 1)));
}
