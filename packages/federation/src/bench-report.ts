/**
 * The pure part of `kakehashi bench`: the report's shape (zod, checked on write and on `--compare`), the target
 * ratios of issue 15 and whether each is met, the comparison of two runs, and the README's benchmark table. No
 * measurement happens here, so all of it is unit-tested.
 */
import { z } from 'zod';

/** The stable surface: the ratio keys every run reports, with the target of each (`min`: at least, `max`: at most). */
export const RATIO_TARGETS = {
  as4VsCryptoCeiling: { min: 0.5, what: 'AS4 messages/s to ACKNOWLEDGED ÷ the RSA private-operation ceiling' },
  idTokenServiceVsFunction: { min: 0.5, what: 'ID-token validations/s through the service ÷ as a function call' },
  samlServiceVsFunction: { min: 0.5, what: 'SAML Response validations/s through the service ÷ as a function call' },
  idTokenFunctionVsVerifyRS256: { min: 0.6, what: 'RS256 ID-token validations/s (function) ÷ raw RSA verifies/s' },
  idTokenFunctionVsVerifyES256: { min: 0.6, what: 'ES256 ID-token validations/s (function) ÷ raw ECDSA verifies/s' },
  xadesValidationVsCryptoCeiling: { min: 0.5, what: 'XAdES B-B full validations/s ÷ the crypto ceiling of one' },
  jpQueryVsCryptoCeiling: { min: 0.3, what: "Japan's mediated queries/s ÷ the HMAC + AES + signature ceiling" },
  oidcLoginVsFastestPeer: { min: 1.2, what: 'OIDC logins/s at one node ÷ the fastest peer (p50 no worse)' },
  warmStartVsMockPass: { max: 1.5, what: 'warm start of hub + 7 nodes ÷ MockPass start to first discovery' },
  walletPresentationVsVerifyCeiling: {
    min: 0.5,
    what: 'SD-JWT VC presentations validated/s (function) ÷ raw ES256 verifies/s over the 2 every presentation needs',
  },
} as const satisfies Record<string, { min?: number; max?: number; what: string }>;

export type RatioKey = keyof typeof RATIO_TARGETS;
export const RATIO_KEYS = Object.keys(RATIO_TARGETS) as RatioKey[];

/** Resident memory limit that goes with `warmStartVsMockPass` (issue 15). */
export const WARM_RSS_LIMIT_MB = 200;

const ratioEntry = z.object({
  /** The measured ratio; null when a side could not be measured (then `note` says why). */
  value: z.number().nullable(),
  target: z.string(),
  met: z.boolean(),
  note: z.string().optional(),
});
export type RatioEntry = z.infer<typeof ratioEntry>;

const hardware = z.object({
  cpu: z.string(),
  cores: z.number().int().positive(),
  memoryGb: z.number(),
  node: z.string(),
  platform: z.string(),
  loadAverageStart: z.array(z.number()).length(3),
  loadAverageEnd: z.array(z.number()).length(3),
});

/** The report `bench-results/federation.json` holds. `sections` is free-form per section; `ratios` is the contract. */
export const benchReportSchema = z.object({
  kind: z.literal('kakehashi-bench'),
  version: z.literal(2),
  time: z.string(),
  quick: z.boolean(),
  runs: z.number().int().positive(),
  hardware,
  ratios: z.object(Object.fromEntries(RATIO_KEYS.map((k) => [k, ratioEntry])) as Record<RatioKey, typeof ratioEntry>),
  sections: z.record(z.string(), z.unknown()),
});
export type BenchReport = z.infer<typeof benchReportSchema>;

/** The target of a key as text (`≥ 0.5`, `≤ 1.5`). */
export function targetText(key: RatioKey): string {
  const t: { min?: number; max?: number } = RATIO_TARGETS[key];
  return t.min !== undefined ? `≥ ${t.min}` : `≤ ${t.max}`;
}

