import { randomBytes } from 'node:crypto';
import { runScenarioOf, type ScenarioRegistry, type ScenarioReport, type ScenarioTarget } from './scenario-runner.ts';

type ScenarioRunOptions = NonNullable<Parameters<typeof runScenarioOf>[3]>;

/** The test-only default admin token (option adminToken), used when the caller gives none. */
const DEFAULT_ADMIN_TOKEN = 'kakehashi-admin-test-only';

/**
 * What a scenario may change in a federation that keeps running, as read before the run: the federation's clock
 * (the hub's, which it pushes to every node), the hub's revocations, and the faults in force at the hub and at
 * every node. The rest a scenario leaves behind is what any user leaves (access records, delivered messages,
 * traces, a P-Mode added once) and changes no later run's outcome.
 */
export interface FederationSnapshot {
  clock: { now: string; frozen: boolean; offsetMs: number };
  revocations: string[];
  /** `hub` or a country code → the names of the faults switched on. */
  faults: Record<string, string[]>;
}

/** What undoing a run did, and whether the federation is back where it was (checked by reading it again). */
export interface ScenarioUndo {
  restored: boolean;
  /** One line per thing put back (the clock moved back, a revocation taken back, a fault switched off). */
  actions: string[];
  /** What still differs after the undo (empty when `restored`). */
  problems: string[];
}

// biome-ignore lint/suspicious/noExplicitAny: admin answers are read member by member
type Json = any;

