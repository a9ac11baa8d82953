import { type Check, type FaultSwitchboard, KakehashiError, parseXml } from '@kakehashi/core';
import {
  type EvidenceDocumentView,
  readEvidenceContent,
  readSignedEvidence,
} from '../evidence-doc/evidence-document.ts';
import type { EvidenceLenientFault } from '../faults/faults.ts';
import type { SignatureReport } from '../node-api/node-api.ts';
import type { EvidenceMetadata } from '../regrep/z-regrep.ts';
import { EVIDENCE_CHECK as C, ISSUE_TIME_SKEW_MS } from './checks.ts';
import type { EvidenceVerdict, RequestRow } from './request-store.ts';

const DSIG = 'http://www.w3.org/2000/09/xmldsig#';

/** What the requester's judgement needs from its node: the signature service, the fault switches, the clock. */
export interface JudgeEnv {
  validate(xml: string): Promise<SignatureReport>;
  faults: Pick<FaultSwitchboard, 'fire'>;
  nowMs(): number;
}

/** The request the evidence must be bound to. */
export type JudgedRequest = Pick<RequestRow, 'id' | 'attemptId' | 'provider' | 'providerCountry' | 'createdAt'> & {
  model: Pick<RequestRow['model'], 'person' | 'evidenceType'>;
};

/** True when the document carries an XML signature anywhere (an unsigned document has none). */
function hasSignature(xml: string): boolean {
  try {
    return parseXml(xml, { maxBytes: 512 * 1024, maxDepth: 24 }).getElementsByTagNameNS(DSIG, 'Signature').length > 0;
  } catch {
    return false;
  }
}

/**
 * The requester's verdict on received evidence: the attachment present, its XAdES signature TOTAL-PASSED at the
 * node's signature validation service, signed in the provider's country, and bound to the request (reference
 * binding, request id, PersonIdentifier, issuer, evidence type, issued after the request was made). A weak node's
 * `lenient.evidence.*` switch skips the one check its forged twin breaks: the check is reported `skipped`, naming
 * the fault, and the fault fires (logged; returned so the trace hop carries it).
 * @see https://www.etsi.org/deliver/etsi_en/319100_319199/31910201/ (EN 319 102-1 validation)
 */
export async function judgeEvidence(
  env: JudgeEnv,
  row: JudgedRequest,
  meta: EvidenceMetadata,
  evidenceXml: string | undefined,
): Promise<{ verdict: EvidenceVerdict; fired: EvidenceLenientFault[] }> {
  const checks: Check[] = [];
  const fired: EvidenceLenientFault[] = [];
  /** Records a check; a failed one is skipped instead when `lenient` is given and switched on. */
  const check = (rule: string, ok: boolean, reason: string, lenient?: EvidenceLenientFault) => {
    if (!ok && lenient && env.faults.fire(lenient, undefined, { rule, reason })) {
      if (!fired.includes(lenient)) fired.push(lenient);
      checks.push({ rule, outcome: 'skipped', reason: `${reason} (a strict requester refuses this)`, fault: lenient });
      return true;
    }
    checks.push({ rule, outcome: ok ? 'passed' : 'failed', reason });
    return ok;
  };
  if (!check(C.attachment, evidenceXml !== undefined, `RepositoryItemRef ${meta.repositoryItemRef}`)) {
    return { verdict: { valid: false, indication: 'NOT-VALIDATED', checks }, fired };
  }
  const xml = evidenceXml as string;
  const signed = hasSignature(xml);
  const report = await env.validate(xml);
  const sigFault: EvidenceLenientFault | undefined = !signed
    ? 'lenient.evidence.unsigned-document'
    : report.subIndicationName === 'HASH_FAILURE'
      ? 'lenient.evidence.tampered-document'
      : undefined;
  check(
    C.signature,
    report.indication === 'TOTAL-PASSED',
    signed
      ? `${report.indication}${report.subIndicationName ? ` / ${report.subIndicationName}` : ''}`
      : `${report.indication}: the evidence document carries no signature`,
    sigFault,
  );
  check(
    C.signerCountry,
    report.signer?.country === row.providerCountry,
    `signer ${report.signer?.subject ?? '?'} of ${report.signer?.country ?? '?'}; provider in ${row.providerCountry}`,
    signed ? undefined : 'lenient.evidence.unsigned-document',
  );
  let doc: EvidenceDocumentView | Omit<EvidenceDocumentView, 'id'> | undefined;
  try {
    doc = readSignedEvidence(xml);
    check(C.referenceBinding, true, 'one enveloped signature over the root that is read');
  } catch (e) {
    const reason = e instanceof KakehashiError ? e.message : 'unreadable evidence';
    if (check(C.referenceBinding, false, reason, signed ? undefined : 'lenient.evidence.unsigned-document')) {
      try {
        doc = readEvidenceContent(xml);
      } catch (e2) {
        check(C.referenceBinding, false, e2 instanceof KakehashiError ? e2.message : 'unreadable evidence');
      }
    }
  }
  if (doc) {
    check(
      C.requestBinding,
      doc.requestId === row.id || doc.requestId === row.attemptId,
      `RequestId ${doc.requestId}`,
      'lenient.evidence.wrong-request',
    );
    check(
      C.personBinding,
      doc.personIdentifier === row.model.person.personIdentifier,
      `PersonIdentifier ${doc.personIdentifier}`,
      'lenient.evidence.wrong-subject',
    );
    check(
      C.issuer,
      doc.issuerParticipant === row.provider && meta.issuingAuthority.id === row.provider,
      doc.issuerParticipant,
      'lenient.evidence.wrong-issuer',
    );
    check(
      C.evidenceType,
      doc.classification === row.model.evidenceType.classification && meta.classification === doc.classification,
      doc.classification,
      'lenient.evidence.wrong-evidence-type',
    );
    const issued = Date.parse(doc.issuedAt);
    const from = Date.parse(row.createdAt) - ISSUE_TIME_SKEW_MS;
    const until = env.nowMs() + ISSUE_TIME_SKEW_MS;
    check(
      C.issueTime,
      !Number.isNaN(issued) && issued >= from && issued <= until,
      `IssuedAt ${doc.issuedAt}; the request was made at ${row.createdAt}`,
      'lenient.evidence.stale-document',
    );
  }
  return {
    verdict: {
      valid: checks.every((c) => c.outcome !== 'failed'),
      indication: report.indication,
      subIndication: report.subIndicationName,
      signer: { subject: report.signer?.subject, country: report.signer?.country },
      checks,
    },
    fired,
  };
}
