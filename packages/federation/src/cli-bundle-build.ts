/**
 * Builds the CLI's bundle (see `cli-bundle.ts`) with rolldown: `entry` and everything it imports, the workspace's
 * TypeScript and the dependencies, into ES modules under `<buildDir>/<id>/` (a chunk per lazily imported command),
 * then the manifest — the inputs as read, with size and mtime — written last and atomically, so a start sees the
 * old bundle or the new one, never half of one. Earlier bundles are removed once no process can still be importing
 * from them (see `removeOldBuilds`). No source maps (they would triple the size): names are kept, and
 * `KAKEHASHI_BUNDLE=0` runs from the sources for stack traces that point into them.
 *
 * `import.meta.dirname` and `import.meta.url` of a workspace module are replaced by the module's own source
 * location, so what a module reads beside itself (the console's page, JSON data) is found where it always was.
 *
 * Run as a script (what `scheduleBundleBuild` spawns): `node cli-bundle-build.ts <buildDir> <entry>`, at the
 * lowest CPU priority; it removes the lock named by `KAKEHASHI_BUNDLE_LOCK` when done, built or not.
 * @see https://rolldown.rs/apis/javascript-api
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { constants, setPriority } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { RolldownPlugin } from 'rolldown';
import { BUNDLE_FORMAT, type BundleManifest, START_SCRIPT } from './cli-bundle.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/** Where a workspace module's `import.meta` points: its own source, wherever the bundle is. */
const SOURCE_LOCATION: RolldownPlugin = {
  name: 'kakehashi-source-location',
  transform(code, moduleId) {
    if (moduleId.includes('/node_modules/') || !code.includes('import.meta.')) return null;
    return code
      .replaceAll('import.meta.dirname', JSON.stringify(dirname(moduleId)))
      .replaceAll('import.meta.filename', JSON.stringify(moduleId))
      .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(moduleId).href));
  },
};

/** Builds `entry` into `buildDir` and writes its manifest; returns the manifest. */
export async function buildBundle(buildDir: string, entry: string): Promise<BundleManifest> {
  const { rolldown } = await import('rolldown');
  const started = Date.now();
  const id = `b-${started.toString(36)}-${randomBytes(4).toString('hex')}`;
  const outDir = join(buildDir, id);
  const bundle = await rolldown({
    input: { cli: entry },
    platform: 'node',
    external: [/^node:/],
    logLevel: 'silent',
    plugins: [SOURCE_LOCATION],
  });
  try {
    const inputs: BundleManifest['inputs'] = [];
    await bundle.write({
      dir: outDir,
      format: 'esm',
      // Functions and classes keep their `name` (an error's name, a class renamed to avoid a clash in one scope).
      keepNames: true,
      // What a start reads, decodes and hashes for the compile cache: ~6 MB less text without comments and
      // whitespace, all of it ASCII (escapes for the rest: one-byte strings, the fast path of Node's UTF-8
      // decoding and of V8's scanner). Identifiers are not mangled and nothing is rewritten (compress off). A
      // warm start of hub + 7 nodes: ~8 % less CPU and ~10 MB less RSS (issue 15).
      charset: 'ascii',
      comments: false,
      minify: { compress: false, mangle: false, codegen: { removeWhitespace: true } },
      entryFileNames: '[name].mjs',
      chunkFileNames: '[name]-[hash].mjs',
      // CommonJS dependencies call require() for Node's built-ins.
      banner:
        "import { createRequire as __kakehashiCreateRequire } from 'node:module';\n" +
        'const require = __kakehashiCreateRequire(import.meta.url);',
    });
    for (const f of new Set([...(await bundle.watchFiles), ...resolutionInputs(entry)])) {
      if (!isAbsolute(f)) continue;
      const s = statSync(f, { throwIfNoEntry: false });
      if (!s?.isFile()) continue;
      // Saved while the bundle was built: what was read may be the old text. No manifest; the next miss builds.
      if (s.mtimeMs >= started) throw new Error(`${f} changed during the build`);
      inputs.push([f, s.size, s.mtimeMs]);
    }
    const start = await buildStartScript(outDir, entry);
    const manifest: BundleManifest = {
      format: BUNDLE_FORMAT,
      entry,
      main: join(id, 'cli.mjs'),
      ...(start ? { start: join(id, START_SCRIPT) } : {}),
      inputs,
    };
    const tmp = join(buildDir, `manifest.${id}.tmp`);
    writeFileSync(tmp, JSON.stringify(manifest));
    renameSync(tmp, join(buildDir, 'manifest.json'));
    removeOldBuilds(buildDir, id);
    return manifest;
  } catch (e) {
    rmSync(outDir, { recursive: true, force: true });
    throw e;
  } finally {
    await bundle.close();
  }
}

