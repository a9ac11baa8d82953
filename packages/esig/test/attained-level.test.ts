import { describe, expect, it } from 'vitest';
import { renderReportHtml } from '../src/report/render-report.ts';
import { signDocument } from '../src/sign/sign-document.ts';
import { validateSignature } from '../src/validate/validate-signature.ts';
import { cred, frozenClock, material, T0, trustView, tsaFor } from './fixtures.ts';

/**
 * The report gives the level the signature attains, not the one its form claims: a B-T signature whose time-stamp
 * does not validate (tampered token, untrusted TSA) is validated as B-B and reported as B-B, with the reason.
 * @see https://www.etsi.org/deliver/etsi_en/319100_319199/31910201/ §5.4, §5.5
 */
const DOC = Buffer.from('<Order xmlns="urn:kakehashi:test"><Amount>100</Amount></Order>');
const DAY = 86_400_000;
const m = material();

async function signBT(tsaCountry = 'AT') {
  const clock = frozenClock(T0);
  const s = await signDocument({
    format: 'xades',
    level: 'B-T',
    packaging: 'enveloped',
    credential: cred(m.countries.AT!.agencies.bmi!),
    content: DOC,
    clock,
    tsa: tsaFor(tsaCountry, clock),
  });
  return s.signature as string;
}

describe('the level attained (EN 319 102-1 report)', () => {
  it('a B-T signature with a valid time-stamp is reported at B-T', async () => {
    const { ctx } = trustView({ clock: frozenClock(T0) });
    const r = await validateSignature({ signature: await signBT() }, ctx);
    expect([r.indication, r.level, r.levelExplanation]).toEqual(['TOTAL-PASSED', 'B-T', undefined]);
  });

  it('a tampered time-stamp token: reported at B-B with the reason', async () => {
    const signature = (await signBT()).replace(
      /(<(?:\w+:)?EncapsulatedTimeStamp[^>]*>)([^<]+)</,
      (_all, open: string, b64: string) => {
        const der = Buffer.from(b64.replace(/\s+/g, ''), 'base64');
        der[der.length - 1]! ^= 0xff; // the last byte of the TSA's signature value
        return `${open}${der.toString('base64')}<`;
      },
    );
    const { ctx } = trustView({ clock: frozenClock(T0) });
    const r = await validateSignature({ signature }, ctx);
    expect(r.timestamps.map((t) => t.indication)).toEqual(['FAILED']);
    expect(r.level).toBe('B-B');
    expect(r.levelExplanation).toMatch(/^The signature carries a signature time-stamp \(B-T\) but/);
    expect(r.levelExplanation).toContain(r.timestamps[0]!.explanation);
    expect(r.signingTime.proven).toBeUndefined();
    expect(renderReportHtml(r)).toContain('data-testid="level-explanation"');
  });

  it('a time-stamp by an untrusted TSA: reported at B-B, naming the TSA', async () => {
    const withdrawn = {
      status: 'withdrawn' as const,
      statusStartingTime: new Date(T0.getTime() - 10 * DAY),
      history: [{ status: 'granted' as const, statusStartingTime: new Date(m.validityEpoch) }],
    };
    const { ctx } = trustView({
      clock: frozenClock(T0),
      services: { DE: { 'DE-root-ca': withdrawn, 'DE-issuing-ca': withdrawn, 'DE-tsa': withdrawn } },
    });
    const r = await validateSignature({ signature: await signBT('DE') }, ctx);
    expect(r.timestamps.map((t) => t.indication)).toEqual(['INDETERMINATE']);
    expect(r.level).toBe('B-B');
    expect(r.levelExplanation).toContain('is not trusted');
  });
});
