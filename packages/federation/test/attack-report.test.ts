import { describe, expect, it } from 'vitest';
import { readForm } from '../src/attack/browser.ts';
import { attackCases, selectCases } from '../src/attack/cases.ts';
import { compileProbe, parseStatusSet } from '../src/attack/probe.ts';
import {
  type AttackReport,
  type CaseResult,
  exitCodeOf,
  renderHtml,
  renderJunit,
  summarise,
} from '../src/attack/report.ts';

/** The attack runner's pure parts: case selection, the outcome probe, the three report formats. */
const HOSTILE = '<script>alert(1)</script>"\'&\u0001';

const result = (id: string, status: CaseResult['status'], extra: Partial<CaseResult> = {}): CaseResult => ({
  id,
  rule: 'J1 jwt-alg-none',
  fault: id.startsWith('baseline') ? null : id,
  description: `the ${id} case`,
  status,
  sent: { summary: `sent ${id}`, artefact: { header: { alg: 'none' } } },
  target: { outcome: status === 'passed' ? 'refused' : 'accepted', status: 400, excerpt: HOSTILE },
  detail: `detail of ${id} ${HOSTILE}`,
  durationMs: 12,
  ...extra,
});

function report(cases: CaseResult[], verdict: AttackReport['verdict'] = 'failed'): AttackReport {
  return {
    tool: 'kakehashi attack',
    reportVersion: 1,
    target: { kind: 'oidc-rp', url: `http://127.0.0.1:3000/login?x=${HOSTILE}` },
    node: 'http://127.0.0.1:7001',
    startedAt: '2026-12-02T10:00:00.000Z',
    finishedAt: '2026-12-02T10:00:05.000Z',
    baselines: [result('baseline.id-token', 'passed', { target: { outcome: 'accepted', status: 200 } })],
    cases,
    summary: summarise(cases),
    verdict,
  };
}

describe('attack cases', () => {
  it('has one case per forge fault, each aimed at self and one user target kind (the wallet’s: a verifier only)', () => {
    const cases = attackCases();
    expect(cases.length).toBeGreaterThanOrEqual(48);
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
    for (const c of cases) {
      if (c.artefact === 'wallet') {
        expect(c.kinds).toEqual(['verifier']);
        expect(c.id).toMatch(/^wallet\.vp-/);
      } else {
        expect(c.kinds[0]).toBe('self');
        expect(c.kinds).toHaveLength(2);
      }
      expect(c.rule).toMatch(/^[A-Z]/);
      expect(c.fault).toBe(c.id);
    }
  });

  it('selects by case id, catalogue id, rule name and prefix, and reports unknown entries', () => {
    const cases = attackCases();
    const { selected, unknown } = selectCases(cases, [
      'id-token.expired',
      'S18',
      'saml.wrong-issuer',
      'esig.*',
      'nope',
    ]);
    expect(selected.map((c) => c.id)).toEqual(
      expect.arrayContaining(['id-token.expired', 'saml.loa-too-low', 'saml.wrong-issuer', 'esig.weak-algorithm']),
    );
    expect(selected.every((c) => c.artefact !== 'edelivery')).toBe(true);
    expect(unknown).toEqual(['nope']);
    expect(selectCases(cases, undefined).selected).toHaveLength(cases.length);
  });
});

