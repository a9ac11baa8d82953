/**
 * AS4 between two processes for `kakehashi bench`: a hub (`kakehashi start --only hub`) and two nodes
 * (`kakehashi start --only node:DE` / `node:JP`), each its own OS process talking loopback HTTP, as in a
 * deployment; the bench process submits and follows the messages ({@link benchAs4}). The CPU the two node processes
 * spend during the window is read from /proc, beside the wall time.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createHubClient } from '@kakehashi/core';
import { type As4Figures, type As4Pair, benchAs4 } from './bench-as4.ts';
import { r3 } from './bench-report.ts';

// `cli.ts` beside this file in the repository, `cli.js` in the built package.
const CLI = join(dirname(fileURLToPath(import.meta.url)), `cli${extname(fileURLToPath(import.meta.url))}`);

interface Proc {
  child: ChildProcess;
  ready: Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** `kakehashi start <args> --json`: resolves `ready` with the first event `pred` accepts. */
function startCli(args: string[], env: Record<string, string>, pred: (e: Record<string, unknown>) => boolean): Proc {
  const child = spawn(process.execPath, [CLI, 'start', ...args, '--json', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, KAKEHASHI_LOG_LEVEL: 'warn', KAKEHASHI_HEALTH_INTERVAL_MS: '0', ...env },
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const ready = new Promise<Record<string, unknown>>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`not ready after 120 s: ${stderr.slice(-500)}`)), 120_000);
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (l) => {
      try {
        const e = JSON.parse(l) as Record<string, unknown>;
        if (pred(e)) {
          clearTimeout(timer);
          res(e);
        }
      } catch {
        /* banner lines */
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`exited with ${code}: ${stderr.slice(-500)}`));
    });
  });
  ready.catch(() => undefined);
  return {
    child,
    ready,
    stop: () =>
      new Promise<void>((res) => {
        if (child.exitCode !== null || child.signalCode !== null) return res();
        child.once('exit', () => res());
        child.kill('SIGTERM');
      }),
  };
}

/** User + system CPU of a process so far, in ms (Linux /proc; 0 elsewhere). */
function cpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // utime and stime are fields 14 and 15 of stat (11 and 12 after the command name), in clock ticks (100/s).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/** Two node processes (DE, JP) and their hub, started; the AS4 pair between them, their CPU so far, and the stop. */
export interface As4Processes {
  pair: As4Pair;
  /** User + system CPU the two node processes have used so far, in ms. */
  nodeCpuMs(): number;
  stop(): Promise<void>;
}

/** Starts a hub and two nodes (DE, JP), each `kakehashi start --only …` in its own process, on free ports. */
export async function startAs4Processes(): Promise<As4Processes> {
  const root = mkdtempSync(join(tmpdir(), 'kakehashi-bench-as4-'));
  const env = {
    // The certificates name the hub's URL, new with every port: the material is cached for this run only.
    KAKEHASHI_TRUST_CACHE_DIR: join(root, 'trust'),
    KAKEHASHI_COUNTRIES: 'DE,JP',
  };
  const procs: Proc[] = [];
  const stop = async () => {
    await Promise.all(procs.reverse().map((p) => p.stop()));
    rmSync(root, { recursive: true, force: true });
  };
  try {
    const hub = startCli(['--only', 'hub', '--data-dir', join(root, 'hub')], env, (e) => e.event === 'ready');
    procs.push(hub);
    const hubUrl = (await hub.ready).url as string;
    const node = (cc: string) => {
      const p = startCli(
        ['--only', `node:${cc}`, '--hub', hubUrl, '--data-dir', join(root, cc.toLowerCase())],
        env,
        (e) => e.event === 'ready' && e.country === cc,
      );
      procs.push(p);
      return p;
    };
    const [de, jp] = [node('DE'), node('JP')];
    const [deUrl] = await Promise.all([de.ready.then((e) => e.url as string), jp.ready]);
    const hubClient = createHubClient({ hubUrl, fetch, caller: 'bench' });
    const participant = async (cc: string) => {
      const id = (await hubClient.node(cc))?.metadata.participants[0]?.id;
      if (!id) throw new Error(`bench: node ${cc} hosts no participant`);
      return id;
    };
    const pair: As4Pair = {
      fetch,
      sender: deUrl,
      from: 'DE',
      to: 'JP',
      originalSender: await participant('DE'),
      finalRecipient: await participant('JP'),
    };
    return { pair, nodeCpuMs: () => cpuMs(de.child.pid) + cpuMs(jp.child.pid), stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** One AS4 run between the two node processes of `procs`, with the CPU they spent per second of wall time. */
export async function benchAs4TwoProcesses(
  procs: As4Processes,
  opts: { windowMs: number; concurrency: number },
): Promise<As4Figures & { nodeCpuPerWallSecond: number }> {
  const cpu0 = procs.nodeCpuMs();
  const w0 = performance.now();
  const figures = await benchAs4(procs.pair, opts);
  // Over the whole call (warm-up messages included), CPU and wall time alike.
  return { ...figures, nodeCpuPerWallSecond: r3((procs.nodeCpuMs() - cpu0) / (performance.now() - w0)) };
}
