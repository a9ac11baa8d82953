#!/usr/bin/env node
/**
 * The `kakehashi` bin of `@kakehashi/cli`: `npx kakehashi start`, `kakehashi start --only node:DE --hub URL`,
 * `kakehashi scenario list` … The command itself lives in `@kakehashi/federation` (`runCli`), which the
 * repository's `./kakehashi` runs too: this package only gives it a name on the PATH.
 */
import { runCli } from '@kakehashi/federation';

runCli(process.argv.slice(2));
