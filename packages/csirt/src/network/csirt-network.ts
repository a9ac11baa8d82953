import { type Clock, KakehashiError, type Logger, type Store } from '@kakehashi/core';
import '../error-codes.ts';
import { type StixBundle, type StixObject, stixBundle, tlpOf } from '../stix/build-stix.ts';
import { type Tlp, tlpAllows } from '../stix/tlp.ts';

/** One object of the network's feed, with who shared it, when, and to whom it may go. */
export interface FeedEntry {
  seq: number;
  object: StixObject;
  country: string;
  tlp: Tlp;
  addedAt: string;
  shareWith: string[];
}

/** Where the shared bundle went: each member node and what it answered. */
export interface Delivery {
  country: string;
  delivered: boolean;
  detail?: string;
}

export interface CsirtNetworkDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  /** The member CSIRTs: every registered node, by country and origin. */
  members: () => { country: string; url: string }[];
  /** Delivers a bundle to one member's `POST /admin/csirt/indicators`. */
  deliver: (member: { country: string; url: string }, body: { from: string; bundle: StixBundle }) => Promise<Delivery>;
}

const MIGRATIONS = [
  {
    id: 'csirt/network/001',
    up: `CREATE TABLE csirt_feed (seq INTEGER PRIMARY KEY, object_id TEXT NOT NULL, type TEXT NOT NULL,
         country TEXT NOT NULL, tlp TEXT NOT NULL, added_ms INTEGER NOT NULL, added_at TEXT NOT NULL,
         share_with TEXT NOT NULL, data TEXT NOT NULL);
         CREATE INDEX csirt_feed_added ON csirt_feed (added_ms)`,
  },
];

export interface FeedQuery {
  /** Objects added at or after this instant (ISO 8601). */
  since?: string | undefined;
  /** The sharing country. */
  country?: string | undefined;
  /** STIX types (`indicator`, `sighting`, …). */
  types?: string[] | undefined;
  /** Objects after this sequence number (TAXII's `next`). */
  afterSeq?: number | undefined;
  limit?: number | undefined;
  /** The member asking: only what the TLP and the sharer's policy let it see (undefined: the operator, everything but RED). */
  reader?: string | undefined;
}

/**
 * The CSIRT network at the hub (NIS2 art. 15; the hub plays the secretariat): members share STIX 2.1 bundles,
 * the hub keeps each object with its sharer, TLP and sharing policy, delivers it to the members the TLP allows
 * (never back to the sharer; RED never), and serves the feed (`GET /csirt/feed`, TAXII 2.1 collections).
 * @see https://eur-lex.europa.eu/eli/dir/2022/2555/oj (art. 15)
 */
export class CsirtNetwork {
  readonly #deps: CsirtNetworkDeps;

  constructor(deps: CsirtNetworkDeps) {
    this.#deps = deps;
    deps.store.migrate(MIGRATIONS);
  }

  /**
   * Takes a member's bundle: every object is kept (marking definitions aside: the feed adds those it references)
   * and the bundle goes to each other member the TLP allows. RED is refused: it is never shared through a feed.
   */
  async share(input: {
    from: string;
    shareWith: string[];
    bundle: StixBundle;
  }): Promise<{ added: number; deliveries: Delivery[] }> {
    const objects = input.bundle.objects.filter((o) => o.type !== 'marking-definition');
    if (objects.some((o) => tlpOf(o) === 'red'))
      throw new KakehashiError(
        'csirt-sharing-refused',
        'TLP:RED is for the named recipients present only: it is never shared through the CSIRT network feed.',
      );
    const now = this.#deps.clock.now();
    this.#deps.store.transaction(() => {
      for (const o of objects)
        this.#deps.store.run(
          `INSERT INTO csirt_feed (object_id, type, country, tlp, added_ms, added_at, share_with, data)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          o.id,
          o.type,
          input.from,
          tlpOf(o),
          now.getTime(),
          now.toISOString(),
          JSON.stringify(input.shareWith),
          JSON.stringify(o),
        );
    });
    const deliveries: Delivery[] = [];
    for (const member of this.#deps.members()) {
      if (member.country === input.from) continue;
      const visible = objects.filter((o) => tlpAllows(tlpOf(o), member.country, input.shareWith));
      if (!visible.some((o) => o.type === 'indicator')) {
        deliveries.push({
          country: member.country,
          delivered: false,
          detail: 'not allowed by the TLP and sharing policy',
        });
        continue;
      }
      deliveries.push(await this.#deps.deliver(member, { from: input.from, bundle: stixBundle(visible) }));
    }
    this.#deps.logger.info('csirt network: bundle shared', {
      from: input.from,
      objects: objects.length,
      delivered: deliveries.filter((d) => d.delivered).map((d) => d.country),
    });
    return { added: objects.length, deliveries };
  }

  /** Feed entries matching the query, oldest first. */
  entries(q: FeedQuery = {}): FeedEntry[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (q.since) {
      where.push('added_ms >= ?');
      params.push(Date.parse(q.since));
    }
    if (q.country) {
      where.push('country = ?');
      params.push(q.country);
    }
    if (q.types && q.types.length > 0) {
      where.push(`type IN (${q.types.map(() => '?').join(', ')})`);
      params.push(...q.types);
    }
    if (q.afterSeq !== undefined) {
      where.push('seq > ?');
      params.push(q.afterSeq);
    }
    const rows = this.#deps.store.all<{
      seq: number;
      country: string;
      tlp: Tlp;
      added_at: string;
      share_with: string;
      data: string;
    }>(
      `SELECT seq, country, tlp, added_at, share_with, data FROM csirt_feed
       ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq`,
      ...params,
    );
    const out: FeedEntry[] = [];
    for (const r of rows) {
      const shareWith = JSON.parse(r.share_with) as string[];
      if (q.reader !== undefined && q.reader !== r.country && !tlpAllows(r.tlp, q.reader, shareWith)) continue;
      out.push({
        seq: r.seq,
        object: JSON.parse(r.data) as StixObject,
        country: r.country,
        tlp: r.tlp,
        addedAt: r.added_at,
        shareWith,
      });
      if (out.length >= (q.limit ?? 1000)) break;
    }
    return out;
  }

  /** The feed as one STIX bundle (the marking definitions it references included). */
  feed(q: FeedQuery = {}): StixBundle {
    return stixBundle(this.entries(q).map((e) => e.object));
  }

  /**
   * The network's anonymised summary (the SPOC's aggregate for ENISA, NIS2 art. 23(9)): per sharing country, how
   * many objects of each STIX type and TLP it shared — counts only, no object, no identifier.
   * @see https://eur-lex.europa.eu/eli/dir/2022/2555/oj (art. 23(9))
   */
  summary(): { countries: Record<string, { byType: Record<string, number>; byTlp: Record<string, number> }> } {
    const rows = this.#deps.store.all<{ country: string; type: string; tlp: string; n: number }>(
      'SELECT country, type, tlp, COUNT(*) AS n FROM csirt_feed GROUP BY country, type, tlp ORDER BY country, type, tlp',
    );
    const countries: Record<string, { byType: Record<string, number>; byTlp: Record<string, number> }> = {};
    for (const r of rows) {
      const c = countries[r.country] ?? { byType: {}, byTlp: {} };
      countries[r.country] = c;
      c.byType[r.type] = (c.byType[r.type] ?? 0) + r.n;
      c.byTlp[r.tlp] = (c.byTlp[r.tlp] ?? 0) + r.n;
    }
    return { countries };
  }

  /** Forgets the feed (the hub's reset). */
  clear(): void {
    this.#deps.store.run('DELETE FROM csirt_feed');
  }
}
