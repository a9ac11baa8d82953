import type { Federation } from '../create-federation.ts';
import { type EntryPoint, type HttpInput, send } from './capture.ts';
import { classify, FAILURES, type Outcome } from './classify.ts';
import { FuzzRandom } from './fuzz-random.ts';
import { mutateInput } from './targets.ts';

/** A failing input as saved: enough to send it again (the request, base64 body) and the seed that made it. */
export interface FailureRecord {
  entry: EntryPoint;
  index: number;
  seed: string;
  outcome: Outcome;
  status?: number;
  contentType?: string;
  answer?: string;
  error?: string;
  serverLog?: string;
  ops: string[];
  request: { method: string; url: string; headers: Record<string, string>; bodyBase64: string };
}

/** What one entry point's run gave. */
export interface EntryResult {
  entry: EntryPoint;
  seeds: number;
  inputs: number;
  unsendable: number;
  seconds: number;
  inputsPerSecond: number;
  outcomes: Record<Outcome, number>;
  statuses: Record<string, number>;
  ops: Record<string, number>;
  /** Answers that came after `timeoutMs` but within the grace period (a starved machine, not a hang). */
  slow: number;
  /** The slowest answer (ms). */
  maxLatencyMs: number;
  failures: FailureRecord[];
  failureCount: number;
}

export interface EntryRunOptions {
  seed: string;
  inputs: number;
  seconds: number;
  concurrency: number;
  timeoutMs: number;
  /** After `timeoutMs`, how much longer an answer may take to count as slow rather than a hang. */
  graceMs: number;
  /** How many failing inputs to keep (the first ones). */
  keepFailures: number;
  healthEvery: number;
  /** The newest error line of the federation's log (attached to a 5xx). */
  lastServerError: () => string | undefined;
  /** Health of every component: undefined when healthy, else what was wrong. */
  health: () => Promise<string | undefined>;
  /** Errors that escaped to the process while this entry ran (uncaught exceptions, unhandled rejections). */
  escaped: string[];
}

