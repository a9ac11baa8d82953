import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureCliBundle } from '../../src/bench-start.ts';
import {
  BUNDLE_FORMAT,
  findBundle,
  findStartScript,
  runStartScript,
  scheduleBundleBuild,
} from '../../src/cli-bundle.ts';
import { buildBundle } from '../../src/cli-bundle-build.ts';

/** A workspace in miniature: an entry importing a module, which reads a file beside itself at run time. */
let root: string;
let entry: string;
let buildDir: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'kakehashi-bundle-'));
  writeFileSync(join(root, 'pnpm-lock.yaml'), "lockfileVersion: '9.0'\n");
  writeFileSync(join(root, 'package.json'), '{"type":"module"}\n');
  mkdirSync(join(root, 'src', 'data'), { recursive: true });
  entry = join(root, 'src', 'entry.ts');
  writeFileSync(entry, "import { word } from './data/dep.ts';\nexport const run = (): string => word();\n");
  writeFileSync(
    join(root, 'src', 'data', 'dep.ts'),
    "import { readFileSync } from 'node:fs';\nimport { join } from 'node:path';\n" +
      "export const word = (): string => readFileSync(join(import.meta.dirname, 'word.txt'), 'utf8');\n",
  );
  writeFileSync(join(root, 'src', 'data', 'word.txt'), 'kakehashi');
  buildDir = join(root, '.kakehashi', 'build');
  mkdirSync(buildDir, { recursive: true });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Changes a file, its mtime set apart from the build's (a save in the same millisecond could not be told apart). */
function change(path: string, text: string) {
  writeFileSync(path, text);
  const earlier = new Date(Date.now() - 10_000);
  utimesSync(path, earlier, earlier);
}

describe('the CLI bundle (.kakehashi/build): built JavaScript a start loads instead of the sources', () => {
  it('runs the same code from the bundle, reading files beside the source modules', async () => {
    const manifest = await buildBundle(buildDir, entry);
    expect(manifest.format).toBe(BUNDLE_FORMAT);
    expect(manifest.inputs.map(([p]) => p)).toEqual(
      expect.arrayContaining([entry, join(root, 'src', 'data', 'dep.ts'), join(root, 'pnpm-lock.yaml')]),
    );
    const main = findBundle(buildDir, entry);
    expect(main).toBe(join(buildDir, manifest.main));
    expect(readFileSync(main as string, 'utf8')).not.toContain('): string');
    const bundled = (await import(pathToFileURL(main as string).href)) as { run(): string };
    expect(bundled.run()).toBe('kakehashi');
  });

  it('is not used once any file it was built from changed, nor for another entry or format', async () => {
    await buildBundle(buildDir, entry);
    expect(findBundle(buildDir, join(root, 'src', 'other.ts'))).toBeUndefined();
    change(join(root, 'src', 'data', 'dep.ts'), "export const word = (): string => 'changed';\n");
    expect(findBundle(buildDir, entry)).toBeUndefined();

    await buildBundle(buildDir, entry);
    expect(findBundle(buildDir, entry)).toBeDefined();
    // The lockfile decides where packages resolve: a new install makes the bundle stale too.
    change(join(root, 'pnpm-lock.yaml'), "lockfileVersion: '9.0'\n# changed\n");
    expect(findBundle(buildDir, entry)).toBeUndefined();

    await buildBundle(buildDir, entry);
    const path = join(buildDir, 'manifest.json');
    writeFileSync(path, JSON.stringify({ ...JSON.parse(readFileSync(path, 'utf8')), format: BUNDLE_FORMAT + 1 }));
    expect(findBundle(buildDir, entry)).toBeUndefined();
  });

  it('starts nothing, and does not throw, where the build directory cannot be made (a read-only image)', () => {
    // a file where a directory should be: mkdir fails as it does on a read-only /app in a container
    const blocked = join(root, 'not-a-directory');
    writeFileSync(blocked, '');
    expect(() => scheduleBundleBuild(join(blocked, 'build'), entry)).not.toThrow();
    expect(existsSync(join(blocked, 'build'))).toBe(false);
  });

  it('finds no bundle where none was built', () => {
    expect(findBundle(buildDir, entry)).toBeUndefined();
  });

  it('builds in a detached process on a miss, one builder at a time, and frees the lock when done', async () => {
    const lock = join(buildDir, 'building.lock');
    // A fresh lock is another builder at work: nothing is started.
    writeFileSync(lock, '');
    scheduleBundleBuild(buildDir, entry);
    await new Promise((r) => setTimeout(r, 500));
    expect(findBundle(buildDir, entry)).toBeUndefined();
    // One left by a builder that died (over two minutes old) is taken over.
    const old = new Date(Date.now() - 180_000);
    utimesSync(lock, old, old);
    scheduleBundleBuild(buildDir, entry);
    const deadline = Date.now() + 60_000;
    while (!findBundle(buildDir, entry) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(findBundle(buildDir, entry)).toBeDefined();
    while (existsSync(lock) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(lock)).toBe(false);
  });

  it('loads node:child_process only when it starts a builder (a start from the bundle spawns nothing)', () => {
    const url = pathToFileURL(join(import.meta.dirname, '..', '..', 'src', 'cli-bundle.ts')).href;
    const run = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `await import(${JSON.stringify(url)}); console.log(process.moduleLoadList.includes('NativeModule child_process'));`,
      ],
      { encoding: 'utf8' },
    );
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('false');
  });
});

