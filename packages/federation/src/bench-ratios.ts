/**
 * The `ratios` of a bench report from its sections' figures (pure: unit-tested with made-up sections). Each ratio
 * is a median over the rounds of its section; a section that failed (`{ error }`) gives null ratios that say so.
 */
import type { LoginFigures } from './bench-oidc.ts';
import { type BenchReport, median, type RatioKey, ratioEntryOf, WARM_RSS_LIMIT_MB } from './bench-report.ts';

type Sections = Record<string, unknown>;
const get = (o: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((x, k) => (x && typeof x === 'object' ? (x as Record<string, unknown>)[k] : undefined), o);
const num = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);
/** The median over a section's rounds of a figure at `path` in each round. */
const medianOf = (sec: unknown, ...path: string[]) => {
  const rs = get(sec, 'rounds');
  const xs = Array.isArray(rs) ? rs.map((r) => num(get(r, ...path))).filter((x): x is number => x !== undefined) : [];
  return xs.length ? median(xs) : undefined;
};
const errorOf = (sec: unknown) =>
  typeof get(sec, 'error') === 'string' ? `section failed: ${get(sec, 'error')}` : undefined;

/** Every ratio key from the sections' figures (medians over rounds); null with a note where a side is missing. */
export function computeRatios(sec: Sections, peers: unknown): BenchReport['ratios'] {
  const e = (
    k: RatioKey,
    n: number | undefined,
    d: number | undefined,
    note?: string,
    extra?: { ok: boolean; why: string },
  ) => ratioEntryOf(k, n, d, { ...(note ? { note } : {}), ...(extra ? { extraCondition: extra } : {}) });
  const as4 = get(sec.as4, 'median');
  const jp = get(sec.jp, 'median');
  const ours = get(peers, 'kakehashi', 'login') as LoginFigures | undefined;
  const fastest = get(peers, '_fastestLogin') as LoginFigures | undefined | null;
  const warm7 = num(get(sec.start, 'countries7', 'warmMs'));
  const rss7 = num(get(sec.start, 'countries7', 'warmRssMb'));
  // MockPass started right after each warm start (the same load) when the start section did; else the peers section's.
  const mockPassBeside = num(get(sec.start, 'countries7', 'alongside', 'startMs'));
  const mockPass = mockPassBeside ?? num(get(peers, 'mockPassStartMs'));
  return {
    as4VsCryptoCeiling: e('as4VsCryptoCeiling', num(get(as4, 'ratio')), 1, errorOf(sec.as4)),
    idTokenServiceVsFunction: e(
      'idTokenServiceVsFunction',
      medianOf(sec.eid, 'idTokenValidationRS256', 'serviceHttpInProcessPerSecond'),
      medianOf(sec.eid, 'idTokenValidationRS256', 'functionPerSecond'),
      errorOf(sec.eid) ?? 'RS256, 8 in flight',
    ),
    samlServiceVsFunction: e(
      'samlServiceVsFunction',
      medianOf(sec.eid, 'samlResponseValidation', 'serviceHttpInProcessPerSecond'),
      medianOf(sec.eid, 'samlResponseValidation', 'functionPerSecond'),
      errorOf(sec.eid) ?? '8 in flight',
    ),
    idTokenFunctionVsVerifyRS256: e(
      'idTokenFunctionVsVerifyRS256',
      medianOf(sec.eid, 'idTokenValidationRS256', 'functionToRawVerifyRatio'),
      1,
      errorOf(sec.eid),
    ),
    idTokenFunctionVsVerifyES256: e(
      'idTokenFunctionVsVerifyES256',
      medianOf(sec.eid, 'idTokenValidationES256', 'functionToRawVerifyRatio'),
      1,
      errorOf(sec.eid),
    ),
    xadesValidationVsCryptoCeiling: e(
      'xadesValidationVsCryptoCeiling',
      medianOf(sec.esig, 'formats', 'xades-B-B', 'validateToCryptoCeilingRatio'),
      1,
      errorOf(sec.esig) ?? 'XAdES B-B, full EN 319 102-1 validation; ceiling: 5 RSA-2048 verifications',
    ),
    jpQueryVsCryptoCeiling: e('jpQueryVsCryptoCeiling', num(get(jp, 'ratio')), 1, errorOf(sec.jp)),
    oidcLoginVsFastestPeer: e(
      'oidcLoginVsFastestPeer',
      ours?.perSecond,
      fastest?.perSecond,
      errorOf(peers) ?? (fastest ? `fastest peer: ${get(peers, 'fastestPeer')}` : 'no peer completed the login flow'),
      ours && fastest
        ? { ok: ours.p50Ms <= fastest.p50Ms, why: `p50 ${ours.p50Ms} ms vs ${fastest.p50Ms} ms` }
        : undefined,
    ),
    warmStartVsMockPass: e(
      'warmStartVsMockPass',
      warm7,
      mockPass,
      mockPass === undefined
        ? (errorOf(peers) ?? 'MockPass did not start')
        : mockPassBeside !== undefined
          ? 'MockPass started right after each warm start'
          : undefined,
      rss7 !== undefined
        ? { ok: rss7 < WARM_RSS_LIMIT_MB, why: `RSS ${rss7} MB (limit ${WARM_RSS_LIMIT_MB})` }
        : undefined,
    ),
    walletPresentationVsVerifyCeiling: e(
      'walletPresentationVsVerifyCeiling',
      medianOf(sec.wallet, 'functionToCeilingRatio'),
      1,
      errorOf(sec.wallet) ??
        'ceiling: 2 ES256 verifies a presentation (issuer signature, KB-JWT; the status list token and the path are verified once and kept)',
    ),
  };
}
