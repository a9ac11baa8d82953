import type { Migration, NodeMetadata, Store } from '@kakehashi/core';

export interface RegisteredNode {
  country: string;
  metadata: NodeMetadata;
  registeredAt: string;
  updatedAt: string;
  /** Serial (hex) of the certificate that signed the metadata. */
  signerSerial: string;
  health: { status: 'ok' | 'unreachable' | 'unknown'; checkedAt: string | null; detail?: string };
}

export const REGISTRY_MIGRATIONS: Migration[] = [
  {
    id: 'hub/registry/001',
    up: `CREATE TABLE registry_nodes (country TEXT PRIMARY KEY, metadata TEXT NOT NULL, signed_metadata TEXT NOT NULL,
         signer_serial TEXT NOT NULL, registered_at TEXT NOT NULL, updated_at TEXT NOT NULL,
         health_status TEXT NOT NULL DEFAULT 'unknown', health_checked_at TEXT, health_detail TEXT);
         CREATE TABLE registry_participants (participant_id TEXT NOT NULL, service TEXT NOT NULL, country TEXT NOT NULL,
         PRIMARY KEY (participant_id, service));`,
  },
];

/** The registry of nodes and the participant index derived from their metadata (the SML role). */
export class RegistryStore {
  readonly #store: Store;
  #list: readonly RegisteredNode[] | undefined;
  /**
   * Each node's registration before its last change of endpoints or certificates, in memory (what a stale
   * discovery cache still answers: the fault `hub.discovery-stale`).
   */
  readonly #previous = new Map<string, NodeMetadata>();
  constructor(store: Store) {
    this.#store = store;
    store.migrate(REGISTRY_MIGRATIONS);
  }

  /** Registers or updates a node, replacing its participant index entries in the same transaction. */
  upsert(metadata: NodeMetadata, signedMetadata: string, signerSerial: string, now: string): { created: boolean } {
    this.#list = undefined;
    return this.#store.transaction(() => {
      const existing = this.#store.get<{ metadata: string }>(
        'SELECT metadata FROM registry_nodes WHERE country = ?',
        metadata.country,
      );
      if (existing) {
        const before = JSON.parse(existing.metadata) as NodeMetadata;
        if (routingOf(before) !== routingOf(metadata)) this.#previous.set(metadata.country, before);
        this.#store.run(
          'UPDATE registry_nodes SET metadata = ?, signed_metadata = ?, signer_serial = ?, updated_at = ? WHERE country = ?',
          JSON.stringify(metadata),
          signedMetadata,
          signerSerial,
          now,
          metadata.country,
        );
      } else {
        this.#store.run(
          'INSERT INTO registry_nodes (country, metadata, signed_metadata, signer_serial, registered_at, updated_at) VALUES (?,?,?,?,?,?)',
          metadata.country,
          JSON.stringify(metadata),
          signedMetadata,
          signerSerial,
          now,
          now,
        );
      }
      this.#store.run('DELETE FROM registry_participants WHERE country = ?', metadata.country);
      for (const p of metadata.participants) {
        for (const s of p.services) {
          this.#store.run(
            'INSERT OR REPLACE INTO registry_participants (participant_id, service, country) VALUES (?,?,?)',
            p.id,
            s,
            metadata.country,
          );
        }
      }
      return { created: !existing };
    });
  }

  /**
   * Every registered node, parsed once per change (issuer and peer lookups run on every validation; the list
   * only changes on registration, health updates, removal and reset).
   */
  list(): RegisteredNode[] {
    return [...this.#parsed()];
  }

  #parsed(): readonly RegisteredNode[] {
    this.#list ??= this.#store
      .all<Record<string, string | null>>('SELECT * FROM registry_nodes ORDER BY country')
      .map((r) => Object.freeze(toNode(r)));
    return this.#list;
  }

  /** One registered node, from the list parsed once per change (discovery asks for one with every AS4 message). */
  get(country: string): RegisteredNode | undefined {
    return this.#parsed().find((n) => n.country === country);
  }

  /** The node's registration before its last change of endpoints or certificates (since the hub started). */
  previous(country: string): NodeMetadata | undefined {
    return this.#previous.get(country);
  }

  signedMetadata(country: string): string | undefined {
    return this.#store.get<{ signed_metadata: string }>(
      'SELECT signed_metadata FROM registry_nodes WHERE country = ?',
      country,
    )?.signed_metadata;
  }

  /** The node serving a participant for a service (exact match), if any. */
  findParticipant(participantId: string, service: string): string | undefined {
    return this.#store.get<{ country: string }>(
      'SELECT country FROM registry_participants WHERE participant_id = ? AND service = ?',
      participantId,
      service,
    )?.country;
  }

  setHealth(country: string, status: 'ok' | 'unreachable', checkedAt: string, detail?: string): void {
    this.#list = undefined;
    this.#store.run(
      'UPDATE registry_nodes SET health_status = ?, health_checked_at = ?, health_detail = ? WHERE country = ?',
      status,
      checkedAt,
      detail ?? null,
      country,
    );
  }

  remove(country: string): boolean {
    this.#list = undefined;
    this.#previous.delete(country);
    return this.#store.transaction(() => {
      this.#store.run('DELETE FROM registry_participants WHERE country = ?', country);
      return this.#store.run('DELETE FROM registry_nodes WHERE country = ?', country).changes > 0;
    });
  }

  clear(): void {
    this.#list = undefined;
    this.#previous.clear();
    this.#store.transaction(() => {
      this.#store.run('DELETE FROM registry_participants');
      this.#store.run('DELETE FROM registry_nodes');
    });
  }
}

/** What discovery answers from a registration: its endpoints, services and certificates. */
function routingOf(m: NodeMetadata): string {
  return JSON.stringify([m.url, m.endpoints, m.services, m.certificates]);
}

function toNode(r: Record<string, string | null>): RegisteredNode {
  const health: RegisteredNode['health'] = {
    status: (r.health_status as RegisteredNode['health']['status']) ?? 'unknown',
    checkedAt: r.health_checked_at ?? null,
  };
  if (r.health_detail) health.detail = r.health_detail;
  return {
    country: String(r.country),
    metadata: JSON.parse(String(r.metadata)) as NodeMetadata,
    registeredAt: String(r.registered_at),
    updatedAt: String(r.updated_at),
    signerSerial: String(r.signer_serial),
    health,
  };
}
