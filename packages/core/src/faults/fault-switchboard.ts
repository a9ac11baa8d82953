import { KakehashiError } from '../errors/index.ts';
import type { Logger } from '../log/index.ts';
import { currentRequestScope, type FaultScope, runWithScopeMember } from '../trace/request-scope.ts';
import type { FaultDefinition } from './fault-registry.ts';

/** The query parameter with which one request asks for one fault. */
export const FAULT_PARAM = 'kakehashi_fault';
/** The header with which one request asks for one fault (lower case, as Hono reads headers). */
export const FAULT_HEADER = 'x-kakehashi-fault';

/** A fault as `GET /admin/faults` lists it. */
export interface FaultState extends FaultDefinition {
  enabled: boolean;
}

/** What `PUT /admin/faults` takes: names, or a prefix ending in `.*` (`lenient.*`, `id-token.*`) or `*`. */
export interface FaultSwitch {
  enable?: readonly string[] | undefined;
  disable?: readonly string[] | undefined;
}

export type { FaultScope } from '../trace/request-scope.ts';

/**
 * Runs `fn` with a fresh fault scope (the component middleware opens it with the request's other scopes, see
 * `runInRequestScope`).
 */
export function runInFaultScope<T>(scope: FaultScope, fn: () => T): T {
  return runWithScopeMember('faults', scope, fn);
}

/** The scope of the request being served, if any. */
export function currentFaultScope(): FaultScope | undefined {
  return currentRequestScope()?.faults;
}

/**
 * A component's fault switches: the faults of the blocks it mounts ({@link FaultSwitchboard.offer}), which are on,
 * and which one request asked for. A fault that fires is logged at warn level and recorded on the trace hop it
 * touched, so a misbehaviour is never silent. Switches live in memory: a reset or a restart turns them all off
 * (except those the `faults` option switches on at start).
 */
export class FaultSwitchboard {
  readonly #offered = new Map<string, FaultDefinition>();
  readonly #on = new Set<string>();
  readonly #listeners: ((enabled: string[]) => void)[] = [];
  #start: string[] = [];
  #logger: Logger | undefined;

  constructor(options: { logger?: Logger } = {}) {
    this.#logger = options.logger;
  }

  /** Sets the logger fired faults and switches are reported to (the component's). */
  useLogger(logger: Logger): void {
    this.#logger = logger;
  }

  /** Makes a block's faults switchable here (a component offers the faults of the blocks it mounts). */
  offer(defs: readonly FaultDefinition[]): void {
    for (const d of defs) this.#offered.set(d.name, d);
  }

  /** True when this component offers `name`. */
  offers(name: string): boolean {
    return this.#offered.has(name);
  }

