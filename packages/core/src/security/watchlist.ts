import type { Clock } from '../clock/index.ts';
import type { Store } from '../store/index.ts';
import type { SecurityEventDetail } from './z-security-event.ts';

/** What a shared indicator can name, and so what a component can refuse on its strength. */
export const WATCHABLE = ['keyThumbprint', 'certificateFingerprint', 'issuer', 'participant', 'kid'] as const;
export type Watchable = (typeof WATCHABLE)[number];

/** One indicator a component acts on: what it names, where it came from, until when. */
export interface WatchEntry {
  /** The STIX id of the indicator (`indicator--…`). */
  indicator: string;
  kind: Watchable;
  value: string;
  /** Who shared it (a country code, or `hub`). */
  source: string;
  /** ISO 8601; the entry is ignored after it (the indicator's `valid_until`). */
  validUntil?: string | undefined;
}

/**
 * The indicators a component refuses on (keys, certificates, issuers, participants the CSIRT network named),
 * kept in its store so a restart keeps acting on them. A block asks {@link Watchlist.match} with the identifiers of
 * an artefact (core's `identifiersOf`) before it accepts it, and refuses with `security-indicator-match`, naming
 * the indicator.
 */
export class Watchlist {
  readonly #store: Store;
  readonly #clock: Clock;
  #cache: WatchEntry[] | undefined;

  constructor(store: Store, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
    store.migrate([
      {
        id: 'core/security_watchlist/001',
        up: `CREATE TABLE security_watchlist (indicator TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL,
             source TEXT NOT NULL, valid_until TEXT, PRIMARY KEY (kind, value))`,
      },
    ]);
  }

  /** Adds (or renews) an entry. */
  add(entry: WatchEntry): void {
    this.#store.run(
      `INSERT INTO security_watchlist (indicator, kind, value, source, valid_until) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (kind, value) DO UPDATE SET indicator = excluded.indicator, source = excluded.source,
       valid_until = excluded.valid_until`,
      entry.indicator,
      entry.kind,
      entry.value,
      entry.source,
      entry.validUntil ?? null,
    );
    this.#cache = undefined;
  }

  /** Every entry in force on the virtual clock. */
  list(): WatchEntry[] {
    this.#cache ??= this.#store
      .all<{ indicator: string; kind: Watchable; value: string; source: string; valid_until: string | null }>(
        'SELECT indicator, kind, value, source, valid_until FROM security_watchlist ORDER BY indicator',
      )
      .map((r) => ({
        indicator: r.indicator,
        kind: r.kind,
        value: r.value,
        source: r.source,
        ...(r.valid_until ? { validUntil: r.valid_until } : {}),
      }));
    const now = this.#clock.now().getTime();
    return this.#cache.filter((e) => !e.validUntil || Date.parse(e.validUntil) > now);
  }

  /** The entry an artefact's identifiers match, if any (the first in force). */
  match(ids: Partial<SecurityEventDetail>): WatchEntry | undefined {
    if (this.#cache?.length === 0) return undefined;
    return this.list().find((e) => ids[e.kind] === e.value);
  }

  /** Forgets every entry (the component's reset). */
  clear(): void {
    this.#store.run('DELETE FROM security_watchlist');
    this.#cache = undefined;
  }
}
