import type { ErrorCode } from '@kakehashi/core';
import type { CertificateFacts } from '../pki/inspect-certificate.ts';
import type { ChainEntry, PathCheck, PathCheckName, PathValidationResult } from './z-path.ts';

/** The clause each check of path validation implements (reported with every check). */
export const RULES = {
  parse: 'RFC 5280 §4.1',
  chain: 'RFC 5280 §6.1 (path building: issuer name and key identifier)',
  anchor: 'RFC 5280 §6.1.1(d) (trust anchor: name and public key)',
  anchorStatus: 'ETSI TS 119 612 §5.5.4 (service status granted at validation time)',
  algorithm: 'ETSI TS 119 312 / RFC 5280 §4.1.1.2 (no SHA-1 or MD5 signatures, RSA ≥ 2048 bits)',
  signature: 'RFC 5280 §6.1.3(a)(1)',
  validity: 'RFC 5280 §6.1.3(a)(2)',
  basicConstraints: 'RFC 5280 §6.1.4(k) and §4.2.1.9',
  pathLength: 'RFC 5280 §6.1.4(l)-(m)',
  keyUsageCa: 'RFC 5280 §6.1.4(n) and §4.2.1.3',
  keyUsageLeaf: 'RFC 5280 §4.2.1.3 / §4.2.1.12',
  revocation: 'RFC 5280 §6.1.3(a)(3) and §6.3 (CRL processing)',
  criticalExtensions: 'RFC 5280 §4.2 and §6.1.4(o) (unrecognised critical extensions)',
} as const;

/** Collects the checks of one validation, in reporting order, and turns them into the result. */
export interface CheckRecorder {
  pass(check: PathCheckName, rule: string, reason: string, certificate?: string, skipped?: boolean): void;
  fail(check: PathCheckName, rule: string, code: ErrorCode, reason: string, certificate?: string): void;
  /** The result over the checks recorded so far: valid when none failed; the failure is the first failed check. */
  finish(chain: ChainEntry[]): PathValidationResult;
}

export function createRecorder(): CheckRecorder {
  const checks: PathCheck[] = [];
  return {
    pass(check, rule, reason, certificate, skipped = false) {
      const c: PathCheck = { check, rule, outcome: 'passed', reason };
      if (skipped) c.skipped = true;
      if (certificate !== undefined) c.certificate = certificate;
      checks.push(c);
    },
    fail(check, rule, code, reason, certificate) {
      const c: PathCheck = { check, rule, outcome: 'failed', code, reason };
      if (certificate !== undefined) c.certificate = certificate;
      checks.push(c);
    },
    finish(chain) {
      const first = checks.find((c) => c.outcome === 'failed');
      const result: PathValidationResult = { valid: !first, chain, checks };
      if (first?.code) result.failure = { code: first.code, reason: first.reason, rule: first.rule };
      return result;
    },
  };
}

export const iso = (d: Date) => d.toISOString();

/** The ISO form of a certificate's own dates, written once per parsed certificate (every path validation lists them). */
const FACT_ISO = new WeakMap<Date, string>();
export function factIso(d: Date): string {
  let s = FACT_ISO.get(d);
  if (s === undefined) {
    s = d.toISOString();
    FACT_ISO.set(d, s);
  }
  return s;
}

/** A certificate of the path as the result lists it. */
export function chainEntry(f: CertificateFacts, isAnchor: boolean): ChainEntry {
  return {
    subject: f.subject,
    issuer: f.issuer,
    serial: f.serialHex,
    notBefore: factIso(f.notBefore),
    notAfter: factIso(f.notAfter),
    label: f.label,
    isAnchor,
  };
}
