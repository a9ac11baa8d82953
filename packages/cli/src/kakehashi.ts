#!/usr/bin/env node
/**
 * The `kakehashi` bin of `@kakehashi/cli`: `npx kakehashi start`, `kakehashi start --only node:DE --hub URL`,
 * `kakehashi scenario list` … The command itself lives in `@kakehashi/federation` (`runCli`), which the
 * repository's `./kakehashi` runs too: this package only gives it a name on the PATH.
 *
 * Node's compile cache is switched on first (in the OS temporary directory, or `NODE_COMPILE_CACHE`; keyed by a
 * hash of each module's source, so never stale): a start after the first compiles almost nothing.
 * @see https://nodejs.org/api/module.html#module-compile-cache
 */
import { enableCompileCache } from 'node:module';

enableCompileCache();
// Imported after the cache is on (a static import would load every module before this line runs).
const { runCli } = await import('@kakehashi/federation');
runCli(process.argv.slice(2));
