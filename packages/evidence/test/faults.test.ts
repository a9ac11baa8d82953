import { createHash } from 'node:crypto';
import { FaultSwitchboard, faultDefinition } from '@kakehashi/core';
import { describe, expect, it } from 'vitest';
import { buildEvidenceDocument, readEvidenceContent } from '../src/evidence-doc/evidence-document.ts';
import {
  DOCUMENT_FAULTS,
  type DocumentFault,
  EVIDENCE_FAULTS,
  EVIDENCE_PROVIDER_FAULTS,
  EVIDENCE_REQUESTER_FAULTS,
  type EvidenceLenientFault,
} from '../src/faults/faults.ts';
import { signWithFaults } from '../src/faults/forge-evidence.ts';
import type { SignatureReport } from '../src/node-api/node-api.ts';
import type { EvidenceMetadata } from '../src/regrep/z-regrep.ts';
import { EVIDENCE_CHECK } from '../src/requester/checks.ts';
import { type JudgedRequest, judgeEvidence } from '../src/requester/judge-evidence.ts';

const PROVIDER = 'urn:kakehashi:participant:jp:setagaya-city';
const CLASSIFICATION = 'urn:kakehashi:evidence-type:JP:juminhyo';
const PID = 'JP/DE/6grd-vbPEqrbc0piIcv5Z1BInsz2nrIEfXFTa5YwQO8';
const REQUEST_ID = 'urn:uuid:4ffb5281-179d-4578-adf2-39fd13ccc797';
const REQUESTED_AT = '2026-11-23T10:00:00.000Z';
const NOW = Date.parse('2026-11-23T10:05:00.000Z');

const DOCUMENT = buildEvidenceDocument({
  id: 'evidence-1',
  kind: 'residence',
  classification: CLASSIFICATION,
  title: 'Certificate of residence',
  titleLocal: '住民票の写し',
  issuer: { participantId: PROVIDER, name: 'Setagaya City', country: 'JP' },
  subject: {
    familyName: '山田',
    givenName: '太郎',
    familyNameLatin: 'Yamada',
    givenNameLatin: 'Taro',
    dateOfBirth: '1985-04-01',
    personIdentifier: PID,
  },
  facts: { '住所 (address)': '東京都世田谷区' },
  requestId: REQUEST_ID,
  issuedAt: '2026-11-23T10:00:30.000Z',
});

const ROW: JudgedRequest = {
  id: REQUEST_ID,
  attemptId: 'urn:uuid:0b7c8d1e-0000-4000-8000-000000000001',
  provider: PROVIDER,
  providerCountry: 'JP',
  createdAt: REQUESTED_AT,
  model: {
    person: {
      personIdentifier: PID,
      familyName: '山田',
      givenName: '太郎',
      dateOfBirth: '1985-04-01',
      levelOfAssurance: 'High',
    },
    evidenceType: {
      id: 'e1',
      classification: CLASSIFICATION,
      title: 'Certificate of residence',
      format: 'application/xml',
    },
  },
};

const META: EvidenceMetadata = {
  id: 'm1',
  registryObjectId: 'urn:uuid:1',
  classification: CLASSIFICATION,
  title: 'Certificate of residence',
  format: 'application/xml',
  issuingDate: '2026-11-23',
  issuingAuthority: { id: PROVIDER, name: 'Setagaya City' },
  repositoryItemRef: 'cid:evidence-1@kakehashi',
};

/**
 * A stand-in for the node's signature service that still checks something real: the signature is an enveloped
 * `ds:Signature` whose DigestValue is the SHA-256 of the document without it. (The real XAdES service is exercised
 * by tests/e2e/evidence-faults.test.ts, and xmlsec1 by the conformance lane.)
 */
const SIG_RE = /<ds:Signature [\s\S]*<\/ds:Signature>/;
const digest = (xml: string) => createHash('sha256').update(xml).digest('base64');
const toySign = async (xml: string) =>
  xml.replace(
    '</ev:Evidence>',
    `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:Reference URI=""><ds:DigestValue>${digest(xml)}</ds:DigestValue></ds:Reference></ds:SignedInfo></ds:Signature></ev:Evidence>`,
  );
const toyValidate = async (xml: string): Promise<SignatureReport> => {
  const sig = SIG_RE.exec(xml)?.[0];
  if (!sig) return { indication: 'TOTAL-FAILED', subIndicationName: 'FORMAT_FAILURE' };
  const value = /<ds:DigestValue>([^<]*)</.exec(sig)?.[1];
  const intact = value === digest(xml.replace(sig, ''));
  return intact
    ? { indication: 'TOTAL-PASSED', signer: { subject: 'CN=Setagaya City', country: 'JP' } }
    : {
        indication: 'TOTAL-FAILED',
        subIndicationName: 'HASH_FAILURE',
        signer: { subject: 'CN=Setagaya City', country: 'JP' },
      };
};

function switchboard(enable: string[] = []): FaultSwitchboard {
  const b = new FaultSwitchboard();
  b.offer(EVIDENCE_FAULTS);
  if (enable.length > 0) b.set({ enable });
  return b;
}

const judge = (xml: string, faults = switchboard()) =>
  judgeEvidence({ validate: toyValidate, faults, nowMs: () => NOW }, ROW, META, xml);

/** The requester's check a fault's `rule` names (after the catalogue id, when it has one). */
const checkOf = (name: string) => (faultDefinition(name)?.rule ?? '').replace(/^[A-Z]\d+ /, '');