describe('names in the bundle', () => {
  it('keeps the names of functions and classes, also where two modules declare the same one', async () => {
    writeFileSync(join(root, 'src', 'a.ts'), 'export class Thing {}\nexport function make() { return new Thing(); }\n');
    writeFileSync(join(root, 'src', 'b.ts'), 'export class Thing {}\n');
    writeFileSync(
      entry,
      "import { make, Thing as A } from './a.ts';\nimport { Thing as B } from './b.ts';\n" +
        'export const names = () => [A.name, B.name, make.name, new B().constructor.name];\n',
    );
    const manifest = await buildBundle(buildDir, entry);
    const bundled = (await import(pathToFileURL(join(buildDir, manifest.main)).href)) as { names(): string[] };
    expect(bundled.names()).toEqual(['Thing', 'Thing', 'make', 'Thing']);
  });
});

describe("the bench's starts", () => {
  it('run from a bundle: one missing or stale is built first, awaited', async () => {
    expect(findBundle(buildDir, entry)).toBeUndefined();
    expect(await ensureCliBundle(buildDir, entry)).toBe(true);
    const built = findBundle(buildDir, entry);
    expect(built).toBeDefined();
    expect(await ensureCliBundle(buildDir, entry)).toBe(true);
    expect(findBundle(buildDir, entry)).toBe(built);
    change(join(root, 'src', 'data', 'dep.ts'), "export const word = (): string => 'changed';\n");
    expect(await ensureCliBundle(buildDir, entry)).toBe(true);
    const rebuilt = findBundle(buildDir, entry) as string;
    expect(rebuilt).not.toBe(built);
    expect(((await import(pathToFileURL(rebuilt).href)) as { run(): string }).run()).toBe('changed');
  });
});

describe('the text of the bundle', () => {
  it('is ASCII without comments or layout whitespace, and its strings and regular expressions are unchanged', async () => {
    writeFileSync(
      entry,
      '/** A comment the bundle does not carry. */\n' +
        "export const banner = (): string => '架け橋 — TEST ONLY → 🌉';\n" +
        'export const matches = (s: string): boolean => /^架け橋\\s+[→]$/u.test(s);\n' +
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
        'export const template = (n: number): string => `  n = ${n}\\n\tend`;\n',
    );
    const manifest = await buildBundle(buildDir, entry);
    const bytes = readFileSync(join(buildDir, manifest.main));
    expect(bytes.every((b) => b < 0x80)).toBe(true);
    const text = bytes.toString('utf8');
    expect(text).not.toContain('A comment the bundle does not carry');
    expect(text).not.toMatch(/\n\s+/);
    const bundled = (await import(pathToFileURL(join(buildDir, manifest.main)).href)) as {
      banner(): string;
      matches(s: string): boolean;
      template(n: number): string;
    };
    expect(bundled.banner()).toBe('架け橋 — TEST ONLY → 🌉');
    expect(bundled.matches('架け橋  →')).toBe(true);
    expect(bundled.template(3)).toBe('  n = 3\n\tend');
  });
});

describe('earlier builds', () => {
  it('are removed once no process can still be importing from them: over an hour old, or beyond the ten newest', async () => {
    const made = (name: string, minutesAgo: number) => {
      mkdirSync(join(buildDir, name));
      const at = new Date(Date.now() - minutesAgo * 60_000);
      utimesSync(join(buildDir, name), at, at);
    };
    made('b-old', 61);
    made('b-recent', 1);
    for (let i = 0; i < 12; i++) made(`b-busy-${String(i).padStart(2, '0')}`, 11 + i);
    const manifest = await buildBundle(buildDir, entry);
    const left = readdirSync(buildDir).filter((n) => n.startsWith('b-'));
    expect(left).toContain(manifest.main.split('/')[0]);
    expect(left).toContain('b-recent');
    expect(left).not.toContain('b-old');
    // The current build, b-recent and the eight newest of the others over ten minutes old.
    expect(left.filter((n) => n.startsWith('b-busy-')).sort()).toEqual(
      Array.from({ length: 8 }, (_, i) => `b-busy-${String(i).padStart(2, '0')}`),
    );
  });
});

