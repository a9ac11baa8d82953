import { SEVERITIES, type SecurityEvent, type Severity, type Store, severityRank } from '@kakehashi/core';
import { CORRELATION_KEYS, type CsirtPolicy } from '../policy/z-policy.ts';

/** An incident: the events of one attack grouped by a shared identifier, and whether it is significant. */
export interface Incident {
  id: string;
  country: string;
  openedAt: string;
  lastEventAt: string;
  /** When the incident became significant: the "becoming aware" of NIS2 art. 23(4), from which deadlines run. */
  awareAt?: string | undefined;
  /** The criteria it met (ids of the policy's `significant`). */
  significantBecause: string[];
  severity: Severity;
  eventCount: number;
  rules: string[];
  /** The identifiers its events share and carry (key thumbprints, certificates, issuers, participants, peers). */
  identifiers: Partial<Record<(typeof CORRELATION_KEYS)[number], string[]>>;
  /** The first security events (ids), at most 50. */
  events: string[];
  firstEventTrace?: string | undefined;
}

const MIGRATIONS = [
  {
    id: 'csirt/incidents/001',
    up: `CREATE TABLE csirt_incidents (id TEXT PRIMARY KEY, n INTEGER NOT NULL, opened_at TEXT NOT NULL,
         last_event_ms INTEGER NOT NULL, data TEXT NOT NULL);
         CREATE TABLE csirt_incident_keys (incident_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
         PRIMARY KEY (key, value, incident_id))`,
  },
];

/** The value of `key` in an event (its peer, its rule, or an identifier of its detail). */
function eventValue(e: SecurityEvent, key: (typeof CORRELATION_KEYS)[number]): string | undefined {
  if (key === 'peer') return e.peer;
  if (key === 'rule') return e.rule;
  const v = e.detail[key];
  return typeof v === 'string' ? v : undefined;
}

/**
 * The national CSIRT's incidents: its inbox groups the country's security events by the policy (events sharing a
 * correlated identifier within the window join one incident), keeps the worst severity, and marks the incident
 * significant — with the virtual-clock instant the CSIRT became aware — when it meets a criterion of the policy.
 */
export class IncidentStore {
  readonly #store: Store;
  readonly #country: string;

  constructor(store: Store, country: string) {
    this.#store = store;
    this.#country = country;
    store.migrate(MIGRATIONS);
  }

  /** Takes one event into the inbox; returns the incident it joined or opened (undefined when below the policy). */
  ingest(e: SecurityEvent, policy: CsirtPolicy): Incident | undefined {
    if (severityRank(e.severity) < severityRank(policy.minSeverity)) return undefined;
    const at = Date.parse(e.time);
    return this.#store.transaction(() => {
      let incident = this.#find(e, policy, at);
      if (!incident) {
        const n = (this.#store.get<{ n: number | null }>('SELECT MAX(n) AS n FROM csirt_incidents')?.n ?? 0) + 1;
        incident = {
          id: `inc-${this.#country.toLowerCase()}-${String(n).padStart(4, '0')}`,
          country: this.#country,
          openedAt: e.time,
          lastEventAt: e.time,
          significantBecause: [],
          severity: e.severity,
          eventCount: 0,
          rules: [],
          identifiers: {},
          events: [],
          ...(e.traceId ? { firstEventTrace: e.traceId } : {}),
        };
        this.#store.run(
          'INSERT INTO csirt_incidents (id, n, opened_at, last_event_ms, data) VALUES (?, ?, ?, ?, ?)',
          incident.id,
          n,
          e.time,
          at,
          JSON.stringify(incident),
        );
      }
      incident.eventCount++;
      incident.lastEventAt = e.time;
      if (severityRank(e.severity) > severityRank(incident.severity)) incident.severity = e.severity;
      if (!incident.rules.includes(e.rule)) incident.rules.push(e.rule);
      if (incident.events.length < 50) incident.events.push(e.id);
      for (const key of CORRELATION_KEYS) {
        const v = eventValue(e, key);
        if (!v || key === 'rule') continue;
        const list = incident.identifiers[key] ?? [];
        if (!list.includes(v) && list.length < 20) {
          list.push(v);
          this.#store.run(
            'INSERT OR IGNORE INTO csirt_incident_keys (incident_id, key, value) VALUES (?, ?, ?)',
            incident.id,
            key,
            v,
          );
        }
        incident.identifiers[key] = list;
      }
      if (policy.correlateBy.includes('rule'))
        this.#store.run(
          'INSERT OR IGNORE INTO csirt_incident_keys (incident_id, key, value) VALUES (?, ?, ?)',
          incident.id,
          'rule',
          e.rule,
        );
      this.#assess(incident, e, policy);
      this.#store.run(
        'UPDATE csirt_incidents SET last_event_ms = ?, data = ? WHERE id = ?',
        at,
        JSON.stringify(incident),
        incident.id,
      );
      return incident;
    });
  }

  /** One incident, or undefined. */
  get(id: string): Incident | undefined {
    const row = this.#store.get<{ data: string }>('SELECT data FROM csirt_incidents WHERE id = ?', id);
    return row ? (JSON.parse(row.data) as Incident) : undefined;
  }

  /** Every incident, newest first. */
  list(): Incident[] {
    return this.#store
      .all<{ data: string }>('SELECT data FROM csirt_incidents ORDER BY n DESC LIMIT 500')
      .map((r) => JSON.parse(r.data) as Incident);
  }

  /** Forgets every incident (the component's reset). */
  clear(): void {
    this.#store.run('DELETE FROM csirt_incident_keys');
    this.#store.run('DELETE FROM csirt_incidents');
  }

  /**
   * The open incident (last event within the window) sharing the first correlated identifier, in the policy's order,
   * that the event carries.
   */
  #find(e: SecurityEvent, policy: CsirtPolicy, at: number): Incident | undefined {
    const since = at - policy.windowHours * 3_600_000;
    for (const key of policy.correlateBy) {
      const v = eventValue(e, key);
      if (!v) continue;
      const row = this.#store.get<{ data: string }>(
        `SELECT i.data FROM csirt_incident_keys k JOIN csirt_incidents i ON i.id = k.incident_id
         WHERE k.key = ? AND k.value = ? AND i.last_event_ms >= ? ORDER BY i.n DESC LIMIT 1`,
        key,
        v,
        since,
      );
      // The most specific identifier the event carries decides: a new key is a new incident, even from a known peer.
      return row ? (JSON.parse(row.data) as Incident) : undefined;
    }
    return undefined;
  }

  /** Marks the incident significant when it meets a criterion (once: the awareness instant never moves). */
  #assess(incident: Incident, e: SecurityEvent, policy: CsirtPolicy): void {
    for (const c of policy.significant) {
      if (incident.significantBecause.includes(c.id)) continue;
      const met =
        (c.minSeverity === undefined || severityRank(incident.severity) >= severityRank(c.minSeverity)) &&
        (c.minEvents === undefined || incident.eventCount >= c.minEvents) &&
        (c.rules === undefined ||
          incident.rules.some((r) => c.rules?.includes(r) || c.rules?.includes(String(e.detail.catalogueId))));
      if (!met) continue;
      incident.significantBecause.push(c.id);
      incident.awareAt ??= e.time;
    }
  }
}

/** Every severity (for the OpenAPI schema of an incident). */
export const INCIDENT_SEVERITIES = SEVERITIES;
