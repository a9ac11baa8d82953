import { describe, expect, it } from 'vitest';
import { agencyName, MESSAGES, pickLang, tr } from '../src/page/i18n.js';
import { jpCallOf, jpPartOf, nodeRoles, outsideCallerOf, roleLabel } from '../src/page/roles.js';
import {
  assignSteps,
  buildStory,
  faultsForStep,
  focusHop,
  foldRows,
  markSetup,
  resetLines,
  setupKindOf,
  traceTitle,
  undoLines,
} from '../src/page/story-model.js';
import { buildSequence, type ConsoleTraceEvent } from '../src/page/trace-model.js';

const T = 'ab'.repeat(16);
let n = 0;
const span = () => (++n).toString(16).padStart(16, '0');
const ev = (e: Partial<ConsoleTraceEvent> & { operation: string }): ConsoleTraceEvent => ({
  traceId: T,
  time: '2026-12-02T00:00:00.000Z',
  spanId: span(),
  ...e,
});
const JP = { component: 'node', country: 'JP' } as const;

/**
 * The shape of Japan's child-allowance exchange as the hub stores it (a request is recorded when it ends): the
 * clerk's listing of subjects makes the city's intermediary server register its key and get a code (J-LIS issues
 * it through the network) — setup — then the clerk's query is mediated by the network. Japan's transport records
 * both sides of each call: the caller's outbound event and the callee's inbound one, whose parent is the former.
 */
function jpTrace() {
  const RUN1 = 'f000000000000001';
  const RUN2 = 'f000000000000002';
  const subjects = ev({ ...JP, operation: 'GET /admin/jp/agencies/setagaya-city/subjects', direction: 'inbound' });
  subjects.parentSpanId = RUN1;
  const keyOut = ev({
    ...JP,
    parentSpanId: subjects.spanId,
    operation: 'jp-network: setagaya-city → network: PUT /jp/network/agencies/setagaya-city/e2e-key → 200',
    direction: 'outbound',
    peer: 'network',
  });
  const keyIn = ev({
    ...JP,
    parentSpanId: keyOut.spanId,
    operation: 'PUT /jp/network/agencies/setagaya-city/e2e-key',
    direction: 'inbound',
    peer: 'jp:setagaya-city',
    status: 200,
  });
  const codeOut = ev({
    ...JP,
    parentSpanId: subjects.spanId,
    operation: 'jp-network: setagaya-city → j-lis: POST /jp/jlis/code-requests',
    direction: 'outbound',
    peer: 'j-lis',
  });
  const codeIn = ev({
    ...JP,
    parentSpanId: codeOut.spanId,
    operation: 'POST /jp/jlis/code-requests',
    direction: 'inbound',
    peer: 'jp:setagaya-city',
  });
  const issued = ev({
    ...JP,
    parentSpanId: codeIn.spanId,
    operation: 'jp-network: code issued',
    direction: 'internal',
  });
  const query = ev({ ...JP, operation: 'POST /admin/jp/agencies/setagaya-city/queries', direction: 'inbound' });
  query.parentSpanId = RUN2;
  const queryOut = ev({
    ...JP,
    parentSpanId: query.spanId,
    operation: 'jp-network: setagaya-city → network: POST /jp/network/queries',
    direction: 'outbound',
    peer: 'network',
  });
  const provision = ev({
    ...JP,
    parentSpanId: queryOut.spanId,
    operation: 'POST /jp/network/queries',
    direction: 'inbound',
    peer: 'jp:setagaya-city',
    artefact: { request: { code: 'v1.x' } },
    verdict: { valid: true, checks: [{ rule: 'P3', name: 'matrix', outcome: 'passed' }] },
  });
  // recorded order: callees first
  const events = [keyIn, keyOut, issued, codeIn, codeOut, subjects, provision, queryOut, query];
  const report = {
    name: 'jp-child-allowance',
    steps: [
      { title: 'codes', ok: true, detail: 'two codes', spans: [RUN1] },
      { title: 'query', ok: true, detail: 'provided', spans: [RUN2] },
    ],
  };
  return { events, report };
}