/** Rounds to three decimals (ratios), keeping null. */
export const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** The median of a non-empty list (mean of the middle two for an even count). */
export function median(xs: number[]): number {
  if (xs.length === 0) throw new Error('median of nothing');
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/**
 * A ratio entry: `numerator / denominator` against the key's target. Missing or non-positive sides give a null
 * value and `met: false` with the reason. `extraCondition` (e.g. RSS under the limit, p50 no worse) must hold too.
 */
export function ratioEntryOf(
  key: RatioKey,
  numerator: number | undefined,
  denominator: number | undefined,
  opts: { note?: string; extraCondition?: { ok: boolean; why: string } } = {},
): RatioEntry {
  const target = targetText(key);
  if (numerator === undefined || denominator === undefined || !(denominator > 0) || !Number.isFinite(numerator)) {
    return { value: null, target, met: false, note: opts.note ?? 'not measured in this run' };
  }
  const value = r3(numerator / denominator);
  const t: { min?: number; max?: number } = RATIO_TARGETS[key];
  let met = t.min !== undefined ? value >= t.min : value <= (t.max as number);
  const notes = opts.note ? [opts.note] : [];
  if (opts.extraCondition) {
    notes.push(opts.extraCondition.why);
    met = met && opts.extraCondition.ok;
  }
  return { value, target, met, ...(notes.length ? { note: notes.join('; ') } : {}) };
}

/** Parses and checks a report (a file written by an earlier run, or one about to be written). */
export function parseBenchReport(json: unknown): BenchReport {
  // A report written before a key existed (walletPresentationVsVerifyCeiling, issue 17) reads as not measured.
  const ratios = (json as { ratios?: Record<string, unknown> } | null)?.ratios;
  if (ratios && typeof ratios === 'object')
    for (const k of LATER_KEYS)
      if (!(k in ratios))
        ratios[k] = { value: null, target: targetText(k), met: false, note: 'not in this report (an older run)' };
  return benchReportSchema.parse(json);
}

/** Keys added after the first reports were written. */
const LATER_KEYS: readonly RatioKey[] = ['walletPresentationVsVerifyCeiling'];

/** The change of every ratio between two runs, as lines of text (a table), newest last. */
export function formatComparison(before: BenchReport, after: BenchReport): string {
  const rows = RATIO_KEYS.map((k) => {
    const a = before.ratios[k].value;
    const b = after.ratios[k].value;
    const change =
      a === null || b === null || a === 0 ? 'n/a' : `${b >= a ? '+' : ''}${((b / a - 1) * 100).toFixed(1)} %`;
    const fmt = (v: number | null) => (v === null ? '—' : String(v));
    const met = after.ratios[k].met ? 'met' : 'unmet';
    return `| ${k} | ${fmt(a)} | ${fmt(b)} | ${change} | ${targetText(k)} | ${met} |`;
  });
  return [
    `before: ${before.time} (${before.hardware.cpu}, ${before.hardware.cores} cores)`,
    `after:  ${after.time} (${after.hardware.cpu}, ${after.hardware.cores} cores)`,
    '',
    '| ratio | before | after | change | target | after |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

/** The README's benchmark table (between `<!-- bench:begin -->` and `<!-- bench:end -->`): ratios and hardware. */
export function renderBenchTable(r: BenchReport): string {
  const h = r.hardware;
  const rows = RATIO_KEYS.map((k) => {
    const e = r.ratios[k];
    return `| \`${k}\` | ${e.value === null ? '—' : e.value} | ${e.target} | ${e.met ? 'met' : 'unmet'} | ${RATIO_TARGETS[k].what} |`;
  });
  return [
    '| ratio | measured | target | | what |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `Measured ${r.time.slice(0, 10)}${r.quick ? ' (`--quick`)' : ''}, medians of ${r.runs}: ${h.cpu}, ${h.cores} cores, ` +
      `${h.memoryGb} GB RAM, Node ${h.node}, ${h.platform}, load average ${h.loadAverageStart.join(' / ')} at start, ` +
      `${h.loadAverageEnd.join(' / ')} at end.`,
  ].join('\n');
}
