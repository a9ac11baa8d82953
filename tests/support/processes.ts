import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { TRUST_CACHE } from './trust-cache.ts';

export const CLI = join(import.meta.dirname, '..', '..', 'packages', 'federation', 'src', 'cli.ts');

export interface Started {
  child: ChildProcess;
  events: Record<string, unknown>[];
  stderr: () => string;
  /** Resolves with the first JSON event matching `pred` (rejects on exit or timeout). */
  waitFor(pred: (e: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Runs the `kakehashi` CLI as its own OS process and follows its `--json` events. Its trust material goes to the
 * tests' shared cache unless `env` says otherwise: on OS-chosen ports the certificates are new each time (they name
 * the hub's URL), but their keys come from the cache instead of being drawn again.
 */
export function startCli(args: string[], env: Record<string, string> = {}): Started {
  const child = spawn(process.execPath, [CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, KAKEHASHI_LOG_LEVEL: 'warn', KAKEHASHI_TRUST_CACHE_DIR: TRUST_CACHE, ...env },
  });
  const events: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      events.push(JSON.parse(line) as Record<string, unknown>);
      for (const w of waiters) w();
    } catch {
      /* not an event */
    }
  });
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((res) =>
    child.once('exit', (code) => {
      exitCode = code;
      for (const w of waiters) w();
      res(code);
    }),
  );
  return {
    child,
    events,
    stderr: () => err,
    waitFor: (pred, timeoutMs = 180_000) =>
      new Promise((res, rej) => {
        const check = () => {
          const e = events.find(pred);
          if (e) {
            waiters.delete(check);
            clearTimeout(timer);
            res(e);
          } else if (exitCode !== undefined) {
            waiters.delete(check);
            clearTimeout(timer);
            rej(new Error(`process exited (${exitCode}) before the event; stderr: ${err.slice(-800)}`));
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          rej(new Error(`timeout waiting for an event; stderr: ${err.slice(-800)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    stop: (signal = 'SIGTERM') => {
      if (exitCode !== undefined) return Promise.resolve(exitCode);
      child.kill(signal);
      return exited;
    },
  };
}

/**
 * The `--port` that brings node `cc` back on the port it had, for a restart on the same data directory: a node
 * started alone listens on the port after `--port` at its place in the countries order, and the messages in flight
 * to it need the same URL. Its first start takes `--port 0` (a free port from the OS).
 */
export function portToRestart(nodeUrl: string, cc: string, countries: string[]): string {
  const index = countries.indexOf(cc);
  if (index < 0) throw new Error(`${cc} is not in ${countries.join(',')}`);
  return String(Number(new URL(nodeUrl).port) - 1 - index);
}