describe('the evidence faults as declared', () => {
  it('every provider forge but the outage has a lenient twin at the requester, naming the same check', () => {
    const forges = EVIDENCE_PROVIDER_FAULTS.filter((f) => f.kind === 'forge').map((f) => f.name);
    expect(EVIDENCE_REQUESTER_FAULTS.map((f) => f.name)).toEqual(forges.map((n) => `lenient.${n}`));
    for (const f of EVIDENCE_REQUESTER_FAULTS)
      expect(f.rule).toBe(faultDefinition(f.name.slice('lenient.'.length))?.rule);
    const checks = Object.values(EVIDENCE_CHECK) as string[];
    for (const f of EVIDENCE_FAULTS) if (faultDefinition(f.name)?.rule) expect(checks).toContain(checkOf(f.name));
    expect(EVIDENCE_FAULTS.every((f) => f.block === 'evidence')).toBe(true);
    expect(EVIDENCE_REQUESTER_FAULTS.some((f) => 'perRequest' in f)).toBe(false);
    expect(DOCUMENT_FAULTS.every((n) => faultDefinition(n)?.perRequest === true)).toBe(true);
  });
});

describe('evidence document faults: the provider forges, the strict requester refuses, the weak one accepts', () => {
  it('off: the evidence is signed as built and the strict requester accepts it, every check passed', async () => {
    const { signed, fault } = await signWithFaults(DOCUMENT, () => false, toySign);
    expect(fault).toBeUndefined();
    const { verdict, fired } = await judge(signed);
    expect(verdict.checks.filter((c) => c.outcome !== 'passed')).toEqual([]);
    expect(verdict.valid).toBe(true);
    expect(fired).toEqual([]);
  });

  /** What each forged document must show (the defect itself, read from the XML). */
  const DEFECT: Record<DocumentFault, (signed: string) => void> = {
    'evidence.unsigned-document': (s) => {
      expect(s).not.toContain('ds:Signature');
      expect(s).toBe(DOCUMENT);
    },
    'evidence.tampered-document': (s) => {
      expect(s).toContain('ds:Signature');
      expect(readEvidenceContent(s).facts['住所 (address)']).toBe('東京都世田谷区 (altered after signing)');
    },
    'evidence.wrong-subject': (s) => {
      const c = readEvidenceContent(s);
      expect(c.personIdentifier).not.toBe(PID);
      expect(c.personIdentifier.startsWith('JP/DE/')).toBe(true);
      expect(c.subject).toMatchObject({ FamilyName: 'Other', GivenName: 'Someone', DateOfBirth: '1970-01-01' });
    },
    'evidence.wrong-request': (s) => {
      const id = readEvidenceContent(s).requestId;
      expect(id).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
      expect(id).not.toBe(REQUEST_ID);
    },
    'evidence.wrong-issuer': (s) => {
      expect(readEvidenceContent(s).issuerParticipant).toBe('urn:kakehashi:participant:jp:another-authority');
    },
    'evidence.wrong-evidence-type': (s) => {
      expect(readEvidenceContent(s).classification).toBe(`${CLASSIFICATION}-other`);
    },
    'evidence.stale-document': (s) => {
      const issued = Date.parse(readEvidenceContent(s).issuedAt);
      expect(Date.parse(REQUESTED_AT) - issued).toBeGreaterThan(360 * 86_400_000);
    },
  };

  it.each(DOCUMENT_FAULTS)(
    '%s: the defect is there and the strict requester refuses it with its rule',
    async (name) => {
      const asked: string[] = [];
      const { signed, fault } = await signWithFaults(
        DOCUMENT,
        (f) => {
          asked.push(f);
          return f === name;
        },
        toySign,
      );
      expect(fault).toBe(name);
      DEFECT[name](signed);
      const strict = await judge(signed);
      expect(strict.verdict.valid).toBe(false);
      const failed = strict.verdict.checks.filter((c) => c.outcome === 'failed').map((c) => c.rule);
      expect(failed).toContain(checkOf(name));
      expect(strict.fired).toEqual([]);
    },
  );

  it.each(DOCUMENT_FAULTS)('lenient.%s: a weak requester accepts it, the check skipped and named', async (name) => {
    const { signed } = await signWithFaults(DOCUMENT, (f) => f === name, toySign);
    const lenient = `lenient.${name}` as EvidenceLenientFault;
    const weak = await judge(signed, switchboard([lenient]));
    expect(weak.verdict.valid).toBe(true);
    expect(weak.fired).toEqual([lenient]);
    const skipped = weak.verdict.checks.filter((c) => c.outcome === 'skipped');
    expect(skipped.map((c) => c.rule)).toContain(checkOf(name));
    expect(skipped.every((c) => c.fault === lenient && c.reason.includes('strict requester refuses'))).toBe(true);
    // Side by side: the same document at a strict requester is refused.
    expect((await judge(signed)).verdict.valid).toBe(false);
  });

  it('a lenient twin relaxes only its own defect: a weak node for unsigned documents still refuses a tampered one', async () => {
    const { signed } = await signWithFaults(DOCUMENT, (f) => f === 'evidence.tampered-document', toySign);
    const weak = await judge(
      signed,
      switchboard(['lenient.evidence.unsigned-document', 'lenient.evidence.wrong-subject']),
    );
    expect(weak.verdict.valid).toBe(false);
    expect(weak.fired).toEqual([]);
    const other = await signWithFaults(DOCUMENT, (f) => f === 'evidence.wrong-request', toySign);
    expect((await judge(other.signed, switchboard(['lenient.evidence.wrong-subject']))).verdict.valid).toBe(false);
  });

  it('a document issued in the future is refused too (issue time), beyond the clock skew', async () => {
    const future = DOCUMENT.replace(/<ev:IssuedAt>[^<]*</, `<ev:IssuedAt>${new Date(NOW + 3_600_000).toISOString()}<`);
    const { verdict } = await judge(await toySign(future));
    expect(verdict.checks.find((c) => c.rule === EVIDENCE_CHECK.issueTime)?.outcome).toBe('failed');
  });
});