describe('roles: lifelines named by what they do', () => {
  it("places Japan's parts by path and by the transport's own record of a call", () => {
    expect(jpPartOf('/jp/network/agencies/setagaya-city/e2e-key')).toBe('network');
    expect(jpPartOf('/jp/jlis/code-requests')).toBe('j-lis');
    expect(jpPartOf('/admin/jp/agencies/setagaya-city/queries')).toBe('setagaya-city');
    expect(jpPartOf('/jp/agencies/national-tax-agency/intermediary/provision')).toBe('national-tax-agency');
    expect(jpPartOf('/jp/portal/me/records')).toBe('portal');
    expect(jpPartOf('/oidc/authorize')).toBeUndefined();
    expect(jpCallOf('jp-network: j-lis → network: POST /jp/network/issuance')).toEqual({
      from: 'j-lis',
      to: 'network',
    });
    expect(jpCallOf('jp-network: <b> → network: x')).toBeUndefined();
  });

  it('names the callers outside the federation by the requests they make', () => {
    const at = (operation: string) => outsideCallerOf({ operation }, 'node:DE');
    expect(at('GET /oidc/authorize')).toBe('client');
    expect(at('GET /eid/connector/callback')).toBe('client');
    expect(at('POST /oidc/token')).toBe('rp:DE');
    expect(at('POST /admin/jp/agencies/setagaya-city/queries')).toBe('clerk:setagaya-city');
    expect(at('PUT /admin/faults')).toBe('operator');
    expect(at('POST /esig/sign')).toBe('app:DE');
    expect(at('GET /trust/lotl.xml')).toBe('caller');
  });

  it('tells a connector from a proxy service in a cross-border login', () => {
    const roles = nodeRoles([
      { component: 'node', country: 'DE', operation: 'GET /oidc/authorize', direction: 'inbound' },
      { component: 'node', country: 'DE', operation: 'eid connector: started', direction: 'internal' },
      { component: 'hub', operation: 'GET /eid/proxy/EE/authorize', direction: 'inbound' },
      { component: 'node', country: 'EE', operation: 'GET /oidc/authorize', direction: 'inbound' },
      { component: 'node', country: 'EE', operation: 'POST /oidc/token', direction: 'inbound' },
    ]);
    expect(roleLabel('node:DE', 'en', roles)).toBe('DE connector');
    expect(roleLabel('node:EE', 'en', roles)).toBe('EE proxy service');
    expect(roleLabel('node:EE', 'ja', roles)).toBe('EE の eIDAS プロキシサービス');
    expect(roleLabel('client')).toBe("citizen's browser");
    expect(roleLabel('rp:DE')).toBe('DE relying party');
    expect(roleLabel('jp:network', 'ja')).toBe('情報提供ネットワークシステム');
    expect(roleLabel('jp:setagaya-city', 'en')).toBe("Setagaya City's intermediary server");
    expect(roleLabel('jp:setagaya-city', 'ja')).toBe('世田谷区の中間サーバー');
    expect(roleLabel('ext:http://127.0.0.1:9')).toBe('outside the federation: http://127.0.0.1:9');
  });

  it("draws Japan's exchange on its parts' lifelines, never on an unexplained 'external'", () => {
    const { events } = jpTrace();
    const seq = buildSequence(events, {}, { lang: 'en' });
    const keys = seq.lifelines.map((l) => l.key);
    expect(keys).toEqual(expect.arrayContaining(['clerk:setagaya-city', 'jp:setagaya-city', 'jp:network', 'jp:j-lis']));
    expect(keys).not.toContain('external');
    const arrows = seq.hops.map((h) => `${h.from}->${h.to} ${h.event.operation}`);
    // the callee's inbound event hangs under the caller's outbound one, on the same two lifelines
    expect(arrows).toContain('jp:setagaya-city->jp:network PUT /jp/network/agencies/setagaya-city/e2e-key');
    expect(arrows).toContain('jp:setagaya-city->jp:j-lis POST /jp/jlis/code-requests');
    const issued = seq.hops.find((h) => h.event.operation === 'jp-network: code issued');
    expect(issued?.from).toBe('jp:j-lis');
    expect(issued?.depth).toBe(3);
    expect(seq.lifelines.find((l) => l.key === 'jp:network')?.label).toBe('information provision network system');
  });
});

