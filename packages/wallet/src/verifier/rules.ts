import type { Check, ErrorCode, Verdict } from '@kakehashi/core';
import '../error-codes.ts';

/** The rules of the presentation verdict, in the order they run. */
export const PRESENTATION_RULES = [
  {
    rule: 'W1',
    id: 'structure',
    name: 'a dc+sd-jwt presentation: JWT~disclosures~KB-JWT, typ dc+sd-jwt, alg ES256, x5c',
    code: 'vp-malformed',
  },
  {
    rule: 'W2',
    id: 'chain',
    name: "the issuer's x5c chain validates against the trusted lists",
    code: 'vp-issuer-untrusted',
  },
  {
    rule: 'W3',
    id: 'issuer',
    name: "iss is a registered node of the certificate's country",
    code: 'vp-issuer-unknown',
  },
  {
    rule: 'W4',
    id: 'signature',
    name: "the issuer's signature verifies with the x5c leaf key",
    code: 'vp-issuer-signature-invalid',
  },
  { rule: 'W5', id: 'validity', name: 'nbf, iat and exp on the virtual clock', code: 'vp-credential-expired' },
  { rule: 'W6', id: 'vct', name: 'vct is the type requested', code: 'vp-vct-invalid' },
  {
    rule: 'W7',
    id: 'disclosures',
    name: 'every disclosure well formed, referenced by the credential, once',
    code: 'vp-disclosure-invalid',
  },
  {
    rule: 'W8',
    id: 'kb-present',
    name: 'a key binding JWT (typ kb+jwt) closes the presentation',
    code: 'vp-key-binding-missing',
  },
  {
    rule: 'W9',
    id: 'kb-signature',
    name: "the key binding JWT is signed by the credential's cnf.jwk",
    code: 'vp-key-binding-invalid',
  },
  { rule: 'W10', id: 'kb-nonce', name: "the key binding nonce is the request's nonce", code: 'vp-nonce-invalid' },
  {
    rule: 'W11',
    id: 'kb-aud',
    name: "the key binding aud is the verifier's full client_id",
    code: 'vp-audience-invalid',
  },
  {
    rule: 'W12',
    id: 'kb-iat',
    name: 'the key binding iat is recent (not in the future, not older than allowed)',
    code: 'vp-key-binding-stale',
  },
  {
    rule: 'W13',
    id: 'sd-hash',
    name: 'sd_hash is the hash of the presented SD-JWT and disclosures',
    code: 'vp-sd-hash-mismatch',
  },
  { rule: 'W14', id: 'dcql', name: 'the disclosed claims satisfy the DCQL query', code: 'vp-query-unmet' },
  {
    rule: 'W15',
    id: 'status',
    name: "the issuer's status list (signed by the same certificate) says valid; a PID valid over 24 h must have one",
    code: 'vp-credential-revoked',
  },
] as const satisfies readonly { rule: string; id: string; name: string; code: ErrorCode }[];

export type PresentationRuleId = (typeof PRESENTATION_RULES)[number]['id'];

/** One rule of a verdict: its W number, id, what it checks, and the code of its failure. */
export interface RuleDefinition<Id extends string = string> {
  rule: string;
  id: Id;
  name: string;
  code: ErrorCode;
}

/** A check of the presentation verdict: core's check with its W rule and a name (as the eID verdicts have). */
export interface PresentationCheck extends Check {
  name: string;
}

/** The verdict on a presentation: core's verdict, every check named, and what the presentation disclosed. */
export interface PresentationVerdict extends Verdict {
  checks: PresentationCheck[];
  /**
   * When valid: the issuer, its country, the vct and the disclosed claims. An mdoc (`format` mso_mdoc) gives its
   * doctype as `vct`, the issuer certificate's subject as `issuer`, and its claims as namespace → element → value.
   */
  credential?: {
    issuer: string;
    country: string;
    vct: string;
    claims: Record<string, unknown>;
    format?: 'dc+sd-jwt' | 'mso_mdoc';
  };
}

/** Each rule list's definitions by id, built once per list (a recorder is made for every presentation). */
const BY_ID = new WeakMap<readonly RuleDefinition<string>[], ReadonlyMap<string, RuleDefinition<string>>>();
function rulesById<Id extends string>(rules: readonly RuleDefinition<Id>[]): ReadonlyMap<string, RuleDefinition<Id>> {
  let m = BY_ID.get(rules);
  if (!m) {
    m = new Map(rules.map((r) => [r.id, r]));
    BY_ID.set(rules, m);
  }
  return m as ReadonlyMap<string, RuleDefinition<Id>>;
}

/**
 * Records checks in rule order; after the first failure the remaining rules are reported skipped. `rules` is the
 * verdict's rule list (default: the SD-JWT VC presentation's; an mdoc presentation has its own).
 */
export function createCheckRecorder<Id extends string = PresentationRuleId>(
  rules: readonly RuleDefinition<Id>[] = PRESENTATION_RULES as unknown as readonly RuleDefinition<Id>[],
) {
  const checks: PresentationCheck[] = [];
  let failed = false;
  const byId = rulesById(rules);
  const def = (id: Id) => byId.get(id) as RuleDefinition<Id>;
  return {
    get failed() {
      return failed;
    },
    pass(id: Id, reason: string) {
      const d = def(id);
      checks.push({ rule: d.rule, name: d.name, outcome: 'passed', reason });
    },
    fail(id: Id, reason: string) {
      const d = def(id);
      failed = true;
      checks.push({ rule: d.rule, name: d.name, outcome: 'failed', reason, code: d.code });
    },
    /** A defect a switched-on `lenient.wallet.*` fault lets through: reported skipped, with the fault named. */
    letThrough(id: Id, fault: string, reason: string) {
      const d = def(id);
      checks.push({
        rule: d.rule,
        name: d.name,
        outcome: 'skipped',
        reason: `Let through by the fault ${fault} (weak node); strict validation refuses: ${reason}`,
        code: d.code,
        fault,
      });
    },
    finish(): PresentationCheck[] {
      const recorded = new Set(checks.map((c) => c.rule));
      for (const d of rules)
        if (!recorded.has(d.rule))
          checks.push({ rule: d.rule, name: d.name, outcome: 'skipped', reason: 'Not run: an earlier rule failed.' });
      return checks;
    },
  };
}
