/**
 * `./kakehashi pack`: builds every publishable package to JavaScript with type declarations and writes one npm
 * tarball per package into `dist/packages/`.
 *
 * Publishable = every `packages/*` whose package.json does not say `"private": true`. In the repository a package
 * exports its TypeScript sources (Node 24 strips the types, tests need no build); the tarball carries `dist/`
 * instead, built by one `tsc -p tsconfig.build.json` over every package (relative `.ts` specifiers rewritten to
 * `.js`), for Node.js >= 22.13, which does not strip types. The files a package reads at run time beside its
 * modules (console page, JSON data) are copied to the same relative place under `dist/`. `pnpm pack` then applies
 * each package's `publishConfig` (exports, types, bin pointing into `dist/`) and replaces `workspace:*` and
 * `catalog:` versions with real ones. Every tarball is checked before the command succeeds: no unresolved
 * version, every exported or bin file present, nothing in the built code that needs a Node.js newer than 22.13.
 *
 * Usage: node scripts/pack.ts [--out DIR]   (through the wrapper: ./kakehashi pack; pnpm must be on PATH)
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = join(import.meta.dirname, '..');
const PACKAGES = join(ROOT, 'packages');
const BUILD = join(ROOT, 'dist', 'build');

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  publishConfig?: { exports?: unknown; bin?: Record<string, string>; types?: string };
  exports?: unknown;
  bin?: Record<string, string>;
  types?: string;
}

/**
 * What the built code may not use: it runs on Node.js 22.13, the oldest the packages accept (`engines`). Each
 * entry names the API and the first Node.js that has it. Checked on the emitted JavaScript, so a use that slipped
 * into the sources fails the pack instead of a user's start.
 */
const NEWER_THAN_NODE_22_13: [RegExp, string][] = [
  [/\bRegExp\.escape\b/, 'RegExp.escape (Node 24)'],
  [/\bFloat16Array\b/, 'Float16Array (Node 24)'],
  [/\bError\.isError\b/, 'Error.isError (Node 24)'],
  [/\bPromise\.try\b/, 'Promise.try (Node 23)'],
  [/\bURLPattern\b/, 'URLPattern (Node 24)'],
  [/\bMath\.sumPrecise\b/, 'Math.sumPrecise (not in Node 24)'],
  [/\bAtomics\.pause\b/, 'Atomics.pause (Node 24)'],
  [/\bIterator\.concat\b/, 'Iterator.concat (not in Node 24)'],
  [/\bUint8Array\.from(Base64|Hex)\b|\.to(Base64|Hex)\(\)/, 'Uint8Array base64/hex (Node 25)'],
  [/\.isOpen\b/, 'DatabaseSync#isOpen of node:sqlite (Node 22.15)'],
  [/\bprocess\.features\.typescript\b/, 'process.features.typescript (Node 22.18)'],
  [/\bimport\.meta\.main\b/, 'import.meta.main (Node 24.2)'],
];

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

const readManifest = (dir: string) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;

/** The publishable packages: directory name and manifest. */
function publishablePackages(): { dir: string; manifest: Manifest }[] {
  return readdirSync(PACKAGES)
    .map((name) => join(PACKAGES, name))
    .filter((dir) => statSync(dir).isDirectory() && statSync(join(dir, 'package.json'), { throwIfNoEntry: false }))
    .map((dir) => ({ dir, manifest: readManifest(dir) }))
    .filter(({ manifest }) => manifest.private !== true);
}

function fail(message: string): never {
  process.stderr.write(`[pack] ${message}\n`);
  process.exit(1);
}

const say = (message: string) => process.stderr.write(`[pack] ${message}\n`);

/** A published package may depend only on published packages of this repository. */
function checkDependencies(packages: { manifest: Manifest }[]): void {
  const published = new Set(packages.map((p) => p.manifest.name));
  for (const { manifest } of packages)
    for (const dep of Object.keys(manifest.dependencies ?? {}))
      if (dep.startsWith('@kakehashi/') && !published.has(dep))
        fail(`${manifest.name} depends on ${dep}, which is private: it could not be installed from the tarballs`);
}

/**
 * Relative `.ts` specifiers in declaration files (tsc keeps them there) become `.js`, as in the emitted code; a
 * hand-written declaration file imported as `./x.d.ts` stays as it is (it is copied beside them).
 */