describe('story: setup folded, steps matched to hops, faults and attacks per step', () => {
  it('marks lookups, key fetches and code issuance made inside a request as setup, with what is below them', () => {
    expect(setupKindOf({ operation: 'GET /registry/nodes/EE' })).toBe('registry');
    expect(setupKindOf({ operation: 'GET /oidc/jwks' })).toBe('keys');
    expect(setupKindOf({ operation: 'jp-network: setagaya-city → j-lis: POST /jp/jlis/code-requests' })).toBe('codes');
    expect(setupKindOf({ operation: 'POST /oidc/token' })).toBeUndefined();
    const seq = buildSequence(jpTrace().events);
    const hops = markSetup(seq);
    const setup = hops.filter((h) => h.setup).map((h) => h.event.operation);
    expect(setup).toHaveLength(5);
    expect(setup).toContain('jp-network: code issued');
    // the requests the scenario made itself stay in the story, and so does the mediated query
    expect(hops.find((h) => h.event.operation === 'POST /jp/network/queries')?.setup).toBeUndefined();
    expect(
      hops.find((h) => h.depth === 0 && String(h.event.operation).startsWith('GET /admin'))?.setup,
    ).toBeUndefined();
    // a request the scenario made to a lookup endpoint is the story (the federation scenario), not setup
    const direct = buildSequence([ev({ component: 'hub', operation: 'GET /trust/lotl.xml', direction: 'inbound' })]);
    expect(markSetup(direct)[0]?.setup).toBeUndefined();
  });

  it('folds each run of setup hops into one row, which opens on demand', () => {
    const seq = buildSequence(jpTrace().events);
    const hops = markSetup(seq);
    const folded = foldRows(hops);
    expect(folded.map((r) => (r.kind === 'fold' ? `fold:${r.hops.length}` : 'hop'))).toEqual([
      'hop',
      'fold:5',
      'hop',
      'hop',
      'hop',
    ]);
    const fold = folded[1];
    expect(fold?.kind === 'fold' && fold.kinds).toEqual({ keys: 2, codes: 3 });
    const open = foldRows(hops, (first) => first === (fold?.kind === 'fold' ? fold.first : -1));
    expect(open).toHaveLength(folded.length + 5);
    expect(open[1]).toMatchObject({ kind: 'fold', open: true });
  });

  it("gives every hop to the step whose request caused it, and tells each step's story", () => {
    const { events, report } = jpTrace();
    const seq = buildSequence(events);
    const story = buildStory(seq, report);
    expect(story.map((s) => s.hops.length)).toEqual([6, 3]);
    expect(story[1]?.focus).toBe(seq.hops.find((h) => h.event.operation === 'POST /jp/network/queries')?.n);
    expect(story[1]?.rules).toEqual(['P3']);
    expect(story[1]?.blocks).toContain('jp-network');
    expect(traceTitle(seq, report.name)).toBe('jp-child-allowance');
    expect(traceTitle(seq)).toBe('GET /admin/jp/agencies/setagaya-city/subjects');
  });

  it('titles each step in Japanese when the scenario gives a titleJa, and keeps the English one otherwise', () => {
    const { events, report } = jpTrace();
    const seq = buildSequence(events);
    const ja = { ...report, steps: report.steps.map((s, i) => (i === 0 ? { ...s, titleJa: '手順その一' } : s)) };
    const story = buildStory(seq, ja, 'ja');
    expect(story[0]?.title).toBe('手順その一');
    expect(story[1]?.title).toBe(report.steps[1]?.title);
    expect(buildStory(seq, ja, 'en')[0]?.title).toBe(report.steps[0]?.title);
    expect(buildStory(seq, ja)[0]?.title).toBe(report.steps[0]?.title);
  });

  it('shares one span among steps in turn (a browser flow keeps one traceparent)', () => {
    const ROOT = '0000000000000001';
    const seq = buildSequence([
      ev({
        component: 'node',
        country: 'DE',
        parentSpanId: ROOT,
        operation: 'GET /oidc/authorize',
        direction: 'inbound',
      }),
      ev({ component: 'hub', parentSpanId: ROOT, operation: 'GET /eid/proxy/EE/authorize', direction: 'inbound' }),
      ev({ component: 'node', country: 'EE', operation: 'edelivery: resend', direction: 'internal' }),
      ev({ component: 'node', country: 'DE', parentSpanId: 'f2', operation: 'POST /oidc/token', direction: 'inbound' }),
    ]);
    const steps = [
      { title: 'a', ok: true, detail: '', spans: [ROOT] },
      { title: 'b', ok: true, detail: '', spans: [ROOT] },
      { title: 'c', ok: true, detail: '', spans: ['f2'] },
    ];
    // the unclaimed top-level hop (work done later, on its own) goes with the step before it
    expect(assignSteps(seq.hops, steps)).toEqual([0, 1, 1, 2]);
    expect(assignSteps(seq.hops, [])).toEqual([-1, -1, -1, -1]);
  });

  it('shows beside a step a failed verdict, else the last verdict that lists checks, else the last verdict', () => {
    const hop = (n: number, verdict?: unknown, tone = 'ok') =>
      ({ n, tone, event: { operation: `op ${n}`, ...(verdict ? { verdict } : {}) } }) as never;
    const token = { valid: true, checks: [{ rule: 'J1', outcome: 'passed' }] };
    const summary = { valid: true, checks: [] };
    expect(focusHop([hop(1), hop(2, token), hop(3, summary)])?.n).toBe(2);
    expect(focusHop([hop(1), hop(2, summary), hop(3)])?.n).toBe(2);
    expect(focusHop([hop(1, { valid: false, checks: [] }, 'fail'), hop(2, token)])?.n).toBe(1);
  });

  it('links a step to the faults and attacks that target it: by rule checked, fault fired or block touched', () => {
    const faults = [
      { name: 'id-token.alg-none', block: 'eid', kind: 'forge', rule: 'J1 jwt-alg-none' },
      { name: 'lenient.id-token.alg-none', block: 'eid', kind: 'lenient', rule: 'J1 jwt-alg-none' },
      { name: 'saml.expired', block: 'eid', kind: 'forge', rule: 'S16 time' },
      { name: 'hub.relay-slow', block: 'hub', kind: 'outage' },
      { name: 'edelivery.receiver-unavailable', block: 'edelivery', kind: 'outage' },
    ];
    const hits = faultsForStep({ rules: ['J1', 'J8'], blocks: ['eid', 'hub'], fired: [] }, faults);
    expect(hits.attacks.map((f) => f.name)).toEqual(['id-token.alg-none']);
    expect(hits.faults.map((f) => f.name)).toEqual(['lenient.id-token.alg-none', 'hub.relay-slow']);
    const fired = faultsForStep({ rules: [], blocks: [], fired: ['saml.expired'] }, faults);
    expect(fired.attacks.map((f) => f.name)).toEqual(['saml.expired']);
  });
});

