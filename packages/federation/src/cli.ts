#!/usr/bin/env node
/**
 * `kakehashi …` from the repository (`./kakehashi` runs this file); the installed bin is `@kakehashi/cli`.
 *
 * Before any other module loads, Node's compile cache is switched on in `.kakehashi/compile-cache` (or where
 * `NODE_COMPILE_CACHE` says): every module's type-stripped JavaScript and V8 code are kept there, keyed by a hash of
 * the module's source, so a start after the first strips no types and compiles almost nothing. A source that
 * changed misses the cache and is stripped and compiled again: the cache never runs stale code.
 * `NODE_DISABLE_COMPILE_CACHE=1` switches it off.
 * @see https://nodejs.org/api/module.html#module-compile-cache
 */
import { enableCompileCache } from 'node:module';
import { join } from 'node:path';

if (!process.env.NODE_COMPILE_CACHE)
  enableCompileCache(
    join(process.env.KAKEHASHI_ROOT ?? join(import.meta.dirname, '..', '..', '..'), '.kakehashi', 'compile-cache'),
  );
// Imported after the cache is on (a static import would load every module before this line runs).
const { runCli } = await import('./run-cli.ts');
runCli(process.argv.slice(2));
