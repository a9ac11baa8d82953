import { describe, expect, it } from 'vitest';
import {
  type BenchReport,
  formatComparison,
  median,
  parseBenchReport,
  RATIO_KEYS,
  RATIO_TARGETS,
  ratioEntryOf,
  renderBenchTable,
  targetText,
} from '../src/bench-report.ts';

/** A report whose every ratio is `value` (or null), as a run would write it. */
function reportWith(value: number | null, time = '2026-12-02T17:00:00.000Z'): BenchReport {
  return {
    kind: 'kakehashi-bench',
    version: 2,
    time,
    quick: true,
    runs: 3,
    hardware: {
      cpu: 'Test CPU @ 2.00GHz',
      cores: 2,
      memoryGb: 7.8,
      node: 'v24.21.0',
      platform: 'linux-x64',
      loadAverageStart: [1.5, 1.2, 1],
      loadAverageEnd: [2, 1.5, 1.1],
    },
    ratios: Object.fromEntries(
      RATIO_KEYS.map((k) => [k, value === null ? ratioEntryOf(k, undefined, 1) : ratioEntryOf(k, value, 1)]),
    ) as BenchReport['ratios'],
    sections: {},
  };
}

describe('bench report: the ratios of issue 15', () => {
  it('has exactly the keys of the stable surface, each with its target', () => {
    expect(RATIO_KEYS).toEqual([
      'as4VsCryptoCeiling',
      'idTokenServiceVsFunction',
      'samlServiceVsFunction',
      'idTokenFunctionVsVerifyRS256',
      'idTokenFunctionVsVerifyES256',
      'xadesValidationVsCryptoCeiling',
      'jpQueryVsCryptoCeiling',
      'oidcLoginVsFastestPeer',
      'warmStartVsMockPass',
      'walletPresentationVsVerifyCeiling',
    ]);
    expect(targetText('as4VsCryptoCeiling')).toBe('≥ 0.5');
    expect(targetText('idTokenFunctionVsVerifyES256')).toBe('≥ 0.6');
    expect(targetText('jpQueryVsCryptoCeiling')).toBe('≥ 0.3');
    expect(targetText('oidcLoginVsFastestPeer')).toBe('≥ 1.2');
    expect(targetText('warmStartVsMockPass')).toBe('≤ 1.5');
    expect(targetText('walletPresentationVsVerifyCeiling')).toBe('≥ 0.5');
  });

  it('computes a ratio and whether its target is met (at least / at most)', () => {
    expect(ratioEntryOf('as4VsCryptoCeiling', 12, 400)).toEqual({ value: 0.03, target: '≥ 0.5', met: false });
    expect(ratioEntryOf('as4VsCryptoCeiling', 300, 400)).toMatchObject({ value: 0.75, met: true });
    expect(ratioEntryOf('as4VsCryptoCeiling', 200, 400)).toMatchObject({ value: 0.5, met: true });
    expect(ratioEntryOf('warmStartVsMockPass', 2450, 1000)).toMatchObject({ value: 2.45, met: false });
    expect(ratioEntryOf('warmStartVsMockPass', 1400, 1000)).toMatchObject({ value: 1.4, met: true });
  });

  it('an extra condition must hold too (RSS limit, p50 no worse), and says why', () => {
    const e = ratioEntryOf('warmStartVsMockPass', 1000, 1000, { extraCondition: { ok: false, why: 'RSS 213 MB' } });
    expect(e).toMatchObject({ value: 1, met: false, note: 'RSS 213 MB' });
    const f = ratioEntryOf('oidcLoginVsFastestPeer', 130, 100, {
      note: 'fastest peer: x',
      extraCondition: { ok: true, why: 'p50 9 ms vs 10 ms' },
    });
    expect(f).toEqual({ value: 1.3, target: '≥ 1.2', met: true, note: 'fastest peer: x; p50 9 ms vs 10 ms' });
  });

  it('a side not measured gives null, unmet, with the reason', () => {
    expect(ratioEntryOf('jpQueryVsCryptoCeiling', undefined, 10, { note: 'section failed: boom' })).toEqual({
      value: null,
      target: '≥ 0.3',
      met: false,
      note: 'section failed: boom',
    });
    expect(ratioEntryOf('jpQueryVsCryptoCeiling', 5, 0).value).toBeNull();
    expect(ratioEntryOf('jpQueryVsCryptoCeiling', Number.NaN, 3).value).toBeNull();
  });

  it('takes medians of odd and even counts, refuses none', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow();
  });
});

