import { createHash, randomUUID } from 'node:crypto';
import {
  type Clock,
  KakehashiError,
  type Logger,
  type SecurityEvent,
  type SecurityEvents,
  type Store,
  WATCHABLE,
  type Watchable,
} from '@kakehashi/core';
import '../error-codes.ts';
import { type CsirtPolicy, CsirtPolicySchema, JP_VOLUNTARY_POLICY, NIS2_POLICY } from '../policy/z-policy.ts';
import {
  type IndicatorKind,
  readIndicatorPattern,
  type StixBundle,
  type StixObject,
  stixBundle,
  stixIdentity,
  stixIncident,
  stixIndicator,
  stixRelationship,
  stixSighting,
  tlpOf,
} from '../stix/build-stix.ts';
import type { Tlp } from '../stix/tlp.ts';
import { type Incident, IncidentStore } from './incident-store.ts';
import {
  JP_REPORTS,
  jpDocument,
  memberStatesOf,
  NIS2_OTHER_REPORTS,
  NIS2_REPORTS,
  nis2Document,
  type ProcessStep,
  processOf,
  type ReportInput,
  type SentReport,
} from './reporting.ts';

/** An indicator received from the CSIRT network, and what the node did with it. */
export interface ReceivedIndicator {
  indicator: string;
  from: string;
  receivedAt: string;
  tlp: Tlp;
  rule?: string | undefined;
  /** What the node now refuses on its strength (`keyThumbprint: …`), or why it could not act. */
  action: string;
  acted: boolean;
}

export interface NationalCsirtDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  country: string;
  /** The component's security events: the inbox hears every one, and the watchlist acts on indicators. */
  security: SecurityEvents;
  /** Sends a bundle to the CSIRT network (the hub's `POST /csirt/share`). */
  share: (input: { from: string; tlp: Tlp; shareWith: string[]; bundle: StixBundle }) => Promise<void>;
  /** The federation's node origins and their countries (for the cross-border impact of an incident). */
  originCountries: () => Promise<Record<string, string>>;
}

const MIGRATIONS = [
  {
    id: 'csirt/national/001',
    up: `CREATE TABLE csirt_reports (id TEXT PRIMARY KEY, incident TEXT NOT NULL, kind TEXT NOT NULL, data TEXT NOT NULL);
         CREATE TABLE csirt_received (indicator TEXT PRIMARY KEY, data TEXT NOT NULL);
         CREATE TABLE csirt_policy (id INTEGER PRIMARY KEY CHECK (id = 1), data TEXT NOT NULL)`,
  },
];

/** Identifiers a network indicator may name that a node refuses on (never an issuer: that could be a victim's). */
const SHAREABLE: readonly IndicatorKind[] = ['keyThumbprint', 'certificateFingerprint', 'participant'];

/**
 * A country's national CSIRT at its node: the inbox (every security event of the node, grouped into incidents by
 * the policy), the reporting process of the country's regime — NIS2 art. 23 with its deadlines on the virtual
 * clock at EU nodes, Japan's voluntary reporting and sharing at JP's — the sharing of indicators with the CSIRT
 * network as STIX 2.1, and the indicators received from it, which the node's watchlist acts on.
 */
export class NationalCsirt {
  readonly country: string;
  readonly #incidents: IncidentStore;
  readonly #deps: NationalCsirtDeps;
  #policy: CsirtPolicy;
  /** Events heard and not yet grouped: the inbox takes them after the request, never inside it. */
  readonly #inbox: SecurityEvent[] = [];
  #scheduled: NodeJS.Immediate | undefined;
  #dropped = 0;
  /** The store closed: events heard after it are not kept (the node is shutting down). */
  #closed = false;

