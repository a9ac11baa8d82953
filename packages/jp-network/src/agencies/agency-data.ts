import { SeededRandom } from '@kakehashi/core';
import type { Persona } from '@kakehashi/personas';

/** The information items each kind of agency holds copies of (what it may provide). */
export const ITEMS_BY_KIND: Record<string, readonly string[]> = {
  municipality: ['local-tax-income', 'household-composition', 'child-allowance-status'],
  pension: ['pension-benefit-status', 'pension-benefit-amount', 'pension-contribution-record'],
  tax: ['income', 'income-tax-return-filed'],
  'health-insurer': ['health-insurance-eligibility'],
};

/** Prefix of an agency's internal record ids (its own numbering, unrelated to any national number). */
export const INTERNAL_PREFIX: Record<string, string> = {
  municipality: 'JUKI',
  pension: 'NENKIN',
  tax: 'NTA',
  'health-insurer': 'KENPO',
};

const round = (n: number, step: number) => Math.round(n / step) * step;

/**
 * The data copies an agency's intermediary server holds for one persona, derived from the seed (the same
 * person gets consistent figures at every agency: one stream per person, not per agency). Amounts stay below
 * eight digits, so no value can be mistaken for a 12-digit My Number or an 11-digit resident record code.
 */
export function agencyDataFor(seed: string, persona: Persona, kind: string): Record<string, unknown> {
  const r = new SeededRandom(seed, `jp-network/agency-data/${persona.id}`);
  const age = 2026 - Number(persona.dateOfBirth.slice(0, 4));
  const retired = age >= 65;
  const income = retired ? round(800_000 + r.int(2_500_000), 1000) : round(2_000_000 + r.int(7_000_000), 1000);
  const children = age >= 25 && age < 55 ? r.int(4) : 0;
  const members = 1 + (age >= 25 ? r.int(2) : 0) + children;
  const pensionAnnual = retired ? round(780_000 + r.int(1_600_000), 100) : 0;
  const paidMonths = Math.min(480, Math.max(0, (Math.min(age, 60) - 20) * 12 - r.int(24)));
  const all: Record<string, unknown> = {
    'local-tax-income': {
      fiscalYear: 2025,
      taxableIncomeJpy: Math.max(0, income - 430_000),
      residentTaxJpy: round(Math.max(0, income - 430_000) * 0.1, 100),
    },
    'household-composition': { members, children },
    'child-allowance-status': { entitled: children > 0, monthlyJpy: children * 10_000 },
    'pension-benefit-status': { receiving: retired, kind: retired ? 'old-age basic pension (老齢基礎年金)' : 'none' },
    'pension-benefit-amount': { fiscalYear: 2025, annualJpy: pensionAnnual },
    'pension-contribution-record': { paidMonths, exemptMonths: r.int(12) },
    income: { fiscalYear: 2025, totalIncomeJpy: income + pensionAnnual },
    'income-tax-return-filed': { fiscalYear: 2025, filed: r.int(3) > 0 },
    'health-insurance-eligibility': {
      insured: !retired,
      insurerNumber: '01130012',
      memberSymbol: String(1000 + r.int(9000)),
      memberNumber: String(1 + r.int(99)),
      dependants: Math.max(0, members - 1),
    },
  };
  return Object.fromEntries((ITEMS_BY_KIND[kind] ?? []).map((i) => [i, all[i]]));
}
