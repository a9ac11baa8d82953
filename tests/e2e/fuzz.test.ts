import { runFuzz } from '@kakehashi/federation';
import { describe, expect, it } from 'vitest';
import { TRUST_CACHE } from '../support/federation.ts';

/**
 * `kakehashi fuzz`, short and seeded: a few hundred mutated real artefacts at every entry point of an in-process
 * federation. None may answer 5xx or a 4xx outside the protocol's error dialects, hang or crash; afterwards the
 * components are healthy, a normal login works, and every store and audit chain is intact.
 */
describe('kakehashi fuzz (short, seeded)', () => {
  it('sends a few hundred mutated inputs to every entry point: no 5xx, no non-problem answer, no hang, stores intact', async () => {
    const report = await runFuzz({ inputs: 200, seed: 'kakehashi-fuzz-e2e', trustCacheDir: TRUST_CACHE });
    const failing = report.entries.flatMap((e) =>
      e.failures.map(
        (f) =>
          `${f.entry}#${f.index} ${f.outcome} ${f.status ?? ''} ${f.ops.join(' ')}: ${(f.answer ?? f.error ?? '').slice(0, 200)}`,
      ),
    );
    expect(failing).toEqual([]);
    expect(report.entries.map((e) => e.entry)).toEqual([
      'id-token',
      'token',
      'saml-sso',
      'saml-acs',
      'esig-xades',
      'esig-jades',
      'esig-cades',
      'as4',
      'jp-network',
      'registration',
    ]);
    for (const e of report.entries) {
      // 200 inputs sent (one whose header value fetch cannot carry is replaced by the next), every one answered properly.
      expect(e.inputs, e.entry).toBe(200);
      expect(e.outcomes['5xx'] + e.outcomes['non-problem'] + e.outcomes.hang + e.outcomes.crash, e.entry).toBe(0);
      expect(e.outcomes['ok-4xx'] + e.outcomes['ok-2xx-3xx'] + e.outcomes['soap-fault-5xx'], e.entry).toBe(e.inputs);
      expect(Object.keys(e.ops).length, `${e.entry} used several mutation operations`).toBeGreaterThanOrEqual(5);
    }
    expect(report.totals).toMatchObject({ fiveXx: 0, nonProblem: 0, hangs: 0, crashes: 0 });
    expect(report.after.healthy).toBe(true);
    expect(report.after.login).toEqual({
      oidcDomestic: true,
      oidcCrossBorder: true,
      idTokenValid: true,
      samlCrossBorder: true,
    });
    expect(report.after.stores.length).toBeGreaterThanOrEqual(5);
    for (const s of report.after.stores)
      expect({ file: s.file, quickCheck: s.quickCheck }).toEqual({ file: s.file, quickCheck: 'ok' });
    expect(report.after.stores.flatMap((s) => s.auditChains).length).toBeGreaterThan(0);
    expect(report.after.storesIntact).toBe(true);
    expect(report.ok).toBe(true);
  }, 900_000);
});