describe('outcome probe', () => {
  const answer = (status: number, text = '', redirects: string[] = []) => ({ status, text, redirects, url: 'x' });

  it('by default: 4xx/5xx refused, anything below accepted', () => {
    const probe = compileProbe();
    expect(probe(answer(400))).toBe('refused');
    expect(probe(answer(502))).toBe('refused');
    expect(probe(answer(200))).toBe('accepted');
    expect(probe(answer(303))).toBe('accepted');
  });

  it('takes status sets, redirect and text patterns; refused wins; neither side is unclear', () => {
    const probe = compileProbe({
      refused: { redirect: '/error\\?', text: 'Login failed' },
      accepted: { text: 'Welcome back' },
    });
    expect(probe(answer(302, '', ['http://rp/error?code=x']))).toBe('refused');
    expect(probe(answer(200, '<h1>Login failed</h1> Welcome back'))).toBe('refused');
    expect(probe(answer(200, 'Welcome back'))).toBe('accepted');
    expect(probe(answer(500, 'oops'))).toBe('unclear');
  });

  it('a signature validator refuses with a JSON verdict by default', () => {
    const probe = compileProbe({}, 'signature-validator');
    expect(probe(answer(200, '{"indication":"TOTAL-FAILED"}'))).toBe('refused');
    expect(probe(answer(200, '{"valid": false}'))).toBe('refused');
    expect(probe(answer(200, '{"indication":"TOTAL-PASSED"}'))).toBe('accepted');
  });

  it('refuses a malformed status set', () => {
    expect(() => parseStatusSet('4xy')).toThrow(/neither a code/);
    expect(() => parseStatusSet('')).toThrow(/empty/);
    expect(parseStatusSet('401,5xx')(503)).toBe(true);
    expect(parseStatusSet('401,5xx')(400)).toBe(false);
  });
});

describe('reports', () => {
  const cases = [
    result('id-token.alg-none', 'passed'),
    result('id-token.expired', 'failed'),
    result('id-token.wrong-typ', 'unavailable'),
    result('id-token.unknown-kid', 'error'),
  ];

  it('exit code: 0 only when every case passed, 2 when inconclusive', () => {
    expect(exitCodeOf(report(cases))).toBe(1);
    expect(exitCodeOf(report([result('id-token.alg-none', 'passed')], 'passed'))).toBe(0);
    expect(exitCodeOf(report([], 'inconclusive'))).toBe(2);
  });

  it('JUnit: one testcase per case and baseline; an accepted forgery is a failure; everything escaped', () => {
    const xml = renderJunit(report(cases));
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    expect(xml.match(/<testcase /g)).toHaveLength(5);
    expect(xml).toMatch(/<testsuites [^>]*tests="5" failures="1" errors="1" skipped="1"/);
    expect(xml).toMatch(
      /name="id-token\.expired \(J1 jwt-alg-none\)"[^>]*>\s*<failure message="detail of id-token\.expired/,
    );
    expect(xml).not.toContain('<script>');
    expect(xml).not.toContain('\u0001');
    // Well-formed: every element closed in order (a tiny stack check; xmllint checks it in the processes lane).
    const stack: string[] = [];
    for (const m of xml.matchAll(/<(\/?)([a-z-]+)\b[^>]*?(\/?)>/g)) {
      if (m[3]) continue;
      if (m[1]) expect(stack.pop()).toBe(m[2]);
      else stack.push(m[2] as string);
    }
    expect(stack).toEqual([]);
  });

  it('HTML: self-contained, its own policy, no script, every case in a row, every value escaped', () => {
    const html = renderHtml(report(cases));
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
    expect(html).not.toMatch(/<script|src="http|href="http/);
    for (const c of ['baseline.id-token', ...cases.map((x) => x.id)]) expect(html).toContain(`data-case="${c}"`);
    expect(html).toContain('data-status="failed"');
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).toContain('data-verdict="failed"');
  });
});

describe('the browser form reader', () => {
  it('reads the auto-submitting SAML form: action resolved, entities decoded', () => {
    const form = readForm(
      '<form method="post" action="/acs?a=1&amp;b=2"><input type="hidden" name="SAMLResponse" value="PD94&#43;bWw="><input name="RelayState" value="r&amp;s"></form>',
      'http://127.0.0.1:3002/x',
    );
    expect(form).toEqual({
      action: 'http://127.0.0.1:3002/acs?a=1&b=2',
      fields: { SAMLResponse: 'PD94+bWw=', RelayState: 'r&s' },
    });
  });
});