  constructor(deps: NationalCsirtDeps) {
    this.#deps = deps;
    this.country = deps.country;
    deps.store.migrate(MIGRATIONS);
    this.#incidents = new IncidentStore(deps.store, deps.country);
    const saved = deps.store.get<{ data: string }>('SELECT data FROM csirt_policy WHERE id = 1');
    this.#policy = saved ? CsirtPolicySchema.parse(JSON.parse(saved.data)) : NationalCsirt.defaultPolicy(deps.country);
    deps.security.onRecord((e) => this.#hear(e));
    // The store groups what is waiting before it closes (and at exit); events heard after that are not kept.
    deps.store.registerPending({
      drain: () => this.#drain(),
      close: () => {
        this.#closed = true;
        if (this.#scheduled !== undefined) clearImmediate(this.#scheduled);
        this.#scheduled = undefined;
      },
    });
  }

  /** The incidents, with every event heard so far grouped (reading drains the inbox first). */
  get incidents(): IncidentStore {
    this.#drain();
    return this.#incidents;
  }

  /** An event reaches the inbox: kept (at most 10,000 waiting: the oldest are dropped, counted) and grouped later. */
  #hear(e: SecurityEvent): void {
    if (this.#closed) {
      this.#deps.logger.debug('csirt inbox: event heard after the store closed, not kept', { rule: e.rule });
      return;
    }
    this.#inbox.push(e);
    if (this.#inbox.length > 10_000) {
      this.#inbox.shift();
      if (++this.#dropped % 1000 === 1)
        this.#deps.logger.error('csirt inbox full: oldest events dropped', { dropped: this.#dropped });
    }
    if (this.#scheduled === undefined) {
      this.#scheduled = setImmediate(() => this.#drain());
      this.#scheduled.unref();
    }
  }

  /** Groups the waiting events into incidents, in the order they were heard. */
  #drain(): void {
    if (this.#scheduled !== undefined) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    if (this.#closed) return;
    while (this.#inbox.length > 0) {
      const e = this.#inbox.shift() as SecurityEvent;
      try {
        this.#incidents.ingest(e, this.#policy);
      } catch (err) {
        this.#deps.logger.error('csirt inbox: event not taken', {
          reason: err instanceof Error ? err.message : String(err),
        });
      }
    }
  }

  /** NIS2 at EU nodes, the voluntary model at Japan's. */
  static defaultPolicy(country: string): CsirtPolicy {
    return country === 'JP' ? JP_VOLUNTARY_POLICY : NIS2_POLICY;
  }

  get policy(): CsirtPolicy {
    return this.#policy;
  }

  /** Replaces the policy (grouping, significance criteria, sharing); kept in the store. */
  setPolicy(policy: CsirtPolicy): CsirtPolicy {
    // The events heard so far are grouped under the policy they were heard under.
    this.#drain();
    this.#policy = CsirtPolicySchema.parse(policy);
    this.#deps.store.run(
      'INSERT INTO csirt_policy (id, data) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data',
      JSON.stringify(this.#policy),
    );
    return this.#policy;
  }

