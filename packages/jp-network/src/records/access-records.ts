import { z } from '@hono/zod-openapi';
import { AuditLog, type AuditVerification, type Clock, type Store } from '@kakehashi/core';

/** The request id of a record, as indexed and as looked up (the same expression, or the index goes unused). */
const REQUEST_ID = "json_extract(details, '$.requestId')";

const Party = z.object({ id: z.string(), name: z.string() });

/**
 * One access record with the fields of My Number Act art. 23: both parties, request and provision times,
 * the information items, the procedure (and its legal basis), the outcome — and the non-disclosure flag.
 */
export const AccessRecordSchema = z
  .object({
    requestId: z.string(),
    requester: Party,
    provider: Party,
    procedure: z.object({ id: z.string(), name: z.string(), nameLocal: z.string().optional() }),
    legalBasis: z.string().optional(),
    ruleId: z.string().optional(),
    items: z.array(z.string()),
    requestedAt: z.string(),
    providedAt: z.string().nullable(),
    outcome: z.enum(['provided', 'refused']),
    refusal: z.object({ code: z.string(), reason: z.string() }).optional(),
    nonDisclosure: z.boolean(),
  })
  .openapi('AccessRecord');
export type AccessRecord = z.infer<typeof AccessRecordSchema>;

export interface StoredAccessRecord extends AccessRecord {
  seq: number;
  /** Which copy: requester, provider or network. */
  copy: 'requester' | 'provider' | 'network';
  hash: string;
}

/**
 * One party's copy of the access records, on its own store, hash-chained (core's {@link AuditLog}): deleting,
 * editing or reordering a record breaks `verify()`. `subject` is the party's own key for the person (its code;
 * for the network a keyed hash of the link id), never a My Number.
 * @see https://laws.e-gov.go.jp/law/425AC0000000027 (My Number Act art. 23)
 */
export class AccessRecords {
  readonly #log: AuditLog;
  readonly #store: Store;
  readonly table: string;

  constructor(store: Store, clock: Clock, table = 'access_records') {
    this.#store = store;
    this.table = table;
    this.#log = new AuditLog(store, clock, table);
    // Every mediated query looks its request id up (a reused id is refused): an index on the very expression
    // `byRequest` filters on, or each lookup would read the whole copy.
    store.migrate([
      {
        id: `jp-network/${table}/request-id-index/001`,
        up: `CREATE INDEX IF NOT EXISTS ${table}_request_id ON ${table} (${REQUEST_ID})`,
      },
    ]);
  }

  append(
    copy: StoredAccessRecord['copy'],
    actor: string,
    subject: string | null,
    record: AccessRecord,
    traceId?: string,
  ): void {
    this.#log.append({
      actor,
      action: `exchange/${copy}`,
      ...(subject ? { subject } : {}),
      outcome: record.outcome === 'provided' ? 'success' : 'refused',
      details: { ...record, copy },
      traceId,
    });
  }

  #rows(where: string, ...params: string[]): StoredAccessRecord[] {
    // Appends are written behind the request (core's AuditLog): a read sees every one made before it.
    this.#log.flush();
    return this.#store
      .all<{ seq: number; details: string; hash: string }>(
        `SELECT seq, details, hash FROM ${this.table} ${where} ORDER BY seq`,
        ...params,
      )
      .map((r) => ({ ...(JSON.parse(r.details) as StoredAccessRecord), seq: r.seq, hash: r.hash }));
  }

  bySubject(subject: string): StoredAccessRecord[] {
    return this.#rows('WHERE subject = ?', subject);
  }

  byRequest(requestId: string): StoredAccessRecord[] {
    return this.#rows(`WHERE ${REQUEST_ID} = ?`, requestId);
  }

  all(): StoredAccessRecord[] {
    return this.#rows('');
  }

  verify(): AuditVerification {
    return this.#log.verify();
  }
}
