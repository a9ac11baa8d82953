import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, json, startTestFederation, type TestFederation } from '../support/federation.ts';

/** True when openssl is installed; loud when not, a failure with KAKEHASHI_REQUIRE_TOOLS=1 (CI never skips). */
function hasOpenssl(): boolean {
  if (spawnSync('sh', ['-c', 'command -v openssl']).status === 0) return true;
  if (process.env.KAKEHASHI_REQUIRE_TOOLS === '1') throw new Error('openssl is required but not installed');
  console.warn('\n!!! SKIPPED: openssl is not installed; the hub CRL was not read by an independent tool !!!\n');
  return false;
}

/** The CRL the hub publishes after a revocation, read by openssl (an independent implementation). */
describe('hub CRL after a revocation: openssl', () => {
  let f: TestFederation;
  beforeAll(async () => {
    f = await startTestFederation({ countries: ['DE', 'JP'] });
  });
  afterAll(() => f?.dispose());

  it.runIf(hasOpenssl())('openssl crl lists the revoked serial', async () => {
    const r = await json<{ serialHex: string; crl: string }>(
      f.fetch(`${f.urls.hub}/admin/trust/revoke`, {
        method: 'POST',
        headers: { ...ADMIN, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'DE-signing', reason: 'keyCompromise' }),
      }),
    );
    expect(r.status).toBe(200);
    const crl = Buffer.from(await (await f.fetch(r.body.crl)).arrayBuffer());
    const dir = mkdtempSync(join(tmpdir(), 'kk-crl-'));
    try {
      writeFileSync(join(dir, 'c.crl'), crl);
      const text = spawnSync('openssl', ['crl', '-inform', 'DER', '-in', join(dir, 'c.crl'), '-noout', '-text'], {
        encoding: 'utf8',
      });
      expect(text.status).toBe(0);
      expect(text.stdout.toUpperCase().replace(/:/g, '')).toContain(r.body.serialHex.toUpperCase());
      expect(text.stdout).toMatch(/CRL Reason Code:\s+Key Compromise/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