  /** An incident with its reports and the process as it stands on the virtual clock. */
  view(incident: Incident): { incident: Incident; process: ProcessStep[]; reports: SentReport[] } {
    const reports = this.reports(incident.id);
    return { incident, process: processOf(this.#policy.regime, incident, reports, this.#deps.clock.now()), reports };
  }

  reports(incidentId: string): SentReport[] {
    return this.#deps.store
      .all<{ data: string }>('SELECT data FROM csirt_reports WHERE incident = ? ORDER BY rowid', incidentId)
      .map((r) => JSON.parse(r.data) as SentReport);
  }

  /** Indicators received from the network, newest last. */
  received(): ReceivedIndicator[] {
    return this.#deps.store
      .all<{ data: string }>('SELECT data FROM csirt_received ORDER BY rowid')
      .map((r) => JSON.parse(r.data) as ReceivedIndicator);
  }

  /**
   * Sends one report of the incident's process: checked against the regime and the order of art. 23(4) (an early
   * warning before the notification, the notification before the final report; the incident must be significant),
   * written with the law's fields, stamped late when past its deadline. A NIS2 notification and a Japanese share
   * carry the incident's indicators to the CSIRT network as a STIX 2.1 bundle under the TLP of the report.
   */
  async report(incidentId: string, input: ReportInput): Promise<SentReport> {
    const incident = this.incidents.get(incidentId);
    if (!incident)
      throw new KakehashiError(
        'csirt-incident-not-found',
        `No incident ${incidentId.slice(0, 60)} at CSIRT ${this.country}.`,
      );
    const regime = this.#policy.regime;
    const kinds: readonly string[] = regime === 'nis2' ? [...NIS2_REPORTS, ...NIS2_OTHER_REPORTS] : JP_REPORTS;
    if (!kinds.includes(input.kind))
      throw new KakehashiError(
        'csirt-report-not-applicable',
        `A ${input.kind} is not part of the ${regime} process of CSIRT ${this.country} (its reports: ${kinds.join(', ')}).`,
      );
    const sent = this.reports(incidentId);
    if (sent.some((r) => r.kind === input.kind))
      throw new KakehashiError('csirt-report-duplicate', `The ${input.kind} of ${incidentId} was already sent.`);
    if (regime === 'nis2') {
      if (!incident.awareAt)
        throw new KakehashiError(
          'csirt-report-not-applicable',
          `${incidentId} meets no significant-incident criterion (GET /csirt/policy): NIS2 art. 23 does not apply.`,
        );
      // The chain of (a), (b), (d); the intermediate (c) and progress (e) reports come after the notification.
      const chainIndex = NIS2_REPORTS.indexOf(input.kind as (typeof NIS2_REPORTS)[number]);
      const before = chainIndex >= 0 ? NIS2_REPORTS[chainIndex - 1] : 'notification';
      if (before && !sent.some((r) => r.kind === before))
        throw new KakehashiError(
          'csirt-report-not-applicable',
          `Send the ${before} of ${incidentId} first (the order of NIS2 art. 23(4)).`,
        );
    }
    const origins = regime === 'nis2' ? await this.#deps.originCountries().catch(() => ({})) : {};
    const now = this.#deps.clock.now();
    const sentAt = now.toISOString();
    const tlp = input.tlp ?? this.#policy.defaultTlp;
    const step = processOf(regime, incident, sent, now).find((s) => s.kind === input.kind);
    const shares = input.kind === 'notification' || input.kind === 'share';
    const sharer =
      regime === 'jp-voluntary' && (input.anonymisation ?? 'pseudonymous') === 'pseudonymous'
        ? `sharer-${createHash('sha256').update(`${this.country}/${incidentId}`).digest('hex').slice(0, 10)}`
        : `CSIRT ${this.country}`;
    const bundle = shares ? this.#bundle(incident, tlp, sharer, now) : undefined;
    const indicators = bundle
      ? { bundle: bundle.id, count: bundle.objects.filter((o) => o.type === 'indicator').length }
      : undefined;
    const document =
      regime === 'nis2'
        ? nis2Document({
            kind: input.kind as Parameters<typeof nis2Document>[0]['kind'],
            incident,
            entity: `National node ${this.country} (eGovernment digital service infrastructure, public administration entity)`,
            recipient: `CSIRT ${this.country}`,
            sentAt,
            memberStates: memberStatesOf(incident, this.country, (o) => (origins as Record<string, string>)[o]),
            operator: input,
            indicators,
            earlier: sent,
          })
        : jpDocument({
            kind: input.kind as (typeof JP_REPORTS)[number],
            incident,
            sentAt,
            operator: input,
            sharer,
            tlp,
            indicators,
          });
    const report: SentReport = {
      id: `rep-${randomUUID()}`,
      incident: incidentId,
      kind: input.kind,
      sentAt,
      ...(step?.dueAt ? { dueAt: step.dueAt } : {}),
      late: step?.status === 'missed',
      document,
    };
    if (bundle && indicators && indicators.count > 0)
      await this.#deps.share({ from: this.country, tlp, shareWith: this.#policy.shareWith, bundle });
    this.#deps.store.run(
      'INSERT INTO csirt_reports (id, incident, kind, data) VALUES (?, ?, ?, ?)',
      report.id,
      incidentId,
      input.kind,
      JSON.stringify(report),
    );
    this.#deps.logger.info('csirt report sent', { incident: incidentId, kind: input.kind, late: report.late });
    return report;
  }

  /**
   * Takes a bundle from the CSIRT network: each indicator whose pattern names a key, certificate or participant is
   * added to the node's watchlist (refused from now on, as rule `csirt-indicator`), recorded as received.
   */
  receive(from: string, bundle: StixBundle): ReceivedIndicator[] {
    const out: ReceivedIndicator[] = [];
    for (const o of bundle.objects) {
      if (o.type !== 'indicator' || typeof o.pattern !== 'string') continue;
      const named = readIndicatorPattern(o.pattern);
      const watchable = named && (WATCHABLE as readonly string[]).includes(named.kind) ? named : undefined;
      const r: ReceivedIndicator = {
        indicator: o.id,
        from,
        receivedAt: this.#deps.clock.now().toISOString(),
        tlp: tlpOf(o),
        ...(typeof o.x_kakehashi_rule === 'string' ? { rule: o.x_kakehashi_rule } : {}),
        acted: watchable !== undefined,
        action: watchable
          ? `refuses ${watchable.kind} ${watchable.value} (rule csirt-indicator)`
          : 'recorded: its pattern names nothing this node can refuse',
      };
      if (watchable)
        this.#deps.security.watchlist.add({
          indicator: o.id,
          kind: watchable.kind as Watchable,
          value: watchable.value,
          source: from,
          ...(typeof o.valid_until === 'string' ? { validUntil: o.valid_until } : {}),
        });
      this.#deps.store.run(
        'INSERT INTO csirt_received (indicator, data) VALUES (?, ?) ON CONFLICT (indicator) DO UPDATE SET data = excluded.data',
        o.id,
        JSON.stringify(r),
      );
      out.push(r);
    }
    return out;
  }

  /** Forgets incidents, reports, received indicators and the policy (the component's reset). */
  clear(): void {
    this.#inbox.length = 0;
    this.#incidents.clear();
    this.#deps.store.run('DELETE FROM csirt_reports');
    this.#deps.store.run('DELETE FROM csirt_received');
    this.#deps.store.run('DELETE FROM csirt_policy');
    this.#policy = NationalCsirt.defaultPolicy(this.country);
  }

  /** The incident as STIX: the sharer, the incident stub, an indicator and a sighting per shareable identifier. */
  #bundle(incident: Incident, tlp: Tlp, sharer: string, now: Date): StixBundle {
    const identity = stixIdentity(sharer, now, {
      sectors: ['government-public-services'],
      description: sharer.startsWith('sharer-')
        ? 'A pseudonymous sharer (anonymised as J-CSIP does).'
        : `National CSIRT ${this.country}.`,
    });
    const createdBy = identity.id;
    const stixInc = stixIncident({
      name: `${incident.id}: ${incident.rules.join(', ')}`,
      description: `${incident.eventCount} refused attempts, severity ${incident.severity}, from ${incident.openedAt} to ${incident.lastEventAt}.`,
      now,
      tlp,
      createdBy,
    });
    const objects: StixObject[] = [identity, stixInc];
    const validUntil = new Date(now.getTime() + this.#policy.indicatorValidDays * 86_400_000);
    for (const kind of SHAREABLE) {
      for (const value of (incident.identifiers as Record<string, string[] | undefined>)[kind] ?? []) {
        const indicator = stixIndicator({
          kind,
          value,
          now,
          tlp,
          createdBy,
          rule: incident.rules[0] ?? 'csirt',
          validUntil,
        });
        objects.push(
          indicator,
          stixSighting({
            indicator: indicator.id,
            now,
            tlp,
            createdBy,
            count: incident.eventCount,
            firstSeen: new Date(incident.openedAt),
            lastSeen: new Date(incident.lastEventAt),
          }),
          stixRelationship({ type: 'related-to', source: indicator.id, target: stixInc.id, now, tlp, createdBy }),
        );
      }
    }
    return stixBundle(objects);
  }
}
