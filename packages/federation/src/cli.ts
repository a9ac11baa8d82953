#!/usr/bin/env node
/**
 * `kakehashi …` from the repository (`./kakehashi` runs this file); the installed bin is `@kakehashi/cli`.
 *
 * Before any other module loads, Node's compile cache is switched on in `.kakehashi/compile-cache` (or where
 * `NODE_COMPILE_CACHE` says): every module's type-stripped JavaScript and V8 code are kept there, keyed by a hash of
 * the module's source, so a start after the first strips no types and compiles almost nothing. A source that
 * changed misses the cache and is stripped and compiled again: the cache never runs stale code.
 * `NODE_DISABLE_COMPILE_CACHE=1` switches it off.
 *
 * From the TypeScript sources, the CLI then runs from its bundle in `.kakehashi/build` when one was built from
 * exactly the sources and dependencies on disk (a few files to load instead of ~1,100; see `cli-bundle.ts`), and
 * from the sources otherwise, while a builder writes the bundle for the next run. `KAKEHASHI_BUNDLE=0` switches
 * the bundle off. `kakehashi start` runs from the bundle's start script, one script with a code cache of all that
 * the last start compiled (see `runStartScript`).
 * @see https://nodejs.org/api/module.html#module-compile-cache
 */
import { enableCompileCache } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dotKakehashi = join(process.env.KAKEHASHI_ROOT ?? join(import.meta.dirname, '..', '..', '..'), '.kakehashi');
if (!process.env.NODE_COMPILE_CACHE) enableCompileCache(join(dotKakehashi, 'compile-cache'));
// Imported after the cache is on (a static import would load every module before this line runs).
let main = new URL('./run-cli.ts', import.meta.url).href;
const argv = process.argv.slice(2);
let started = false;
if (import.meta.url.endsWith('.ts') && process.env.KAKEHASHI_BUNDLE !== '0') {
  const { findBundle, findStartScript, runStartScript, scheduleBundleBuild } = await import('./cli-bundle.ts');
  const buildDir = join(dotKakehashi, 'build');
  const entry = fileURLToPath(main);
  // A start runs from the bundle's start script, with the code cache of the last start (see runStartScript).
  const startScript = argv[0] === 'start' ? findStartScript(buildDir, entry) : undefined;
  if (startScript) {
    runStartScript(startScript, argv);
    started = true;
  } else {
    const bundled = findBundle(buildDir, entry);
    if (bundled) main = pathToFileURL(bundled).href;
    else scheduleBundleBuild(buildDir, entry);
  }
}
if (!started) ((await import(main)) as typeof import('./run-cli.ts')).runCli(argv);
