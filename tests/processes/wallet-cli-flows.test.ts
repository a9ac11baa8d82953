import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TRUST_CACHE } from '../support/federation.ts';
import { CLI } from '../support/processes.ts';

const dir = mkdtempSync(join(tmpdir(), 'kakehashi-wallet-cli-flows-'));
const run = (args: string[], countries = 'DE,EE') =>
  spawnSync(process.execPath, [CLI, 'wallet', ...args, '--wallet-dir', dir, '--seed', 'kakehashi-test'], {
    encoding: 'utf8',
    env: {
      ...process.env,
      KAKEHASHI_LOG_LEVEL: 'warn',
      KAKEHASHI_COUNTRIES: countries,
      KAKEHASHI_TRUST_CACHE_DIR: TRUST_CACHE,
    },
    timeout: 170_000,
  });
const claimsOf = (sdJwt: string) =>
  Object.fromEntries(
    sdJwt
      .split('~')
      .slice(1)
      .filter(Boolean)
      .map((d) => JSON.parse(Buffer.from(d, 'base64url').toString('utf8')) as unknown[])
      .map((a) => [a[1], a[2]]),
  );

/** `kakehashi wallet receive --flow authorization_code` (the persona logs in at the node's own eID picker), and `--country JP`. */
describe('kakehashi wallet: the issuance flows', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--flow authorization_code receives the PID of the persona who logged in at the picker', () => {
    const r = run(['receive', '--country', 'EE', '--persona', 'ee-003', '--flow', 'authorization_code', '--json']);
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    const { credential } = JSON.parse(r.stdout) as { credential: string };
    expect(claimsOf(credential).issuing_country).toBe('EE');
    expect(run(['receive', '--country', 'EE', '--persona', 'ee-003', '--flow', 'implicit']).status).toBe(2);
  }, 180_000);

  it("--country JP receives Setagaya City's certificate of residence for a resident (jp-001 lives in Setagaya)", () => {
    const r = run(['receive', '--country', 'JP', '--persona', 'jp-001', '--json'], 'DE,JP');
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    const out = JSON.parse(r.stdout) as { credential: string; vct: string; issuer: string; format: string };
    expect(out).toMatchObject({ format: 'dc+sd-jwt', vct: 'urn:kakehashi:jp:setagaya:residence:1' });
    expect(out.issuer).toMatch(/\/wallet\/setagaya$/);
    expect(claimsOf(out.credential)).toMatchObject({ issuing_authority_local: '世田谷区長', issuing_country: 'JP' });
  }, 180_000);

  it("--country JP --flow authorization_code: the resident of Setagaya logs in at Japan's eID picker", () => {
    const r = run(
      ['receive', '--country', 'JP', '--persona', 'jp-001', '--flow', 'authorization_code', '--json'],
      'JP',
    );
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    const out = JSON.parse(r.stdout) as { credential: string; vct: string };
    expect(out.vct).toBe('urn:kakehashi:jp:setagaya:residence:1');
    expect(claimsOf(out.credential).issuing_authority_local).toBe('世田谷区長');
  }, 180_000);
});
