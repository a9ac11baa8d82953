import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderOptionsTable } from '@kakehashi/core';
import { FEDERATION_OPTIONS } from '@kakehashi/federation';
import { describe, expect, it } from 'vitest';
import { TRUST_CACHE } from '../support/federation.ts';
import { CLI } from '../support/processes.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, KAKEHASHI_LOG_LEVEL: 'warn', ...env },
    timeout: 170_000,
  });

describe('kakehashi CLI', () => {
  it('scenario list prints one name per line', () => {
    const r = run(['scenario', 'list']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toContain('federation');
  });

  it('scenario run federation reports every step and exits 0', () => {
    const r = run(['scenario', 'run', 'federation', '--seed', 'kakehashi-test'], {
      KAKEHASHI_TRUST_CACHE_DIR: TRUST_CACHE,
    });
    expect(r.stdout).toContain('PASSED');
    expect(r.stdout).not.toContain('✘');
    expect(r.status).toBe(0);
  }, 180_000);

  it('scenario run eid-cross-border logs an Estonian in at a German service through the hub', () => {
    const r = run(['scenario', 'run', 'eid-cross-border', '--seed', 'kakehashi-test'], {
      KAKEHASHI_TRUST_CACHE_DIR: TRUST_CACHE,
    });
    expect(r.stdout).toContain('PASSED: 6 steps');
    expect(r.stdout).toMatch(/EE\/DE\/[A-Za-z0-9_-]{43}/);
    expect(r.stdout).toContain('eid relay: ID token from the proxy service of EE to the connector of DE');
    expect(r.status).toBe(0);
  }, 180_000);

  it('scenario run delivery-outage reports the retries through the outage and one delivery', () => {
    const r = run(['scenario', 'run', 'delivery-outage', '--seed', 'kakehashi-test'], {
      KAKEHASHI_TRUST_CACHE_DIR: TRUST_CACHE,
    });
    expect(r.stdout, r.stderr.slice(-2000)).toContain(
      'attempt 2 → HTTP 503, next in 20 s; attempt 3 → HTTP 503, next in 40 s',
    );
    expect(r.stdout).toMatch(/attempt 4 at \S+ → signed receipt verified; ACKNOWLEDGED/);
    expect(r.stdout).toMatch(/1 copy of \S+ for urn:kakehashi:participant:at:bmf/);
    expect(r.stdout).toContain('PASSED: 7 steps');
    expect(r.status).toBe(0);
  }, 180_000);

  it('an unknown scenario exits non-zero with the list', () => {
    const r = run(['scenario', 'run', 'nope']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('federation');
  });

  it('an invalid option value fails with the option named', () => {
    const r = run(['start', '--port', 'abc']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/config-invalid.*port/);
  });
});

describe('README stays true to the code', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  it('documents every configuration option with its environment variable', () => {
    const table = /<!-- options:begin[^>]*-->\n([\s\S]*?)\n<!-- options:end -->/.exec(readme)?.[1];
    expect(table, 'README has the generated options table between its markers').toBe(
      renderOptionsTable(FEDERATION_OPTIONS),
    );
    for (const o of FEDERATION_OPTIONS) expect(table).toContain(`\`${o.env}\``);
  });
  it('gives the two commands, and .ci/run calls the test command', () => {
    expect(readme).toContain('./kakehashi start');
    expect(readme).toContain('./kakehashi test');
    expect(readFileSync(join(ROOT, '.ci', 'run'), 'utf8')).toMatch(/^\.\/kakehashi test$/m);
  });
});

describe('start refuses a busy port with a clear message', () => {
  it('names the port and the fix', async () => {
    const { createServer } = await import('node:net');
    const server = createServer();
    const port = await new Promise<number>((res) =>
      server.listen(0, '127.0.0.1', () => res((server.address() as { port: number }).port)),
    );
    try {
      const r = run(['start', '--port', String(port), '--data-dir', ':memory:'], {
        KAKEHASHI_TRUST_CACHE_DIR: TRUST_CACHE,
        KAKEHASHI_SEED: 'kakehashi-test',
      });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`port ${port}`);
      expect(r.stderr).toContain('--port');
    } finally {
      server.close();
    }
  });
});

describe('start-up errors name the file and the fix', () => {
  it('a data directory that cannot be made: data-dir-unusable, the path, the reason and --data-dir', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'kk-datadir-'));
    try {
      const file = join(dir, 'a-file');
      writeFileSync(file, 'not a directory');
      const r = run(['start', '--port', '0', '--data-dir', join(file, 'data')], {
        KAKEHASHI_TRUST_CACHE_DIR: TRUST_CACHE,
        KAKEHASHI_SEED: 'kakehashi-test',
      });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('data-dir-unusable');
      expect(r.stderr).toContain(join(file, 'data'));
      expect(r.stderr).toContain('ENOTDIR');
      expect(r.stderr).toContain('--data-dir');
      expect(r.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a request over the header limit', () => {
  it('gets 431 with no body, and the component stays healthy', async () => {
    const { startCli } = await import('../support/processes.ts');
    const { request } = await import('node:http');
    const cli = startCli(['start', '--port', '0', '--json', '--data-dir', ':memory:'], {
      KAKEHASHI_TRUST_CACHE_DIR: TRUST_CACHE,
      KAKEHASHI_SEED: 'kakehashi-test',
      KAKEHASHI_COUNTRIES: 'DE',
    });
    try {
      const ready = (await cli.waitFor((e) => e.event === 'federation-ready')) as { hub: string };
      const u = new URL(ready.hub);
      const answer = await new Promise<{ status: number | undefined; body: string }>((resolve, reject) => {
        const req = request(
          { host: u.hostname, port: u.port, path: '/health', headers: { 'x-padding': 'a'.repeat(64 * 1024) } },
          (res) => {
            let body = '';
            res.on('data', (d) => {
              body += d;
            });
            res.on('end', () => resolve({ status: res.statusCode, body }));
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(answer).toEqual({ status: 431, body: '' });
      expect((await fetch(`${ready.hub}/health`)).status).toBe(200);
    } finally {
      await cli.stop('SIGKILL');
    }
  });
  it('a reader that leaves early (`kakehashi attack list | head`) ends the CLI quietly, exit 0, no EPIPE trace', async () => {
    const child = spawn(process.execPath, [CLI, 'attack', 'list'], {
      env: { ...process.env, KAKEHASHI_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // The read end closed before the CLI writes a line: every write of it meets a closed pipe.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toContain('EPIPE');
    expect(code).toBe(0);
  }, 120_000);
});
