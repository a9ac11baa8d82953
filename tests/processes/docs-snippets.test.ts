import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type DocBlock, ROOT, runBlocks, SNIPPETS_DIR, snippetName, writeSnippets } from '../support/doc-blocks.ts';
import { CLI, type Started, startCli } from '../support/processes.ts';
import { TRUST_CACHE } from '../support/trust-cache.ts';

/**
 * The documentation's shell examples, run as a reader runs them, and its TypeScript examples type-checked:
 *
 * - every block marked `<!-- run: processes shell…; output: /re/ -->` runs unchanged under `bash` (with `set -eu`)
 *   in an empty temporary directory, where `npx kakehashi` and `./kakehashi` are this repository's CLI (shims first
 *   on PATH; any other npx is the real one) and no KAKEHASHI_* variable of the test's own environment leaks in (but
 *   KAKEHASHI_TRUST_CACHE_DIR, the tests' shared trust cache: the keys are not drawn again); it must exit 0 and print
 *   what the marker says. `with-federation`: a federation is started first on OS ports, and
 *   the block's `localhost:7000`…`localhost:7007` are rewritten to its components (hub, AT … JP).
 * - every `<!-- run: e2e vitest -->` block (the e2e lane runs them) goes through the type checker with the
 *   repository's strict settings, beside a control file whose one deliberate error must be found.
 */
const COUNTRY_ORDER = ['AT', 'DE', 'EE', 'ES', 'FR', 'IT', 'JP'];
const dirs: string[] = [];
const running: Started[] = [];
afterAll(async () => {
  await Promise.all(running.map((p) => p.stop('SIGKILL')));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A bin directory whose `npx kakehashi`, `kakehashi` and `open` are the repository's CLI and a plain GET. */
function shims(): string {
  const bin = mkdtempSync(join(tmpdir(), 'kk-doc-bin-'));
  dirs.push(bin);
  const npx = (process.env.PATH ?? '')
    .split(delimiter)
    .map((d) => join(d, 'npx'))
    .find((p) => spawnSync(p, ['--version']).status === 0);
  const write = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  write(
    'npx',
    `if [ "$1" = kakehashi ]; then shift; exec "${process.execPath}" "${CLI}" "$@"; fi\n${npx ? `exec "${npx}" "$@"` : 'echo "no npx" >&2; exit 127'}`,
  );
  write('kakehashi', `exec "${process.execPath}" "${CLI}" "$@"`);
  write('open', `curl -s -o /dev/null -w "open $1: %{http_code}\\n" "$1"`);
  return bin;
}

/**
 * The environment of a reader's shell: PATH with the shims first, none of the test's KAKEHASHI_* settings; only the
 * trust material goes to the tests' shared cache (where the seed's keys are).
 */
function readerEnv(bin: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(KAKEHASHI_|VITEST|npm_|pnpm_)/i.test(k)) env[k] = v;
  return { ...env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`, KAKEHASHI_TRUST_CACHE_DIR: TRUST_CACHE };
}

/** Runs a script in its own process group; when bash ends, whatever it left running in the group is killed. */
function runScript(script: string, cwd: string, env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn('bash', ['-c', `set -eu\n${script}`], { cwd, env, detached: true, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const killGroup = () => {
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        /* nothing left */
      }
    };
    const timer = setTimeout(killGroup, 150_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      // A background process the script failed to stop would hold the pipes open: it goes with the group.
      const left = setTimeout(killGroup, 10_000);
      child.once('close', () => {
        clearTimeout(left);
        resolve({ code, stdout, stderr });
      });
    });
  });
}

/** `localhost:7000`…`localhost:7007` of a block, as the components of a federation on OS ports. */
function rewritePorts(code: string, urls: { hub: string; nodes: Record<string, string> }): string {
  return code.replace(/localhost:70(0[0-7])\b/g, (_, n: string) => {
    const index = Number(n);
    const url = index === 0 ? urls.hub : urls.nodes[COUNTRY_ORDER[index - 1] as string];
    if (!url) throw new Error(`no component for localhost:70${n}`);
    return new URL(url).host;
  });
}

describe("the documentation's shell examples", () => {
  const blocks = runBlocks('processes');

  it('finds the guide’s CLI example', () => {
    expect(blocks.some((b) => b.file === 'docs/use-in-your-tests.md' && b.code.includes('npx kakehashi'))).toBe(true);
  });

  for (const block of blocks) {
    it(`${block.id} runs and prints what it says`, async () => {
      const cwd = mkdtempSync(join(tmpdir(), `kk-doc-${snippetName(block)}-`));
      dirs.push(cwd);
      const env = readerEnv(shims());
      let code = block.code.replace(/(^|[\s;(])\.\/kakehashi\b/g, '$1kakehashi');
      if (block.marker.withFederation) {
        const fed = startCli(['start', '--port', '0', '--json', '--data-dir', join(cwd, '.federation')]);
        running.push(fed);
        const ready = (await fed.waitFor((e) => e.event === 'federation-ready')) as {
          hub: string;
          nodes: Record<string, string>;
        };
        code = rewritePorts(code, ready);
      }
      const r = await runScript(code, cwd, env);
      const shown = `--- stdout\n${r.stdout.slice(-3000)}\n--- stderr\n${r.stderr.slice(-3000)}`;
      expect(r.code, `${block.id} exited ${r.code}\n${shown}`).toBe(0);
      expect(r.stdout, shown).toMatch(block.marker.output);
    }, 180_000);
  }
});

describe("the documentation's TypeScript examples type-check", () => {
  it('passes the strict type checker, which finds the error of a control file', () => {
    const blocks: DocBlock[] = runBlocks('e2e');
    expect(blocks.length).toBeGreaterThan(0);
    const files = writeSnippets('typecheck', blocks);
    const dir = join(SNIPPETS_DIR, 'typecheck');
    // The control: a country the federation was not asked for has no origin (the types are not `any`).
    writeFileSync(
      join(dir, 'control.snippet.ts'),
      "import { createTestFederation } from '@kakehashi/msw';\nconst fed = await createTestFederation({ countries: ['DE'] });\nexport const ee: string = fed.origins.EE;\n",
    );
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ extends: '../../../tsconfig.base.json', include: ['*.ts'] }, null, 2),
    );
    const tsc = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', join(dir, 'tsconfig.json')], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    });
    const output = `${tsc.stdout}${tsc.stderr}`;
    const errors = output.split('\n').filter((l) => /error TS\d+/.test(l));
    expect(errors.length, output).toBe(1);
    expect(errors[0], output).toMatch(/control\.snippet\.ts.*'EE'/);
    expect(files.length).toBe(blocks.length);
  }, 150_000);
});
