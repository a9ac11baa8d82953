import { describe, expect, it } from 'vitest';
import { computeRatios } from '../src/bench-ratios.ts';
import { RATIO_KEYS } from '../src/bench-report.ts';

const login = (perSecond: number, p50Ms: number) => ({
  perSecond,
  p50Ms,
  p99Ms: p50Ms * 3,
  httpRequestsPerLogin: 2,
  logins: 100,
});
/** One eID round as bench-eid reports it. */
const eidRound = (
  fnRs: number,
  svcRs: number,
  rawRatioRs: number,
  rawRatioEs: number,
  samlFn: number,
  samlSvc: number,
) => ({
  idTokenValidationRS256: {
    functionPerSecond: fnRs,
    serviceHttpInProcessPerSecond: svcRs,
    functionToRawVerifyRatio: rawRatioRs,
  },
  idTokenValidationES256: { functionToRawVerifyRatio: rawRatioEs },
  samlResponseValidation: { functionPerSecond: samlFn, serviceHttpInProcessPerSecond: samlSvc },
});

describe('bench ratios from the sections of one run', () => {
  const sections = {
    start: { countries7: { warmMs: 2400, warmRssMb: 213 } },
    as4: { median: { ratio: 0.03 } },
    jp: { median: { ratio: 0.31 } },
    eid: {
      rounds: [
        eidRound(1000, 100, 0.2, 0.5, 50, 10),
        eidRound(900, 300, 0.3, 0.4, 60, 30),
        eidRound(800, 200, 0.1, 0.7, 40, 20),
      ],
    },
    esig: {
      rounds: [
        { formats: { 'xades-B-B': { validateToCryptoCeilingRatio: 0.12 } } },
        { formats: { 'xades-B-B': { validateToCryptoCeilingRatio: 0.2 } } },
        { formats: {} },
      ],
    },
    wallet: {
      rounds: [{ functionToCeilingRatio: 0.7 }, { functionToCeilingRatio: 0.4 }, { functionToCeilingRatio: 0.6 }],
    },
  };
  const peers = {
    kakehashi: { login: login(70, 45) },
    _fastestLogin: login(100, 30),
    fastestPeer: 'oauth2-mock-server',
    mockPassStartMs: 800,
  };

  it('gives every key, each a median over rounds, met or not against its target', () => {
    const r = computeRatios(sections, peers);
    expect(Object.keys(r)).toEqual(RATIO_KEYS);
    expect(r.as4VsCryptoCeiling).toMatchObject({ value: 0.03, met: false });
    expect(r.jpQueryVsCryptoCeiling).toMatchObject({ value: 0.31, met: true });
    // medians: service 200 ÷ function 900; SAML 20 ÷ 50
    expect(r.idTokenServiceVsFunction.value).toBe(0.222);
    expect(r.samlServiceVsFunction.value).toBe(0.4);
    expect(r.idTokenFunctionVsVerifyRS256.value).toBe(0.2);
    expect(r.idTokenFunctionVsVerifyES256).toMatchObject({ value: 0.5, met: false });
    // the round without an XAdES figure does not count: median of 0.12 and 0.2
    expect(r.xadesValidationVsCryptoCeiling.value).toBe(0.16);
    expect(r.oidcLoginVsFastestPeer).toMatchObject({ value: 0.7, met: false });
    expect(r.oidcLoginVsFastestPeer.note).toContain('oauth2-mock-server');
    expect(r.oidcLoginVsFastestPeer.note).toContain('p50 45 ms vs 30 ms');
    expect(r.warmStartVsMockPass).toMatchObject({ value: 3, met: false });
    expect(r.warmStartVsMockPass.note).toContain('RSS 213 MB');
    expect(r.walletPresentationVsVerifyCeiling).toMatchObject({ value: 0.6, met: true });
    expect(r.walletPresentationVsVerifyCeiling.note).toContain('2 ES256 verifies');
  });

  it('a throughput ahead of the fastest peer is not met when its p50 is worse; RSS over the limit fails the start', () => {
    const fast = computeRatios(
      { ...sections, start: { countries7: { warmMs: 1000, warmRssMb: 150 } } },
      { ...peers, kakehashi: { login: login(130, 35) } },
    );
    expect(fast.oidcLoginVsFastestPeer).toMatchObject({ value: 1.3, met: false });
    expect(fast.warmStartVsMockPass).toMatchObject({ value: 1.25, met: true });
    const heavy = computeRatios({ ...sections, start: { countries7: { warmMs: 1000, warmRssMb: 250 } } }, peers);
    expect(heavy.warmStartVsMockPass).toMatchObject({ value: 1.25, met: false });
  });

  it("warm start is divided by MockPass's start timed right after it when the start section has one", () => {
    const beside = computeRatios(
      {
        ...sections,
        start: {
          countries7: {
            warmMs: 1000,
            warmRssMb: 150,
            alongside: { name: '@opengovsg/mockpass', startMs: 500, runsMs: [500] },
          },
        },
      },
      peers,
    );
    expect(beside.warmStartVsMockPass).toMatchObject({ value: 2, met: false });
    expect(beside.warmStartVsMockPass.note).toContain('right after each warm start');
    // MockPass failed beside the starts: the peers section's figure (800 ms)
    const failed = computeRatios(
      {
        ...sections,
        start: { countries7: { warmMs: 1000, warmRssMb: 150, alongside: { name: 'x', error: 'boom' } } },
      },
      peers,
    );
    expect(failed.warmStartVsMockPass).toMatchObject({ value: 1.25, met: true });
  });

  it('a failed section gives null, unmet ratios that carry its error', () => {
    const r = computeRatios(
      { ...sections, as4: { error: 'AS4 submission answered 400' }, eid: { error: 'boom' } },
      { error: 'npm install failed' },
    );
    expect(r.as4VsCryptoCeiling).toEqual({
      value: null,
      target: '≥ 0.5',
      met: false,
      note: 'section failed: AS4 submission answered 400',
    });
    for (const k of ['idTokenServiceVsFunction', 'samlServiceVsFunction', 'idTokenFunctionVsVerifyES256'] as const)
      expect(r[k]).toMatchObject({ value: null, met: false, note: 'section failed: boom' });
    expect(r.oidcLoginVsFastestPeer).toMatchObject({ value: null, note: 'section failed: npm install failed' });
    expect(r.warmStartVsMockPass).toMatchObject({ value: null, met: false });
  });
});
