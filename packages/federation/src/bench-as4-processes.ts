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
import { type As4Figures, benchAs4 } from './bench-as4.ts';
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

/**
 * One AS4 run between two node processes (DE → JP), their hub a third: started, measured with {@link benchAs4},
 * stopped. `trustCacheDir`: where the trust material generated for this run's hub is kept.
 */
export async function benchAs4TwoProcesses(opts: {
  windowMs: number;
  concurrency: number;
}): Promise<As4Figures & { nodeCpuPerWallSecond: number }> {
  const root = mkdtempSync(join(tmpdir(), 'kakehashi-bench-as4-'));
  const env = {
    // The certificates name the hub's URL, new with every port: the material is cached for this run only.
    KAKEHASHI_TRUST_CACHE_DIR: join(root, 'trust'),
    KAKEHASHI_COUNTRIES: 'DE,JP',
  };
  const procs: Proc[] = [];
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
    const pair = {
      fetch,
      sender: deUrl,
      from: 'DE',
      to: 'JP',
      originalSender: await participant('DE'),
      finalRecipient: await participant('JP'),
    };
    const pids = [de.child.pid, jp.child.pid];
    const cpu0 = pids.map(cpuMs);
    const w0 = performance.now();
    const figures = await benchAs4(pair, opts);
    const nodeCpu = pids.map(cpuMs).reduce((a, b, i) => a + b - (cpu0[i] ?? 0), 0);
    // Over the whole call (warm-up messages included), CPU and wall time alike.
    return { ...figures, nodeCpuPerWallSecond: r3(nodeCpu / (performance.now() - w0)) };
  } finally {
    await Promise.all(procs.reverse().map((p) => p.stop()));
    rmSync(root, { recursive: true, force: true });
  }
}