/**
 * The start script beside the bundle (`start.cjs`, see `runStartScript` in `cli-bundle.ts`): the same entry and
 * everything it imports statically, as one CommonJS script with every module in it — no chunks, so that one code
 * cache covers all the code a start runs. The commands the entry imports lazily (bench, attack, …) stay out: they
 * are never run from this script (a start only), and their imports are left pointing at the sources. Strict mode as
 * the ES modules it is made of. Returns false when the entry's code cannot be a script (top-level await): the
 * bundle is then used without it.
 */
async function buildStartScript(outDir: string, entry: string): Promise<boolean> {
  const { rolldown } = await import('rolldown');
  const bundle = await rolldown({
    input: { start: entry },
    platform: 'node',
    external: [/^node:/],
    logLevel: 'silent',
    plugins: [
      SOURCE_LOCATION,
      {
        name: 'kakehashi-start-only',
        resolveDynamicImport(specifier, importer) {
          if (importer !== entry || typeof specifier !== 'string') return null;
          return { id: pathToFileURL(join(dirname(entry), specifier)).href, external: 'absolute' };
        },
      },
    ],
  });
  try {
    await bundle.write({
      dir: outDir,
      format: 'cjs',
      codeSplitting: false,
      keepNames: true,
      charset: 'ascii',
      comments: false,
      minify: { compress: false, mangle: false, codegen: { removeWhitespace: true } },
      entryFileNames: START_SCRIPT,
      banner: '"use strict";',
    });
    return true;
  } catch {
    return false;
  } finally {
    await bundle.close();
  }
}

/**
 * What decides how imports resolve, beside the modules themselves: the workspace's lockfile and pnpm's record of
 * the install (a dependency upgraded moves `node_modules` links without touching the importing module), and every
 * package.json from the entry up to the workspace root (exports maps).
 */
function resolutionInputs(entry: string): string[] {
  const out: string[] = [];
  for (let dir = dirname(entry); ; dir = dirname(dir)) {
    out.push(join(dir, 'package.json'));
    if (existsSync(join(dir, 'pnpm-lock.yaml'))) {
      out.push(join(dir, 'pnpm-lock.yaml'), join(dir, 'node_modules', '.modules.yaml'));
      if (existsSync(join(dir, 'packages')))
        for (const pkg of readdirSync(join(dir, 'packages'), { withFileTypes: true }))
          if (pkg.isDirectory()) out.push(join(dir, 'packages', pkg.name, 'package.json'));
      return out;
    }
    if (dirname(dir) === dir) return out;
  }
}

/**
 * Removes earlier builds: those over an hour old, and beyond the ten newest (the current one and nine others) those
 * over ten minutes old. A process imports a command's chunks when it starts (the bench its comparison provider
 * within minutes), so a build that old is no longer being read.
 */
function removeOldBuilds(buildDir: string, current: string): void {
  const builds = readdirSync(buildDir)
    .filter((name) => name.startsWith('b-') && name !== current)
    .flatMap((name) => {
      const s = statSync(join(buildDir, name), { throwIfNoEntry: false }); // another builder may remove it
      return s ? [{ path: join(buildDir, name), age: Date.now() - s.mtimeMs }] : [];
    })
    .sort((a, b) => a.age - b.age);
  for (const [i, b] of builds.entries())
    if (b.age > HOUR_MS || (i >= 9 && b.age > 10 * MINUTE_MS)) rmSync(b.path, { recursive: true, force: true });
}

// As a script: the detached builder.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [buildDir, entry] = process.argv.slice(2);
  try {
    setPriority(constants.priority.PRIORITY_LOW);
  } catch {
    /* not permitted: build at normal priority */
  }
  try {
    if (buildDir && entry) {
      mkdirSync(buildDir, { recursive: true });
      await buildBundle(buildDir, entry);
    }
  } catch (e) {
    process.exitCode = 1;
    process.stderr.write(`kakehashi: building the CLI bundle failed: ${e instanceof Error ? e.message : e}\n`);
  } finally {
    if (process.env.KAKEHASHI_BUNDLE_LOCK) rmSync(process.env.KAKEHASHI_BUNDLE_LOCK, { force: true });
  }
}
