#!/usr/bin/env node
/** `kakehashi …` from the repository (`./kakehashi` runs this file); the installed bin is `@kakehashi/cli`. */
import { runCli } from './run-cli.ts';

runCli(process.argv.slice(2));