describe('i18n', () => {
  it('has every message in both languages, with the My Number terms', () => {
    expect(Object.keys(MESSAGES.ja).sort()).toEqual(Object.keys(MESSAGES.en).sort());
    const ja = Object.values(MESSAGES.ja).join(' ');
    for (const term of ['機関別符号', '情報提供ネットワークシステム', 'マイナポータル']) expect(ja).toContain(term);
    expect(tr('ja', 'story.step', { n: 2, total: 6 })).toBe('手順 2 / 6');
    expect(tr('xx', 'story.step', { n: 1, total: 1 })).toBe('Step 1 of 1');
    expect(tr('en', 'role.rp', { cc: '<b>' })).toBe('<b> relying party');
    expect(agencyName('ja', 'national-tax-agency')).toBe('国税庁');
    expect(agencyName('ja', 'unknown-office')).toBe('unknown-office');
  });

  it('picks the language from ?lang=, a stored choice or a browser tag', () => {
    expect(pickLang(null, 'ja')).toBe('ja');
    expect(pickLang('EN')).toBe('en');
    expect(pickLang('ja-JP')).toBe('ja');
    expect(pickLang('fr', undefined)).toBeUndefined();
  });
});

describe('what a run undid, and what a federation reset did, in plain words', () => {
  // the action lines as the federation's restoreFederation writes them (packages/federation/src/scenario-undo.ts)
  const undo = {
    restored: true,
    actions: [
      'clock set back to 2026-12-03T07:44:34.096Z',
      'revocation of serial 1a2b taken back',
      'hub: switched off hub.relay-slow',
      'DE: switched off lenient.id-token.alg-none; switched on again saml.expired',
    ],
    problems: [],
  };

  it('says each thing put back, in English and Japanese', () => {
    const en = undoLines(undo, 'en');
    expect(en?.lines).toEqual([
      "The federation's clock was set back to 2026-12-03 07:44:34 UTC, where it was before the run.",
      'The revocation the run made (certificate serial 1a2b) was taken back; its CRL was re-issued.',
      'Faults the run switched on at the hub were switched off: hub.relay-slow.',
      'Faults the run switched on at node DE were switched off: lenient.id-token.alg-none.',
      'Faults the run switched off at node DE were switched on again: saml.expired.',
    ]);
    expect(en?.restored).toBe(true);
    const ja = undoLines(undo, 'ja');
    expect(ja?.lines[0]).toBe('連携基盤の仮想時刻を、実行前の 2026-12-03 07:44:34 UTC に戻しました。');
    expect(ja?.lines[1]).toContain('証明書の失効（シリアル番号 1a2b）を取り消し');
    expect(ja?.lines[2]).toBe('実行中にハブで有効にされた障害を無効にしました: hub.relay-slow。');
    expect(undoLines({ ...undo, actions: ['clock set back to 2026-01-01T00:00:00Z (frozen)'] }, 'en')?.lines).toEqual([
      "The federation's clock was set back to 2026-01-01 00:00:00 UTC and frozen, as it was before the run.",
    ]);
  });

  it('says when there was nothing to undo, what could not be put back, and nothing without an undo', () => {
    expect(undoLines({ restored: true, actions: [], problems: [] }, 'ja')?.lines).toEqual([
      '元に戻すものはありません。この実行は時刻・失効・障害を変更しませんでした。',
    ]);
    const failed = undoLines({ restored: false, actions: ['something new'], problems: ['revoked since: 99'] }, 'en');
    expect(failed).toEqual({ lines: ['something new'], restored: false, problems: ['revoked since: 99'] });
    expect(undoLines(undefined, 'en')).toBeUndefined();
  });

  it("tells the hub's reset answer: registry, revocations, clock, faults, traces, each node", () => {
    const answer = {
      registry: { kept: ['AT', 'DE'] },
      revocationsUndone: [{ serialHex: '1a2b', caName: 'AT CA', name: 'AT-agency-bmf' }],
      clock: { now: '2026-12-03T07:44:34.096Z', frozen: false, offsetMs: 0 },
      faults: [],
      tracesCleared: true,
      nodes: [
        { country: 'AT', reset: { ok: true }, clock: { ok: true }, trustRefreshed: { ok: true } },
        { country: 'DE', reset: { ok: true }, clock: { ok: true }, trustRefreshed: { ok: true } },
      ],
      reset: true,
    };
    expect(resetLines(answer, 'en')).toEqual({
      ok: true,
      lines: [
        'Federation reset.',
        'Nodes kept registered (2): AT, DE.',
        'Revocations taken back (1): AT-agency-bmf.',
        'Clock back to 2026-12-03 07:44:34 UTC (running), pushed to every node.',
        'No fault on at the hub.',
        'Traces cleared.',
        'Every node reset, given the clock and reloaded its trust fabric: AT, DE.',
      ],
    });
    const broken = {
      ...answer,
      nodes: [
        { country: 'DE', reset: { ok: true }, clock: { ok: false, detail: 'timeout' }, trustRefreshed: { ok: true } },
      ],
    };
    const ja = resetLines(broken, 'ja');
    expect(ja.ok).toBe(false);
    expect(ja.lines).toContain('DE: 時刻の設定に失敗しました (timeout)。');
    expect(ja.lines).toContain('取り消した失効 1 件: AT-agency-bmf。');
  });

  it('names the trust fabric with the terms Japanese readers know', () => {
    expect(tr('ja', 'fabric.lotl')).toBe('トラストリストのリスト（LOTL）');
    expect(tr('ja', 'gl.tl')).toBe('トラストリスト');
    expect(tr('ja', 'fabric.issued', { count: 3 })).toBe('発行した証明書 3 件');
    expect(tr('ja', 'fabric.revoked', { date: '2026-12-03', reason: 'keyCompromise' })).toBe(
      '失効 2026-12-03（keyCompromise）',
    );
    expect(tr('ja', 'fabric.cert.expired')).toBe('有効期限切れ');
    expect(tr('ja', 'fabric.crl')).toBe('証明書失効リスト（CRL）');
  });
});
