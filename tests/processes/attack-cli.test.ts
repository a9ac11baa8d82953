import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRUST_CACHE } from '../support/federation.ts';
import { CLI, type Started, startCli } from '../support/processes.ts';

/**
 * `kakehashi attack` as a user runs it: the federation (`kakehashi start --port 0`), the example relying parties
 * and service provider as their own processes on OS ports, and the CLI against them — exit codes, and the three
 * reports on disk read back (report.json, junit.xml checked by xmllint where installed, report.html).
 */
const ROOT = join(import.meta.dirname, '..', '..');
const SUBSTANTIAL = 'http://eidas.europa.eu/LoA/substantial';
const dirs: string[] = [];
const children: ChildProcess[] = [];
let fed: Started;
let de = '';
let jp = '';
const apps: Record<string, string> = {};

/** The CLI, asynchronously (the federation's processes keep writing while it runs). */
function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** An example's server on a free port: resolves with its origin once it says where it listens. */
function startExample(dir: string, env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, [join(ROOT, 'examples', dir, 'src', 'server.ts')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PORT: '0', ...env },
  });
  children.push(child);
  let err = '';
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const m = /(http:\/\/127\.0\.0\.1:\d+)\//.exec(line);
      if (m) resolve(m[1] as string);
    });
    child.once('exit', (code) => reject(new Error(`${dir} exited ${code}: ${err.slice(-800)}`)));
  });
}

function namedFailures(example: string): string[] {
  const readme = readFileSync(join(ROOT, 'examples', example, 'README.md'), 'utf8');
  const block = /<!-- attack-fails -->([\s\S]*?)<!-- \/attack-fails -->/.exec(readme)?.[1] ?? '';
  return [...block.matchAll(/^- `([a-z0-9.-]+)`/gm)].map((m) => m[1] as string).sort();
}

interface Report {
  verdict: string;
  target: { kind: string; url: string };
  baselines: { id: string; status: string }[];
  cases: {
    id: string;
    rule: string;
    status: string;
    sent: { summary: string };
    target: { outcome?: string };
    detail: string;
  }[];
  summary: { total: number; passed: number; failed: number };
}
const readReport = (dir: string) => JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
const reportDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'kk-attack-report-'));
  dirs.push(d);
  return d;
};
const hasXmllint = spawnSync('sh', ['-c', 'command -v xmllint']).status === 0;