describe('bench report: shape, comparison and README table', () => {
  it('accepts a complete report and refuses one missing a ratio key or the hardware load averages', () => {
    const r = reportWith(0.2);
    expect(parseBenchReport(JSON.parse(JSON.stringify(r)))).toEqual(r);
    const { jpQueryVsCryptoCeiling: _, ...fewer } = r.ratios;
    expect(() => parseBenchReport({ ...r, ratios: fewer })).toThrow(/jpQueryVsCryptoCeiling/);
    expect(() => parseBenchReport({ ...r, hardware: { ...r.hardware, loadAverageEnd: [1] } })).toThrow();
    expect(() => parseBenchReport({ ...r, version: 1 })).toThrow();
  });

  it('reads a report written before walletPresentationVsVerifyCeiling existed as that key not measured', () => {
    const { walletPresentationVsVerifyCeiling: _, ...older } = reportWith(0.2).ratios;
    const parsed = parseBenchReport(JSON.parse(JSON.stringify({ ...reportWith(0.2), ratios: older })));
    expect(parsed.ratios.walletPresentationVsVerifyCeiling).toEqual({
      value: null,
      target: '≥ 0.5',
      met: false,
      note: 'not in this report (an older run)',
    });
  });

  it('prints the change of every ratio between two runs', () => {
    const text = formatComparison(reportWith(0.2), reportWith(0.3, '2026-12-03T10:00:00.000Z'));
    expect(text).toContain('before: 2026-12-02T17:00:00.000Z');
    expect(text).toContain('after:  2026-12-03T10:00:00.000Z');
    expect(text).toContain('| as4VsCryptoCeiling | 0.2 | 0.3 | +50.0 % | ≥ 0.5 | unmet |');
    expect(text).toContain('| warmStartVsMockPass | 0.2 | 0.3 | +50.0 % | ≤ 1.5 | met |');
    const down = formatComparison(reportWith(0.4), reportWith(0.3));
    expect(down).toContain('| jpQueryVsCryptoCeiling | 0.4 | 0.3 | -25.0 % | ≥ 0.3 | met |');
    const missing = formatComparison(reportWith(null), reportWith(0.3));
    expect(missing).toContain('| as4VsCryptoCeiling | — | 0.3 | n/a |');
    expect(text.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| ratio')).length).toBe(
      RATIO_KEYS.length + 1,
    );
  });

  it('renders the README table with every key, its target and the hardware', () => {
    const table = renderBenchTable(reportWith(0.55));
    for (const k of RATIO_KEYS) expect(table).toContain(`| \`${k}\` | 0.55 | ${targetText(k)} |`);
    expect(table).toContain(
      `| \`as4VsCryptoCeiling\` | 0.55 | ≥ 0.5 | met | ${RATIO_TARGETS.as4VsCryptoCeiling.what} |`,
    );
    expect(table).toContain('Test CPU @ 2.00GHz, 2 cores, 7.8 GB RAM, Node v24.21.0');
    expect(table).toContain('load average 1.5 / 1.2 / 1 at start, 2 / 1.5 / 1.1 at end');
    expect(table).toContain('medians of 3');
  });
});

describe('bench --sections', () => {
  it('refuses an unknown section name before measuring anything, naming the known ones', async () => {
    const { runBench, BENCH_SECTIONS } = await import('../src/bench.ts');
    const writes: string[] = [];
    const orig = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((s: string) => {
      writes.push(String(s));
      return true;
    }) as typeof process.stderr.write;
    try {
      expect(await runBench({ quick: true, sections: ['eid', 'as5'] })).toBe(2);
    } finally {
      process.stderr.write = orig;
    }
    expect(writes.join('')).toContain('unknown section(s) as5');
    expect(writes.join('')).toContain(BENCH_SECTIONS.join(', '));
  });
});
