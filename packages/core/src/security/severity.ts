import type { Severity } from './z-security-event.ts';

/**
 * The severity of a refusal by the attack-catalogue id its rule names — data, not code, so a reviewer reads the
 * whole policy in one table. Forged or substituted signatures, key confusion, wrapping, XML injection and
 * pseudonym abuse are `high`; replays and refusals of a party or path `medium`; the rest (expiry, audience,
 * level of assurance, stale lists) `low`. Anything not in the table is `low`, or `medium` by its code (below).
 * @see /work/shared/design/attack-catalogue.md
 */
export const SEVERITY_BY_CATALOGUE_ID: Readonly<Record<string, Severity>> = {
  J1: 'high',
  J2: 'high',
  J3: 'medium',
  J4: 'high',
  J5: 'high',
  J6: 'high',
  J7: 'high',
  J8: 'low',
  J9: 'low',
  J10: 'medium',
  J11: 'medium',
  J12: 'medium',
  J13: 'medium',
  J14: 'high',
  J15: 'high',
  J16: 'low',
  J17: 'medium',
  ...Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`S${i + 1}`, 'high'])),
  S12: 'medium',
  S13: 'medium',
  S14: 'low',
  S15: 'low',
  S16: 'low',
  S17: 'medium',
  S18: 'low',
  S19: 'medium',
  S20: 'high',
  X1: 'high',
  X2: 'high',
  X3: 'high',
  X4: 'high',
  X5: 'high',
  X6: 'medium',
  C1: 'low',
  C2: 'low',
  C3: 'medium',
  C4: 'medium',
  C5: 'medium',
  C6: 'high',
  C7: 'medium',
  C8: 'high',
  C9: 'high',
  C10: 'high',
  C11: 'high',
  E1: 'medium',
  E2: 'medium',
  E3: 'medium',
  E4: 'high',
  E5: 'high',
  E6: 'medium',
  E7: 'high',
  E8: 'high',
  E9: 'low',
  P1: 'high',
  P2: 'medium',
  P3: 'high',
  P4: 'high',
  P5: 'medium',
  P6: 'medium',
  P7: 'high',
  P8: 'high',
};

/** Codes that say a signature, key or certificate was forged or substituted: `high` even without a catalogue id. */
const HIGH_CODE =
  /indicator-match|HASH_FAILURE|SIG_CRYPTO_FAILURE|signature|forged|tamper|wrapping|xsw|key-confusion|alg-none|doctype|entity|EBMS:0101|EBMS:0102/i;
/** Codes of replays, refused registrations and unauthorised callers: `medium`. */
const MEDIUM_CODE =
  /not-authori[sz]ed|replay|duplicate|registration|unauthori[sz]ed|forbidden|refused|revoked|untrusted|indicator/i;

/**
 * The attack-catalogue id a rule names (`J4`, `attack-catalogue E6`, `ebMS 3.0 core §5.2.2.13 (E5)`), if any.
 * XSW variants (`XSW3`) are not X-ids: the id must stand alone.
 */
export function catalogueIdOf(rule: string): string | undefined {
  const m = /(?:^|[\s(,])([JSXCEP]\d{1,2})(?=$|[\s),:])/.exec(rule);
  return m && SEVERITY_BY_CATALOGUE_ID[m[1] as string] !== undefined ? m[1] : undefined;
}

/** The severity of a refusal of `rule` with `code`: the catalogue table, else by the code's words, else `low`. */
export function severityOf(rule: string, code?: string): Severity {
  const id = catalogueIdOf(rule);
  if (id) return SEVERITY_BY_CATALOGUE_ID[id] as Severity;
  const words = `${rule} ${code ?? ''}`;
  if (HIGH_CODE.test(words)) return 'high';
  if (MEDIUM_CODE.test(words)) return 'medium';
  return 'low';
}