  /** Every offered fault with its switch, grouped as offered. */
  list(): FaultState[] {
    return [...this.#offered.values()].map((d) => ({ ...d, enabled: this.#on.has(d.name) }));
  }

  /** The names of the faults switched on. */
  enabled(): string[] {
    return [...this.#offered.keys()].filter((n) => this.#on.has(n));
  }

  /**
   * Switches faults on and off (`disable` first, then `enable`). Each entry is a name or a pattern: `prefix.*`
   * (every fault under the prefix) or `*`. An entry that matches no offered fault changes nothing and throws
   * `fault-unknown`, naming what is offered.
   */
  set(change: FaultSwitch): FaultState[] {
    const resolve = (entries: readonly string[] | undefined) =>
      (entries ?? []).flatMap((entry) => {
        const names = this.#match(entry);
        if (names.length === 0)
          throw new KakehashiError(
            'fault-unknown',
            `No fault "${entry.slice(0, 80)}" on this component; GET /admin/faults lists the ${this.#offered.size} it offers.`,
            { extra: { offered: [...this.#offered.keys()] } },
          );
        return names;
      });
    const off = resolve(change.disable);
    const on = resolve(change.enable);
    for (const n of off) this.#on.delete(n);
    for (const n of on) this.#on.add(n);
    if (off.length + on.length > 0) {
      this.#logger?.warn('faults switched', { enabled: on, disabled: off, inForce: this.enabled() });
      for (const l of this.#listeners) l(this.enabled());
    }
    return this.list();
  }

  /**
   * Switches on the faults of the `faults` option meant for this component (`who`: `hub` or its country code):
   * entries without a prefix where they match, entries with this component's prefix always (one that matches
   * nothing here is a configuration error). {@link reset} applies them again. Returns the faults switched on.
   */
  applyStart(entries: readonly string[], who: string): string[] {
    const mine: string[] = [];
    for (const raw of entries) {
      const entry = raw.trim();
      const colon = entry.indexOf(':');
      const scope = colon > 0 ? entry.slice(0, colon) : undefined;
      const pattern = colon > 0 ? entry.slice(colon + 1) : entry;
      if (scope !== undefined && scope.toUpperCase() !== who.toUpperCase()) continue;
      const names = this.#match(pattern);
      if (names.length === 0 && scope !== undefined)
        throw new KakehashiError(
          'config-invalid',
          `Option faults: "${entry.slice(0, 80)}" names no fault ${who} offers; GET /admin/faults lists them.`,
        );
      mine.push(...names);
    }
    this.#start = [...new Set(mine)];
    if (this.#start.length > 0) this.set({ enable: this.#start });
    return this.#start;
  }

  /** Back to the start: every switch off, then the faults of the `faults` option on again. */
  reset(): void {
    this.clear();
    if (this.#start.length > 0) this.set({ enable: this.#start });
  }

  /** Every switch off. */
  clear(): void {
    if (this.#on.size === 0) return;
    this.#on.clear();
    this.#logger?.warn('faults cleared');
    for (const l of this.#listeners) l([]);
  }

  /** Called with the faults in force after every change. */
  onChange(listener: (enabled: string[]) => void): void {
    this.#listeners.push(listener);
  }

  /**
   * Checks a fault a request asked for (`kakehashi_fault`, `X-Kakehashi-Fault`): it must be offered here and
   * allowed per request. Returns the name; throws `fault-unknown` or `fault-not-per-request`.
   */
  requireRequestable(name: string): string {
    const def = this.#offered.get(name);
    if (!def)
      throw new KakehashiError(
        'fault-unknown',
        `No fault "${name.slice(0, 80)}" on this component; GET /admin/faults lists those it offers.`,
        { extra: { requestable: this.#requestable() } },
      );
    if (!def.perRequest)
      throw new KakehashiError(
        'fault-not-per-request',
        `The fault "${name}" cannot be asked for by one request; switch it on with PUT /admin/faults.`,
        { extra: { requestable: this.#requestable() } },
      );
    return name;
  }

  /**
   * True when `name` is on: switched on, asked for by the request being served, or among `requested` (the faults a
   * login asked for earlier, carried with its pending state to the request that honours them).
   */
  isOn(name: string, requested?: readonly string[] | undefined): boolean {
    const def = this.#offered.get(name);
    if (!def) return false;
    if (this.#on.has(name)) return true;
    // Only a fault made for one request may be asked for by one (a lenient validator never is).
    return (
      def.perRequest === true &&
      (currentFaultScope()?.requested.has(name) === true || requested?.includes(name) === true)
    );
  }

  /**
   * {@link isOn}, and when it is on, reports it as fired: a warn log line and the current trace hop's `faults`.
   * Call it where the fault takes effect.
   */
  fire(name: string, requested?: readonly string[] | undefined, detail: Record<string, unknown> = {}): boolean {
    if (!this.isOn(name, requested)) return false;
    const scope = currentFaultScope();
    if (scope && !scope.fired.includes(name)) scope.fired.push(name);
    this.#logger?.warn('fault fired', { fault: name, ...detail });
    return true;
  }

  #match(entry: string): string[] {
    const names = [...this.#offered.keys()];
    if (entry === '*') return names;
    if (entry.endsWith('.*')) {
      const prefix = entry.slice(0, -1);
      return names.filter((n) => n.startsWith(prefix));
    }
    return this.#offered.has(entry) ? [entry] : [];
  }

  #requestable(): string[] {
    return [...this.#offered.values()].filter((d) => d.perRequest).map((d) => d.name);
  }
}