const HANG = Symbol('hang');
interface Answer {
  status: number;
  type: string;
  text: string;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | typeof HANG> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<typeof HANG>((resolve) => {
      timer = setTimeout(() => resolve(HANG), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

const emptyOutcomes = (): Record<Outcome, number> => ({
  'ok-2xx-3xx': 0,
  'ok-4xx': 0,
  'soap-fault-5xx': 0,
  '5xx': 0,
  'non-problem': 0,
  hang: 0,
  crash: 0,
});

/** Whether `input` can be sent at all (fetch refuses header values that are not byte strings, bad URLs). */
function sendable(input: HttpInput): boolean {
  try {
    new Request(input.url, { method: input.method, headers: input.headers });
    return true;
  } catch {
    return false;
  }
}

/**
 * Fuzzes one entry point: `concurrency` workers take input numbers in turn until `inputs` are sent or `seconds`
 * have passed; input n is the captured request `rng.int(seeds)` mutated with the stream `<seed>/<entry>/<n>`, so it
 * can be derived again alone. Every answer is classified; the components' health is checked every `healthEvery`
 * inputs.
 */
export async function fuzzEntry(
  f: Federation,
  entry: EntryPoint,
  seeds: HttpInput[],
  opts: EntryRunOptions,
): Promise<EntryResult> {
  const r: EntryResult = {
    entry,
    seeds: seeds.length,
    inputs: 0,
    unsendable: 0,
    seconds: 0,
    inputsPerSecond: 0,
    outcomes: emptyOutcomes(),
    statuses: {},
    ops: {},
    slow: 0,
    maxLatencyMs: 0,
    failures: [],
    failureCount: 0,
  };
  const started = performance.now();
  const deadline = opts.seconds > 0 ? started + opts.seconds * 1000 : Number.POSITIVE_INFINITY;
  let next = 0;
  let claimed = 0;
  const late: Promise<void>[] = [];
  const fail = (index: number, input: HttpInput, outcome: Outcome, ops: string[], extra: Partial<FailureRecord>) => {
    r.failureCount++;
    if (r.failures.length >= opts.keepFailures) return;
    r.failures.push({
      entry,
      index,
      seed: opts.seed,
      outcome,
      ops,
      request: {
        method: input.method,
        url: input.url,
        headers: input.headers,
        bodyBase64: (input.body ?? Buffer.alloc(0)).toString('base64'),
      },
      ...extra,
    });
  };

  const worker = async () => {
    for (;;) {
      if (claimed >= opts.inputs || performance.now() > deadline) return;
      const index = next++;
      const rng = new FuzzRandom(`${opts.seed}/${entry}/${index}`);
      let mutated: ReturnType<typeof mutateInput>;
      try {
        mutated = mutateInput(entry, seeds[rng.int(seeds.length)] as HttpInput, rng);
      } catch {
        // A mutator that cannot go on (an earlier operation nested the JSON past the stack): no input.
        r.unsendable++;
        continue;
      }
      const { input, ops } = mutated;
      for (const op of ops) r.ops[op] = (r.ops[op] ?? 0) + 1;
      if (!sendable(input)) {
        r.unsendable++;
        continue;
      }
      // `inputs` counts inputs sent: one fetch cannot carry (a header value that is no byte string) is replaced.
      if (claimed >= opts.inputs) return;
      claimed++;
      r.inputs++;
      const started = performance.now();
      const answer = send(f, input).then(async (res) => ({
        status: res.status,
        type: res.headers.get('content-type') ?? '',
        text: await res.text(),
      }));
      const settle = (a: Answer) => {
        const ms = performance.now() - started;
        if (ms > r.maxLatencyMs) r.maxLatencyMs = Math.round(ms);
        const outcome = classify(a.status, a.type, a.text);
        r.statuses[a.status] = (r.statuses[a.status] ?? 0) + 1;
        r.outcomes[outcome]++;
        if (!FAILURES.includes(outcome)) return;
        const serverLog = outcome === '5xx' ? opts.lastServerError() : undefined;
        fail(index, input, outcome, ops, {
          status: a.status,
          contentType: a.type,
          answer: a.text.slice(0, 2000),
          ...(serverLog ? { serverLog } : {}),
        });
      };
      const crashed = (e: unknown) => {
        // An exception out of the component's fetch handler: nothing answered the request.
        r.outcomes.crash++;
        fail(index, input, 'crash', ops, { error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
      };
      try {
        const answered = await withTimeout(answer, opts.timeoutMs);
        if (answered !== HANG) settle(answered);
        // No answer in time. On a starved machine the event loop may simply not have come round to it: wait on in the
        // background; an answer within the grace period is slow (counted), none at all is a hang (a failure).
        else
          late.push(
            withTimeout(answer, opts.graceMs).then((second) => {
              if (second === HANG) {
                r.outcomes.hang++;
                fail(index, input, 'hang', ops, { error: `no answer within ${opts.timeoutMs + opts.graceMs} ms` });
              } else {
                r.slow++;
                settle(second);
              }
            }, crashed),
          );
      } catch (e) {
        crashed(e);
      }
      // In process nothing between two inputs would reach the event loop (the apps answer through promises alone):
      // yield to it, as a request arriving over the network does, or threadpool work (signing) and timers starve.
      await new Promise((resolve) => setImmediate(resolve));
      if (index % opts.healthEvery === opts.healthEvery - 1) {
        const unhealthy = await opts.health();
        if (unhealthy) {
          r.outcomes.crash++;
          fail(index, input, 'crash', ops, { error: `unhealthy after this input: ${unhealthy}` });
        }
      }
      while (opts.escaped.length) {
        r.outcomes.crash++;
        fail(index, input, 'crash', ops, { error: `escaped to the process: ${opts.escaped.shift()}` });
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  await Promise.all(late);
  r.seconds = Math.round((performance.now() - started) / 10) / 100;
  r.inputsPerSecond = Math.round((r.inputs / Math.max(r.seconds, 0.001)) * 10) / 10;
  return r;
}
