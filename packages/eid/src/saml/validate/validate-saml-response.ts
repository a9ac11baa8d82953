import { checkConditions } from './check-conditions.ts';
import { checkMessage } from './check-message.ts';
import { checkTrust } from './check-trust.ts';
import { extractIdentity } from './extract-identity.ts';
import { CHECKS, CheckFailed, type CheckId, type Recorder } from './saml-checks.ts';
import type { ValidateSamlResponseContext } from './validation-context.ts';
import type { ExpectedSamlResponse, SamlCheck, SamlIdentity, SamlVerdict } from './z-saml-validation.ts';

/**
 * Validates an eIDAS SAML Response strictly and returns a verdict naming every check (S1–S20, X1–X6 of the attack
 * catalogue). The XML is parsed once with the safe parser; signatures are canonicalised and verified from that
 * same DOM and only the element a signature's single Reference points to — its parent — is consumed; keys come
 * only from the IdP's metadata validated against the trust fabric; values are read as full string values.
 * `samlResponse` is the form value (base64) or the XML, or a Document the caller parsed with `parseSamlXml`.
 * The assertion is checked before its envelope's signature so that a swapped assertion is named as such; both
 * signatures must verify.
 * @see https://docs.oasis-open.org/security/saml/v2.0/saml-profiles-2.0-os.pdf (§4.1.4.3 Response processing)
 * @see https://www.usenix.org/conference/usenixsecurity12/technical-sessions/presentation/somorovsky (XSW)
 * @see shared/design/attack-catalogue.md (S1–S20, X1–X6)
 */
export async function validateSamlResponse(
  samlResponse: string | Document,
  expected: ExpectedSamlResponse,
  ctx: ValidateSamlResponseContext,
): Promise<SamlVerdict> {
  const results = new Map<CheckId, Omit<SamlCheck, 'name'>>();
  let failed: CheckId | undefined;
  const def = (id: CheckId) => CHECKS.find((c) => c.id === id) as (typeof CHECKS)[number];
  const relaxed = new Set<CheckId>();
  const r: Recorder = {
    pass: (id, reason) => {
      if (!relaxed.has(id)) results.set(id, { rule: def(id).rule, outcome: 'passed', reason });
    },
    skip: (id, reason) => {
      if (!relaxed.has(id)) results.set(id, { rule: def(id).rule, outcome: 'skipped', reason });
    },
    fail: (id, reason, code, rule) => {
      results.set(id, { rule: rule ?? def(id).rule, outcome: 'failed', reason, code: code ?? def(id).code });
      failed = id;
      throw new CheckFailed(reason);
    },
    failUnless: (fault, id, reason, code, rule) => {
      const named = rule ?? def(id).rule;
      if (!ctx.relax?.(fault, { rule: named, reason })) return r.fail(id, reason, code, rule);
      relaxed.add(id);
      results.set(id, {
        rule: named,
        outcome: 'skipped',
        reason: `Skipped by fault ${fault} (weak node); a strict validator refuses: ${reason}`,
        fault,
      });
    },
    relaxed: (id) => relaxed.has(id),
  };
  let identity: SamlIdentity | undefined;
  try {
    identity = await run(samlResponse, expected, ctx, r);
  } catch (e) {
    if (!(e instanceof CheckFailed)) throw e;
  }
  const checks: SamlCheck[] = CHECKS.map((d) => {
    const res = results.get(d.id) ?? {
      rule: d.rule,
      outcome: 'skipped' as const,
      reason: `Not evaluated: an earlier check failed (${failed ? results.get(failed)?.rule : '?'}).`,
    };
    return { name: d.name, ...res };
  });
  if (failed) {
    const f = results.get(failed) as Omit<SamlCheck, 'name'>;
    return { valid: false, checks, failure: { rule: f.rule, code: f.code ?? def(failed).code, reason: f.reason } };
  }
  return { valid: true, checks, ...(identity ? { identity } : {}) };
}

/** The three check groups in order — message, trust, conditions — then the identity the assertion carries. */
async function run(
  input: string | Document,
  expected: ExpectedSamlResponse,
  ctx: ValidateSamlResponseContext,
  r: Recorder,
): Promise<SamlIdentity> {
  const message = checkMessage(input, expected, ctx, r);
  const { idp, scData } = await checkTrust(message, expected, ctx, r);
  const loa = checkConditions(message.resp, message.assertion, scData, expected, ctx, r);
  return extractIdentity(message.assertion, expected.issuer, idp.country, loa);
}
