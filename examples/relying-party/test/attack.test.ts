import { join } from 'node:path';
import { runAttack } from '@kakehashi/federation';
import { createTestFederation, DEMO_CLIENT, type TestFederation } from '@kakehashi/msw';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRelyingParty } from '../src/app.ts';
import { interceptWith } from './support/msw.ts';

/**
 * The attack catalogue against the relying party, in its own tests (`kakehashi attack run --target oidc-rp` as a
 * function): the federation answers through msw, the app in-process. Every forged ID token — alg none, key
 * confusion, an embedded or untrusted key, a wrong kid, iss, aud, nonce, typ or acr, expired, tampered — must end
 * on its error page, and the genuine login on its home page.
 */
describe('example relying party under attack', () => {
  const RP = 'http://127.0.0.1:3000';
  let fed: TestFederation<'DE'>;
  let server: ReturnType<typeof interceptWith>;

  beforeAll(async () => {
    fed = await createTestFederation({
      countries: ['DE'],
      trustCacheDir: join(import.meta.dirname, '..', '..', '..', 'node_modules', '.cache', 'kakehashi-test-trust'),
      seed: 'kakehashi-test',
    });
    server = interceptWith(...fed.handlers);
  }, 180_000);
  afterAll(async () => {
    server?.close();
    await fed?.close();
  });

  it('refuses every forged ID token the provider can make', async () => {
    const app = createRelyingParty({
      issuer: fed.origins.DE,
      clientId: DEMO_CLIENT.id,
      clientSecret: DEMO_CLIENT.secret,
      minimumLoa: 'http://eidas.europa.eu/LoA/substantial',
    });
    const report = await runAttack({
      kind: 'oidc-rp',
      url: `${RP}/login`,
      node: fed.origins.DE,
      adminToken: fed.adminToken,
      // The app answers its own origin in-process; everything else goes to the federation through msw.
      fetch: async (input, init) => {
        const request = new Request(input instanceof URL ? input.href : input, init);
        return new URL(request.url).origin === RP ? app.fetch(request) : fetch(request);
      },
      probe: { refused: { text: 'data-testid="error"' }, accepted: { redirect: `^${RP}/$` } },
    });
    const shown = report.cases.map((c) => `${c.status} ${c.id}: ${c.detail} ${c.target.excerpt ?? ''}`).join('\n');
    expect(report.baselines.map((b) => b.status)).toEqual(['passed']);
    expect(report.cases.length).toBeGreaterThanOrEqual(14);
    expect(
      report.cases.filter((c) => c.status !== 'passed').map((c) => c.id),
      shown,
    ).toEqual([]);
    expect(report.verdict).toBe('passed');
  });
});
