import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startTestFederation, type TestFederation } from '../support/federation.ts';

/** A seed reproduces a run: same personas, certificates and identifiers; another seed changes them. */
describe('determinism from the seed', () => {
  const runs: TestFederation[] = [];
  beforeAll(async () => {
    runs.push(await startTestFederation({ countries: ['EE', 'JP'], seed: 'determinism-a' }));
    runs.push(await startTestFederation({ countries: ['EE', 'JP'], seed: 'determinism-a' }));
    runs.push(await startTestFederation({ countries: ['EE', 'JP'], seed: 'determinism-b' }));
  }, 180_000);
  afterAll(async () => {
    for (const r of runs) await r.dispose();
  });

  const snapshot = async (f: TestFederation) => ({
    personas: (await json(f.fetch(`${f.urls.nodes.JP}/personas`))).body,
    certificates: (
      await json<{ certificates: { name: string; serialHex: string }[] }>(f.fetch(`${f.urls.hub}/trust`))
    ).body.certificates.map((c) => `${c.name}:${c.serialHex}`),
    signing: (await json<{ metadata: { certificates: { signing: string } } }>(f.fetch(`${f.urls.nodes.EE}/metadata`)))
      .body.metadata.certificates.signing,
  });

  it('the same seed gives identical personas and certificates', async () => {
    const [a, b] = [await snapshot(runs[0]!), await snapshot(runs[1]!)];
    expect(a.certificates.length).toBeGreaterThan(15);
    expect(b).toEqual(a);
  });

  it('another seed gives other personas, keys and serials', async () => {
    const [a, c] = [await snapshot(runs[0]!), await snapshot(runs[2]!)];
    expect(c.signing).not.toBe(a.signing);
    expect(c.certificates).not.toEqual(a.certificates);
    expect(JSON.stringify(c.personas)).not.toBe(JSON.stringify(a.personas));
  });

  it('logs carry no private key, token or admin secret', () => {
    const text = JSON.stringify(runs.flatMap((r) => r.logs));
    expect(runs[0]!.logs.length).toBeGreaterThan(3);
    expect(text).not.toMatch(/PRIVATE KEY|kakehashi-admin-test-only|eyJ[A-Za-z0-9_-]{20,}\./);
  });
});