async function admin(f: ScenarioTarget, token: string, method: string, url: string, body?: unknown): Promise<Json> {
  const res = await f.fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url} answered ${res.status}: ${text.slice(0, 200)}`);
  return text ? JSON.parse(text) : {};
}

const origins = (f: ScenarioTarget): [string, string][] => [['hub', f.urls.hub], ...Object.entries(f.urls.nodes)];

/** Reads the federation's clock, the hub's revocations and every component's faults. */
export async function snapshotFederation(f: ScenarioTarget, token = DEFAULT_ADMIN_TOKEN): Promise<FederationSnapshot> {
  const [clock, revocations, ...faults] = await Promise.all([
    admin(f, token, 'GET', `${f.urls.hub}/admin/clock`),
    admin(f, token, 'GET', `${f.urls.hub}/admin/trust/revocations`),
    ...origins(f).map(([, url]) => admin(f, token, 'GET', `${url}/admin/faults`)),
  ]);
  return {
    clock: { now: clock.now, frozen: clock.frozen, offsetMs: clock.offsetMs },
    revocations: (revocations.revocations as { serialHex: string }[]).map((r) => r.serialHex).sort(),
    faults: Object.fromEntries(
      origins(f).map(([who], i) => [
        who,
        (faults[i].faults as { name: string; enabled: boolean }[])
          .filter((x) => x.enabled)
          .map((x) => x.name)
          .sort(),
      ]),
    ),
  };
}

/** A clock restored when its offset from real time is back within this (requests take time on a busy machine). */
const CLOCK_TOLERANCE_MS = 5_000;

/** What differs between two snapshots, in words. */
export function differences(before: FederationSnapshot, after: FederationSnapshot): string[] {
  const out: string[] = [];
  if (before.clock.frozen !== after.clock.frozen)
    out.push(
      `the clock is ${after.clock.frozen ? 'frozen' : 'running'}, it was ${before.clock.frozen ? 'frozen' : 'running'}`,
    );
  const drift = before.clock.frozen
    ? Math.abs(Date.parse(after.clock.now) - Date.parse(before.clock.now))
    : Math.abs(after.clock.offsetMs - before.clock.offsetMs);
  if (drift > CLOCK_TOLERANCE_MS) out.push(`the clock is ${Math.round(drift / 1000)} s away from where it was`);
  const added = after.revocations.filter((s) => !before.revocations.includes(s));
  const gone = before.revocations.filter((s) => !after.revocations.includes(s));
  if (added.length) out.push(`revoked since: ${added.join(', ')}`);
  if (gone.length) out.push(`no longer revoked: ${gone.join(', ')}`);
  for (const who of Object.keys(before.faults)) {
    const was = before.faults[who] ?? [];
    const is = after.faults[who] ?? [];
    const on = is.filter((n) => !was.includes(n));
    const off = was.filter((n) => !is.includes(n));
    if (on.length) out.push(`${who}: faults switched on since: ${on.join(', ')}`);
    if (off.length) out.push(`${who}: faults switched off since: ${off.join(', ')}`);
  }
  return out;
}

/**
 * Puts the federation back as `before` says: the clock first (the hub pushes it to the nodes, and makes them
 * reload the trust fabric when it moves back), then the revocations the run made are taken back (each re-issues
 * its CA's CRL at the restored time and makes the nodes reload), then each component's faults. Then reads the
 * federation again and says what, if anything, still differs.
 */
export async function restoreFederation(
  f: ScenarioTarget,
  before: FederationSnapshot,
  token = DEFAULT_ADMIN_TOKEN,
): Promise<ScenarioUndo> {
  const actions: string[] = [];
  const problems: string[] = [];
  const attempt = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
      actions.push(what);
    } catch (e) {
      problems.push(`${what}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  const now = await snapshotFederation(f, token);
  const clockDiff = differences({ ...now, clock: before.clock }, now).filter((d) => d.startsWith('the clock'));
  if (clockDiff.length > 0) {
    // A running clock gets its offset back (real time has moved on during the run); a frozen one its instant.
    const at = before.clock.frozen ? before.clock.now : new Date(Date.now() + before.clock.offsetMs).toISOString();
    await attempt(`clock set back to ${at}${before.clock.frozen ? ' (frozen)' : ''}`, () =>
      admin(f, token, 'POST', `${f.urls.hub}/admin/clock`, { action: 'set', at, frozen: before.clock.frozen }),
    );
  }
  for (const serial of now.revocations.filter((s) => !before.revocations.includes(s)))
    await attempt(`revocation of serial ${serial} taken back`, () =>
      admin(f, token, 'DELETE', `${f.urls.hub}/admin/trust/revocations/${serial}`),
    );
  for (const [who, url] of origins(f)) {
    const was = before.faults[who] ?? [];
    const is = now.faults[who] ?? [];
    const disable = is.filter((n) => !was.includes(n));
    const enable = was.filter((n) => !is.includes(n));
    if (disable.length + enable.length === 0) continue;
    await attempt(
      `${who}: ${[disable.length ? `switched off ${disable.join(', ')}` : '', enable.length ? `switched on again ${enable.join(', ')}` : ''].filter(Boolean).join('; ')}`,
      () => admin(f, token, 'PUT', `${url}/admin/faults`, { disable, enable }),
    );
  }
  try {
    problems.push(...differences(before, await snapshotFederation(f, token)));
  } catch (e) {
    problems.push(`the federation could not be read again: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { restored: problems.length === 0, actions, problems };
}

/**
 * A scenario's report with what undoing it did; `undoTraceId` is the one trace that holds every admin request of the
 * undo (the reads before the run, the puts back and the read after), so the trace list shows the undo as one entry.
 */
export type ReversibleScenarioReport = ScenarioReport & { undo: ScenarioUndo & { traceId: string } };

/** `f` whose requests all join trace `traceId` (a fresh span each), as W3C trace context says. */
function inTrace(f: ScenarioTarget, traceId: string): ScenarioTarget {
  return {
    urls: f.urls,
    fetch: (input, init) => {
      const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
      headers.set('traceparent', `00-${traceId}-${randomBytes(8).toString('hex')}-01`);
      return f.fetch(input, { ...init, headers });
    },
  };
}

/**
 * Runs a scenario against a running federation and undoes what it changed, whatever its outcome: the state a
 * scenario may change (clock, revocations, faults) is read before, put back after, and read again to prove it.
 * This is how the teaching console and `kakehashi scenario run --hub URL` run scenarios, so a class can run the
 * same scenario any number of times with the same outcome. Runs must not overlap (the console runs one at a time).
 * The undo's own admin requests are one trace of their own (`undo.traceId`), apart from the run's.
 */
export async function runScenarioReversibly(
  registry: ScenarioRegistry,
  target: ScenarioTarget,
  name: string,
  opts: ScenarioRunOptions & { adminToken?: string } = {},
): Promise<ReversibleScenarioReport> {
  if (!registry[name]) throw new Error(`unknown scenario "${name}"; known: ${Object.keys(registry).join(', ')}`);
  const token = opts.adminToken ?? DEFAULT_ADMIN_TOKEN;
  const undoTraceId = randomBytes(16).toString('hex');
  const undoTarget = inTrace(target, undoTraceId);
  const before = await snapshotFederation(undoTarget, token);
  let report: ScenarioReport;
  try {
    report = await runScenarioOf(registry, target, name, opts);
  } catch (e) {
    await restoreFederation(undoTarget, before, token);
    throw e;
  }
  return { ...report, undo: { ...(await restoreFederation(undoTarget, before, token)), traceId: undoTraceId } };
}