const rewriteDeclarationSpecifiers = (text: string) =>
  text.replace(/(['"])(\.{1,2}\/[^'"\n]*?)(?<!\.d)\.ts\1/g, (_m, q: string, path: string) => `${q}${path}.js${q}`);

/** Puts the build of one package into `<package>/dist`, with its run-time assets beside the modules. */
function assemble(dir: string): void {
  const name = relative(PACKAGES, dir);
  const built = join(BUILD, name, 'src');
  const dist = join(dir, 'dist');
  rmSync(dist, { recursive: true, force: true });
  for (const file of walk(built)) {
    const target = join(dist, relative(built, file));
    mkdirSync(dirname(target), { recursive: true });
    const text = readFileSync(file, 'utf8');
    if (file.endsWith('.d.ts')) writeFileSync(target, rewriteDeclarationSpecifiers(text));
    else copyFileSync(file, target);
    if (file.endsWith('.js'))
      for (const [re, what] of NEWER_THAN_NODE_22_13)
        if (re.test(text))
          fail(
            `${relative(ROOT, join(dir, 'src'))}: ${what} in ${relative(built, file)}; the packages promise Node.js >= 22.13`,
          );
  }
  // Files read at run time (readFileSync beside import.meta.dirname): everything in src that is not TypeScript;
  // and hand-written declaration files, which tsc reads but does not emit.
  const src = join(dir, 'src');
  for (const file of walk(src).filter((f) => !f.endsWith('.ts') || f.endsWith('.d.ts'))) {
    const target = join(dist, relative(src, file));
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(file, target);
  }
}

/** Every file a tarball's package.json points at, and no version left as `workspace:` or `catalog:`. */
function checkTarball(tarball: string): void {
  const list = new Set(
    execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map((f) => f.replace(/^package\//, '')),
  );
  const manifest = JSON.parse(
    execFileSync('tar', ['xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }),
  ) as Manifest & { devDependencies?: Record<string, string> };
  const name = relative(ROOT, tarball);
  for (const [dep, version] of Object.entries(manifest.dependencies ?? {}))
    if (/^(workspace|catalog):/.test(version)) fail(`${name}: dependency ${dep} left at ${version}`);
  const pointed: string[] = [];
  const collect = (v: unknown) => {
    if (typeof v === 'string') pointed.push(v);
    else if (v && typeof v === 'object') for (const x of Object.values(v)) collect(x);
  };
  collect(manifest.exports);
  collect(manifest.bin);
  collect(manifest.types);
  if (!pointed.length) fail(`${name}: package.json exports nothing`);
  for (const p of pointed) {
    if (!p.startsWith('./dist/')) fail(`${name}: ${p} is not a built file (publishConfig missing?)`);
    if (!list.has(p.slice(2))) fail(`${name}: ${p} is not in the tarball`);
  }
}

function main(): void {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const out = values.out ? resolve(values.out) : join(ROOT, 'dist', 'packages');
  const packages = publishablePackages();
  if (!packages.length) fail('no publishable package (every packages/* is private)');
  checkDependencies(packages);

  const t0 = performance.now();
  rmSync(BUILD, { recursive: true, force: true });
  mkdirSync(BUILD, { recursive: true });
  // tsconfig.build.json, limited to the publishable packages (a private one may be work in progress).
  const project = join(BUILD, 'tsconfig.json');
  writeFileSync(
    project,
    JSON.stringify({
      extends: relative(BUILD, join(ROOT, 'tsconfig.build.json')),
      include: packages.map(({ dir }) => `${relative(BUILD, dir)}/src/**/*.ts`),
    }),
  );
  say(`building ${packages.length} packages with tsc (tsconfig.build.json)`);
  try {
    execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', project], { cwd: ROOT, stdio: 'inherit' });
  } catch {
    fail('tsc found errors (above): nothing packed');
  }
  for (const { dir } of packages) assemble(dir);
  const built = performance.now();

  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  for (const { dir, manifest } of packages) {
    try {
      execFileSync('pnpm', ['pack', '--pack-destination', out], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
    } catch {
      fail(`pnpm pack failed in ${relative(ROOT, dir)} (pnpm must be on PATH: ./kakehashi pack puts it there)`);
    }
    const tarball = join(out, `${manifest.name.replace(/^@/, '').replace('/', '-')}-${manifest.version}.tgz`);
    checkTarball(tarball);
    say(`${relative(ROOT, tarball)}`);
  }
  say(
    `${packages.length} tarballs in ${relative(process.cwd(), out) || '.'} (build ${Math.round(built - t0)} ms, ` +
      `pack ${Math.round(performance.now() - built)} ms)`,
  );
}

main();
