import {
  type Conclusion,
  emptyOutcome,
  type FormatOutcome,
  iso,
  type ProofOfExistence,
  type SignatureInput,
  type SignatureValidationContext,
  warning,
} from '../common/signature-facts.ts';
import { SUB_INDICATION_MEANING, subIndicationUrn } from '../report/indications.ts';
import type { BuildingBlock, TimestampSummary, ValidationReport } from '../report/z-report.ts';
import { verifyCryptography } from './blocks/cryptographic-verification.ts';
import { formatChecking } from './blocks/format-checking.ts';
import { acceptSignature } from './blocks/signature-acceptance.ts';
import { identifySigningCertificate } from './blocks/signing-certificate.ts';
import { validateTimestamps } from './blocks/time-stamps.ts';
import { validateX509 } from './blocks/x509-validation.ts';
import { detectFormat, readFormat } from './detect-format.ts';
import { summariseCertificate } from './summarise-certificate.ts';

/**
 * Validates an AdES signature — XAdES, JAdES or CAdES, baseline B-B or B-T — per ETSI EN 319 102-1: format
 * checking, identification of the signing certificate, cryptographic verification, X.509 validation against
 * the trust view (trusted lists with service status history, CRLs, OCSP), time-stamp validation and the rules
 * of the validation process for signatures with time, and signature acceptance (cryptographic constraints).
 * Each building block lives in `blocks/`; the first conclusion reached stops the chain of blocks. Never throws
 * on bad input: a malformed signature is a report with FORMAT_FAILURE.
 * @see https://www.etsi.org/deliver/etsi_en/319100_319199/31910201/ §5.3, §5.5
 */
export async function validateSignature(
  input: SignatureInput,
  ctx: SignatureValidationContext,
): Promise<ValidationReport> {
  const now = ctx.clock.now();
  let fo: FormatOutcome;
  try {
    fo = readFormat(input, ctx);
  } catch (e) {
    fo = emptyOutcome('CAdES');
    fo.formatFailure = `The signature cannot be read: ${e instanceof Error ? e.message.slice(0, 200) : 'unknown error'}.`;
  }
  const blocks: BuildingBlock[] = [];
  if (fo.iscFailure && fo.signingCertPem && ctx.lenient?.('lenient.esig.missing-signing-certificate')) {
    // Weak node: the certificate the signature carries is taken as the signer without a signed reference to it.
    fo.iscChecks.push(
      warning(
        'signing certificate',
        `Ignored on purpose (weak node, fault lenient.esig.missing-signing-certificate): ${fo.iscFailure}`,
        'ETSI EN 319 102-1 §5.2.3',
      ),
    );
    delete fo.iscFailure;
  }
  const fc = formatChecking(fo);
  blocks.push(fc.block);
  let conclusion: Conclusion | undefined = fc.conclusion;
  if (!conclusion) {
    const isc = identifySigningCertificate(fo);
    blocks.push(isc.block);
    conclusion = isc.conclusion;
  }
  if (!conclusion) {
    const cv = verifyCryptography(fo);
    blocks.push(cv.block);
    // A signing-certificate reference that does not match concludes only when the cryptography holds.
    conclusion =
      cv.conclusion ??
      (fo.iscFailure
        ? { indication: 'INDETERMINATE', sub: 'NO_SIGNING_CERTIFICATE_FOUND', explanation: fo.iscFailure }
        : undefined);
  }

  let poe: ProofOfExistence | undefined;
  let timestamps: TimestampSummary[] = [];
  if (!fo.formatFailure) {
    const tst = validateTimestamps(fo, ctx, now);
    if (tst.block) blocks.push(tst.block);
    poe = tst.poe;
    timestamps = tst.timestamps;
  }

  let chain: { subject: string; anchor: boolean }[] = [];
  const signingCertPem = fo.signingCertPem;
  if (!conclusion && signingCertPem) {
    const x = await validateX509({ ...fo, signingCertPem }, ctx, now, poe);
    blocks.push(x.block);
    chain = x.chain;
    conclusion = x.conclusion;
  }
  if (!conclusion && signingCertPem) {
    const sav = acceptSignature({ ...fo, signingCertPem }, ctx, poe);
    blocks.push(sav.block);
    conclusion = sav.conclusion;
  }
  return buildReport({ input, ctx, now, fo, blocks, timestamps, chain, poe, conclusion });
}

/** The report: the conclusion (TOTAL-PASSED when no block concluded otherwise), the blocks and the facts. */
function buildReport(r: {
  input: SignatureInput;
  ctx: SignatureValidationContext;
  now: Date;
  fo: FormatOutcome;
  blocks: BuildingBlock[];
  timestamps: TimestampSummary[];
  chain: { subject: string; anchor: boolean }[];
  poe: ProofOfExistence | undefined;
  conclusion: Conclusion | undefined;
}): ValidationReport {
  const { fo, poe } = r;
  const signer = fo.signingCertPem ? summariseCertificate(fo.signingCertPem) : undefined;
  let conclusion = r.conclusion;
  if (!conclusion) {
    const who = signer ? `"${signer.label}"${signer.country ? ` (${signer.country})` : ''}` : 'the signer';
    conclusion = {
      indication: 'TOTAL-PASSED',
      explanation: `The ${fo.format} signature by ${who} is valid: the signed data is intact, the certificate chains to the trusted lists and was neither expired nor revoked ${poe ? `at ${iso(poe.time)}, the signing time proven by the time-stamp of "${poe.tsa}"` : 'at validation time'}.`,
    };
  }
  const report: ValidationReport = {
    testOnly: true,
    validationTime: iso(r.now),
    validator: r.ctx.validator ?? { component: 'library' },
    format: fo.formatFailure && !fo.level ? (detectFormat(r.input.signature) ?? 'unknown') : fo.format,
    indication: conclusion.indication,
    explanation: conclusion.sub
      ? `${conclusion.explanation} (${conclusion.sub}: ${SUB_INDICATION_MEANING[conclusion.sub]})`
      : conclusion.explanation,
    signingTime: {
      ...(fo.claimedSigningTime ? { claimed: iso(fo.claimedSigningTime) } : {}),
      ...(poe ? { proven: iso(poe.time) } : {}),
    },
    signedData: fo.signedData,
    certificateChain: r.chain,
    timestamps: r.timestamps,
    buildingBlocks: r.blocks,
  };
  if (fo.level === 'B-T' && !poe && !fo.formatFailure) {
    // EN 319 102-1 §5.5: without a valid signature time-stamp the signature is validated — and attains — B-B.
    report.level = 'B-B';
    const reasons = r.timestamps.map((t) => t.explanation).join(' ');
    report.levelExplanation = `The signature carries a signature time-stamp (B-T) but none validates, so it attains B-B only: ${reasons}`;
  } else if (fo.level) report.level = fo.level;
  if (fo.packaging) report.packaging = fo.packaging;
  if (conclusion.sub) {
    report.subIndication = subIndicationUrn(conclusion.sub);
    report.subIndicationName = conclusion.sub;
  }
  if (signer) report.signer = signer;
  return report;
}