describe("a start's script and its code cache", () => {
  /** An entry shaped as run-cli.ts: `runCli(argv, hooks)`, a command imported lazily, ready told through a hook. */
  const cliEntry = (word: string) =>
    "import { word } from './data/dep.ts';\n" +
    'export function runCli(argv: string[], hooks: { onReady?: () => void }): void {\n' +
    "  if (argv[0] === 'other') { void import('./other.ts'); return; }\n" +
    `  (globalThis as { startWord?: string }).startWord = word() + ' ${word}';\n` +
    '  hooks.onReady?.();\n' +
    '}\n';
  const startWord = () => (globalThis as { startWord?: string }).startWord;
  /**
   * A start in a process of its own, as each `kakehashi start` is: in one process, V8 would find the script in its
   * own compilation cache and never look at the code cache offered.
   */
  const startInChild = (script: string, env: Record<string, string> = {}) => {
    const run = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { runStartScript } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, '..', '..', 'src', 'cli-bundle.ts')).href)};\n` +
          "const r = runStartScript(process.argv[1], ['start']);\n" +
          'process.stdout.write(JSON.stringify({ ...r, word: globalThis.startWord }));',
        script,
      ],
      { encoding: 'utf8', env: { ...process.env, ...env } },
    );
    if (run.status !== 0) throw new Error(run.stderr);
    return JSON.parse(run.stdout) as { cacheFile: string; cached: boolean; word: string };
  };
  beforeEach(() => writeFileSync(join(root, 'src', 'other.ts'), "export const marker = 'LAZY-COMMAND-CODE';\n"));

  it('is one strict script of the static imports; the lazily imported commands stay in their sources', async () => {
    writeFileSync(entry, cliEntry('one'));
    const manifest = await buildBundle(buildDir, entry);
    const script = findStartScript(buildDir, entry);
    expect(script).toBe(join(buildDir, manifest.start as string));
    const text = readFileSync(script as string, 'latin1');
    expect(text.startsWith('"use strict";')).toBe(true);
    expect(text).not.toContain('LAZY-COMMAND-CODE');
    expect(text).toContain(pathToFileURL(join(root, 'src', 'other.ts')).href);
    runStartScript(script as string, ['start']);
    expect(startWord()).toBe('kakehashi one');
  });

  it('is written once the start is ready, taken by the next start, and not for another text of the script', async () => {
    writeFileSync(entry, cliEntry('one'));
    await buildBundle(buildDir, entry);
    const script = findStartScript(buildDir, entry) as string;
    const first = startInChild(script);
    expect(first).toMatchObject({ cached: false, word: 'kakehashi one' });
    expect(existsSync(first.cacheFile)).toBe(true);
    expect(startInChild(script)).toEqual({ ...first, cached: true });

    // Another text has a cache of its own: the first one's is never offered for it — a script rewritten in place…
    change(script, `${readFileSync(script, 'latin1')}\n;`);
    const inPlace = startInChild(script);
    expect(inPlace.cacheFile).not.toBe(first.cacheFile);
    expect(inPlace.cached).toBe(false);
    // … or rebuilt.
    change(entry, cliEntry('two'));
    await buildBundle(buildDir, entry);
    const third = startInChild(findStartScript(buildDir, entry) as string);
    expect(third.cacheFile).not.toBe(first.cacheFile);
    expect(third).toMatchObject({ cached: false, word: 'kakehashi two' });
  });

  it('is refused by V8 when damaged: the script is compiled as usual and the cache written again', async () => {
    writeFileSync(entry, cliEntry('one'));
    await buildBundle(buildDir, entry);
    const script = findStartScript(buildDir, entry) as string;
    const { cacheFile } = startInChild(script);
    writeFileSync(cacheFile, Buffer.alloc(readFileSync(cacheFile).length, 7));
    expect(startInChild(script)).toMatchObject({ cached: false, word: 'kakehashi one' });
    expect(startInChild(script).cached).toBe(true);
  });

  it('is neither read nor written with NODE_DISABLE_COMPILE_CACHE', async () => {
    writeFileSync(entry, cliEntry('one'));
    await buildBundle(buildDir, entry);
    const script = findStartScript(buildDir, entry) as string;
    const { cacheFile, cached, word } = startInChild(script, { NODE_DISABLE_COMPILE_CACHE: '1' });
    expect({ cached, word }).toEqual({ cached: false, word: 'kakehashi one' });
    expect(existsSync(cacheFile)).toBe(false);
    startInChild(script);
    expect(startInChild(script, { NODE_DISABLE_COMPILE_CACHE: '1' }).cached).toBe(false);
  });

  it('is not built for an entry that awaits at its top level (no script can): the bundle is used without it', async () => {
    writeFileSync(
      entry,
      "import { word } from './data/dep.ts';\nawait Promise.resolve();\nexport const run = (): string => word();\n",
    );
    const manifest = await buildBundle(buildDir, entry);
    expect(manifest.start).toBeUndefined();
    expect(findStartScript(buildDir, entry)).toBeUndefined();
    expect(findBundle(buildDir, entry)).toBe(join(buildDir, manifest.main));
  });
});