beforeAll(async () => {
  const data = mkdtempSync(join(tmpdir(), 'kk-attack-fed-'));
  dirs.push(data);
  fed = startCli(['start', '--port', '0', '--json', '--data-dir', data], {
    KAKEHASHI_COUNTRIES: 'DE,JP',
    KAKEHASHI_TRUST_CACHE_DIR: TRUST_CACHE,
    KAKEHASHI_LOG_LEVEL: 'error',
  });
  const ready = (await fed.waitFor((e) => e.event === 'federation-ready')) as { nodes: Record<string, string> };
  de = ready.nodes.DE as string;
  jp = ready.nodes.JP as string;
  const oidc = { KAKEHASHI_ISSUER: de, MINIMUM_LOA: SUBSTANTIAL };
  [apps.rp, apps.rpWeak, apps.spWeak] = await Promise.all([
    startExample('relying-party', oidc),
    startExample('relying-party-weak', oidc),
    startExample('saml-sp-weak', { KAKEHASHI_NODE: de, MINIMUM_LOA: SUBSTANTIAL }),
  ]);
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await fed?.stop('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('kakehashi attack', () => {
  it('list --json gives every case with its id, target kinds, rule, fault and description', async () => {
    const r = await cli(['attack', 'list', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const { cases } = JSON.parse(r.stdout) as {
      cases: { id: string; kinds: string[]; rule: string; fault: string; description: string; declared: boolean }[];
    };
    expect(cases.length).toBeGreaterThanOrEqual(36);
    for (const c of cases) {
      expect(c.kinds).toContain(c.id.startsWith('wallet.') ? 'verifier' : 'self');
      expect(c.fault).toBe(c.id);
      expect(c.rule.length).toBeGreaterThan(1);
      expect(c.description.length).toBeGreaterThan(10);
      expect(c.declared, `${c.id} is a fault of this build`).toBe(true);
    }
    for (const id of [...namedFailures('relying-party-weak'), ...namedFailures('saml-sp-weak')])
      expect(cases.map((c) => c.id)).toContain(id);
    const text = await cli(['attack', 'list']);
    expect(text.stdout.trim().split('\n')).toHaveLength(cases.length);
    expect(text.stdout).toMatch(/^id-token\.alg-none\s+J1 \S+\s+self,oidc-rp\s/m);
  });

  it('run against the weakened relying party: exit 1, exactly its named cases failed, three reports', async () => {
    const dir = reportDir();
    const r = await cli([
      'attack',
      'run',
      '--target',
      'oidc-rp',
      `${apps.rpWeak}/login`,
      '--node',
      de,
      '--report-dir',
      dir,
      // The probe of the README's example: refused = a 4xx answer, accepted = sent home (its origin's /).
      '--refused-status',
      '4xx',
      '--accepted-redirect',
      `^${(apps.rpWeak as string).replaceAll('.', '\\.')}/$`,
    ]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(1);
    expect(r.stdout).toMatch(/^FAILED: \d+ of \d+ cases refused, 6 accepted/m);
    const report = readReport(dir);
    expect(report.verdict).toBe('failed');
    expect(report.target).toEqual({ kind: 'oidc-rp', url: `${apps.rpWeak}/login` });
    expect(report.baselines.map((b) => b.status)).toEqual(['passed']);
    const failed = report.cases.filter((c) => c.status === 'failed');
    expect(failed.map((c) => c.id).sort()).toEqual(namedFailures('relying-party-weak'));
    for (const c of report.cases) {
      expect(c.rule).toMatch(/^J\d+ /);
      expect(c.sent.summary).toContain(`kakehashi_fault=${c.id}`);
      expect(c.target.outcome).toBe(c.status === 'passed' ? 'refused' : 'accepted');
    }
    expect(report.summary.total).toBe(report.cases.length);

    const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
    if (hasXmllint) {
      const lint = spawnSync('xmllint', ['--noout', '--nonet', join(dir, 'junit.xml')], { encoding: 'utf8' });
      expect(lint.status, lint.stderr).toBe(0);
      const count = (xpath: string) =>
        spawnSync('xmllint', ['--xpath', xpath, join(dir, 'junit.xml')], { encoding: 'utf8' }).stdout.trim();
      expect(Number(count('count(//testcase)'))).toBe(report.cases.length + 1);
      expect(Number(count('count(//testcase[failure])'))).toBe(failed.length);
      expect(count('string(/testsuites/@failures)')).toBe(String(failed.length));
    } else console.warn('[kakehashi/attack] xmllint is NOT INSTALLED: junit.xml checked without it');
    expect(junit.match(/<testcase /g)).toHaveLength(report.cases.length + 1);
    expect(junit.match(/<failure /g)).toHaveLength(failed.length);

    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    for (const c of report.cases) expect(html).toContain(`data-case="${c.id}" data-status="${c.status}"`);
    expect(html).toContain('data-verdict="failed"');
  });

  it('run against the correct relying party: every case refused, exit 0', async () => {
    const dir = reportDir();
    const r = await cli([
      'attack',
      'run',
      '--target',
      'oidc-rp',
      `${apps.rp}/login`,
      '--node',
      de,
      '--report-dir',
      dir,
      '--json',
    ]);
    expect(r.code, `${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report).toEqual(readReport(dir));
    expect(report.verdict).toBe('passed');
    expect(report.summary.passed).toBe(report.cases.length);
  });

  it('run against the weakened SAML SP: exit 1, exactly its named cases failed', async () => {
    const dir = reportDir();
    const r = await cli([
      'attack',
      'run',
      '--target',
      'saml-sp',
      `${apps.spWeak}/login`,
      '--node',
      de,
      '--report-dir',
      dir,
    ]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(1);
    const report = readReport(dir);
    expect(
      report.cases
        .filter((c) => c.status === 'failed')
        .map((c) => c.id)
        .sort(),
    ).toEqual(namedFailures('saml-sp-weak'));
    expect(report.cases.every((c) => c.sent.summary.includes('SAML Response (unverified)'))).toBe(true);
  });

  it('--only picks cases; a baseline the probe does not see accepted makes the run inconclusive (exit 2)', async () => {
    const dir = reportDir();
    const r = await cli([
      'attack',
      'run',
      '--target',
      'oidc-rp',
      `${apps.rp}/login`,
      '--node',
      de,
      '--report-dir',
      dir,
      '--only',
      'J1,id-token.expired',
      '--accepted-text',
      'no page says this',
    ]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(2);
    const report = readReport(dir);
    expect(report.verdict).toBe('inconclusive');
    expect(report.cases.map((c) => [c.id, c.status])).toEqual([
      ['id-token.alg-none', 'skipped'],
      ['id-token.expired', 'skipped'],
    ]);
  });

  it('self: JP refuses every forgery of DE naming its rule, exit 0', async () => {
    const dir = reportDir();
    const r = await cli(['attack', 'run', '--target', 'self', jp, '--node', de, '--report-dir', dir]);
    const notPassed = r.stdout.split('\n').filter((l) => /^(FAILED|ERROR|UNAVAILABLE|SKIPPED) /.test(l));
    expect(notPassed, r.stderr.slice(-2000)).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^PASSED: (\d+) of \1 cases refused/m);
    expect(readReport(dir).cases.length).toBeGreaterThanOrEqual(37);
  });

  it('refuses a wrong invocation with exit 2 and says why', async () => {
    const noTarget = await cli(['attack', 'run', 'http://127.0.0.1:1/']);
    expect(noTarget.code).toBe(2);
    expect(noTarget.stderr).toContain('needs --target');
    const badProbe = await cli(['attack', 'run', '--target', 'oidc-rp', `${apps.rp}/login`, '--refused-status', '4xy']);
    expect(badProbe.code).toBe(2);
    expect(badProbe.stderr).toContain('neither a code');
    const unknown = await cli([
      'attack',
      'run',
      '--target',
      'oidc-rp',
      `${apps.rp}/login`,
      '--node',
      de,
      '--only',
      'Z9',
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--only names no case of oidc-rp: Z9');
    // A port the OS just gave and took back: nothing listens there.
    const closed = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const unreachable = await cli(['attack', 'run', '--target', 'self', jp, '--node', `http://127.0.0.1:${closed}`]);
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toContain(`cannot reach the node http://127.0.0.1:${closed} (ECONNREFUSED)`);
  });
});
