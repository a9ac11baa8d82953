import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TRUST_CACHE } from '../support/federation.ts';
import { CLI } from '../support/processes.ts';

const dir = mkdtempSync(join(tmpdir(), 'kakehashi-wallet-cli-'));
const run = (args: string[]) =>
  spawnSync(process.execPath, [CLI, 'wallet', ...args, '--wallet-dir', dir, '--seed', 'kakehashi-test'], {
    encoding: 'utf8',
    env: {
      ...process.env,
      KAKEHASHI_LOG_LEVEL: 'warn',
      KAKEHASHI_COUNTRIES: 'DE,EE',
      KAKEHASHI_TRUST_CACHE_DIR: TRUST_CACHE,
    },
    timeout: 170_000,
  });

/** `kakehashi wallet receive|present`: one wallet per persona kept between runs, each run its own federation. */
describe('kakehashi wallet', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('receive prints the PID as dc+sd-jwt and keeps the wallet; present prints the German verifier’s valid verdict', () => {
    const r = run(['receive', '--country', 'EE', '--persona', 'ee-002', '--json']);
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    const { credential } = JSON.parse(r.stdout) as { credential: string };
    const header = JSON.parse(Buffer.from(credential.split('.')[0] as string, 'base64url').toString());
    expect(header).toMatchObject({ typ: 'dc+sd-jwt', alg: 'ES256' });
    const state = JSON.parse(readFileSync(join(dir, 'ee-002.json'), 'utf8'));
    expect(state.credentials[0].credential).toBe(credential);

    const p = run(['present', '--verifier', 'DE', '--persona', 'ee-002', '--json']);
    expect(p.status, p.stderr.slice(-2000)).toBe(0);
    const verdict = JSON.parse(p.stdout);
    expect(verdict.valid).toBe(true);
    expect(verdict.checks.map((c: { rule: string }) => c.rule)).toContain('W15');
    expect(verdict.credential).toMatchObject({ country: 'EE', vct: 'urn:eudi:pid:1' });
  }, 180_000);

  it('--format mso_mdoc receives the PID as ISO mdoc into the same wallet and presents it to a verifier asking for mso_mdoc', () => {
    const r = run(['receive', '--country', 'EE', '--persona', 'ee-002', '--format', 'mso_mdoc', '--json']);
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    const out = JSON.parse(r.stdout) as { credential: string; format: string; vct: string };
    expect(out).toMatchObject({ format: 'mso_mdoc', vct: 'eu.europa.ec.eudi.pid.1' });
    // base64url CBOR of an IssuerSigned: a map (major type 5) whose keys include nameSpaces and issuerAuth
    const bytes = Buffer.from(out.credential, 'base64url');
    expect((bytes[0] as number) >> 5).toBe(5);
    expect(bytes.includes(Buffer.from('issuerAuth'))).toBe(true);
    const state = JSON.parse(readFileSync(join(dir, 'ee-002.json'), 'utf8'));
    expect(state.credentials.map((c: { format: string }) => c.format)).toContain('mso_mdoc');

    const p = run(['present', '--verifier', 'DE', '--persona', 'ee-002', '--format', 'mso_mdoc', '--json']);
    expect(p.status, p.stderr.slice(-2000)).toBe(0);
    const verdict = JSON.parse(p.stdout);
    expect(verdict.valid).toBe(true);
    expect(verdict.credential).toMatchObject({ country: 'EE', vct: 'eu.europa.ec.eudi.pid.1', format: 'mso_mdoc' });
    expect(Object.keys(verdict.credential.claims['eu.europa.ec.eudi.pid.1']).sort()).toEqual([
      'birth_date',
      'family_name',
      'given_name',
    ]);
  }, 180_000);

  it('refuses a format it does not offer, and a missing persona', () => {
    expect(run(['receive', '--country', 'EE', '--persona', 'ee-002', '--format', 'jwt_vc_json']).status).toBe(2);
    expect(run(['present', '--verifier', 'DE']).status).toBe(2);
  });
});
