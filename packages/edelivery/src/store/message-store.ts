import type { Clock, Store } from '@kakehashi/core';
import type { ReferenceInfo } from '../message/build-signal.ts';
import type { UserMessage } from '../message/z-user-message.ts';
import { EDELIVERY_MIGRATIONS } from './migrations.ts';

/**
 * Message states, in the vocabulary of Domibus (the European Commission's sample access point).
 * @see https://ec.europa.eu/digital-building-blocks/sites/display/DIGITAL/Domibus
 */
export const MESSAGE_STATUSES = [
  'READY_TO_SEND',
  'SEND_ENQUEUED',
  'SEND_IN_PROGRESS',
  'WAITING_FOR_RECEIPT',
  'ACKNOWLEDGED',
  'ACKNOWLEDGED_WITH_WARNING',
  'SEND_ATTEMPT_FAILED',
  'WAITING_FOR_RETRY',
  'SEND_FAILURE',
  'NOT_FOUND',
  'RECEIVED',
  'RECEIVED_WITH_WARNINGS',
  'DOWNLOADED',
  'DELETED',
  'READY_TO_PULL',
  'BEING_PULLED',
] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];
export type Direction = 'out' | 'in';

export interface MessageRow {
  message_id: string;
  direction: Direction;
  status: MessageStatus;
  pmode_id: string;
  service: string;
  action: string;
  conversation_id: string;
  original_sender: string | null;
  final_recipient: string | null;
  from_party: string;
  to_party: string;
  header_json: string;
  content_hash: string;
  endpoint: string | null;
  peer_country: string | null;
  peer_signing_cert: string | null;
  peer_encryption_cert: string | null;
  attempts: number;
  next_attempt_at: number | null;
  last_error: string | null;
  nr_references: string | null;
  ts_digests: string;
  receipt_xml: string | null;
  duplicates: number;
  trace_parent: string | null;
  /** JSON array: the sending faults the submission asked for (`edelivery.*`), applied on every attempt. */
  faults: string;
  created_at: string;
  updated_at: string;
}

export interface PayloadRow {
  cid: string;
  mime_type: string;
  compressed: number;
  content: Uint8Array;
}

export interface StatusChange {
  messageId: string;
  direction: Direction;
  status: MessageStatus;
  previous: MessageStatus | null;
  at: string;
  detail?: string | undefined;
  /** An inbound message's arrival (RECEIVED): what a backend routes it by, so it need not read each message. */
  message?: MessageSummary | undefined;
}

/** The routing metadata of a received message, as its RECEIVED change carries it. */
export interface MessageSummary {
  service: string;
  action: string;
  originalSender: string | null;
  finalRecipient: string | null;
  payloads: { cid: string; mimeType: string }[];
}

export interface WebhookRow {
  id: string;
  url: string;
  /** JSON array of statuses (empty: all). */
  events: string;
  created_at: string;
  /** 1: the subscription receives its changes batched. */
  batch: number;
}

/** The columns of a message written once (migration 005): in `edelivery_message_bodies`, not in its status row. */
const BODY_COLUMNS = ['header_json', 'peer_signing_cert', 'peer_encryption_cert', 'receipt_xml'] as const;
/** A message as {@link MessageRow}: its status row joined with its body. */
const SELECT_ROW = `SELECT m.*, ${BODY_COLUMNS.map((c) => `b.${c}`).join(', ')} FROM edelivery_messages m
  JOIN edelivery_message_bodies b ON b.message_id = m.message_id AND b.direction = m.direction`;
/**
 * One message by id, a statement per direction: with the direction bound, SQLite re-plans the join at every
 * execution (a bound value that could select the partial index of migration 004 expires the statement when it is
 * bound again): ~30 µs a read instead of ~0.5.
 */
const ROW_BY_ID: Readonly<Record<Direction, string>> = {
  out: `${SELECT_ROW} WHERE m.message_id = ? AND m.direction = 'out'`,
  in: `${SELECT_ROW} WHERE m.message_id = ? AND m.direction = 'in'`,
};

/** What a transition may set: the status row's columns, and the receipt (in the body, written once). */
type TransitionSet = Partial<
  Pick<MessageRow, 'attempts' | 'next_attempt_at' | 'last_error' | 'receipt_xml' | 'nr_references' | 'ts_digests'>
>;

/**
 * Rows of the access point's message store, with state transitions recorded as events. A message is two rows: its
 * status row (`edelivery_messages`: status, attempts, due time, routing) and its body (`edelivery_message_bodies`:
 * the header, the peer's certificates and the receipt, written once), so a status change writes a small row.
 */
export class MessageStore {
  readonly #store: Store;
  readonly #clock: Clock;
  /** Called after a transition is committed (webhooks, traces). */
  onChange: (change: StatusChange) => void = () => {};

  constructor(store: Store, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
    store.migrate(EDELIVERY_MIGRATIONS);
  }

  get store(): Store {
    return this.#store;
  }

  transaction<T>(fn: () => T): T {
    return this.#store.transaction(fn);
  }

  /** Work waiting for the next group commit. */
  #group: { fn: () => unknown; resolve: (v: unknown) => void; reject: (e: unknown) => void }[] = [];

  /**
   * Group commit: runs `fn` in a transaction shared with the other work asked for in the same turn, committed on
   * the next turn; resolves once that transaction is committed (so what depends on durability — a receipt sent,
   * an acknowledgement recorded — happens after it). Each `fn` runs in a savepoint of its own: one that throws is
   * rolled back alone and rejects alone.
   */
  inGroupCommit<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#group.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (this.#group.length === 1) setImmediate(() => this.#commitGroup());
    });
  }

  #commitGroup(): void {
    const items = this.#group.splice(0);
    const results: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      this.#store.transaction(() => {
        for (const item of items) {
          this.#store.exec('SAVEPOINT group_item');
          try {
            results.push({ ok: true, value: item.fn() });
            this.#store.exec('RELEASE group_item');
          } catch (error) {
            this.#store.exec('ROLLBACK TO group_item');
            this.#store.exec('RELEASE group_item');
            results.push({ ok: false, error });
          }
        }
      });
    } catch (e) {
      for (const item of items) item.reject(e);
      return;
    }
    items.forEach((item, i) => {
      const r = results[i];
      if (r?.ok) item.resolve(r.value);
      else item.reject(r?.error);
    });
  }

  get(messageId: string, direction: Direction): MessageRow | undefined {
    if (direction !== 'out' && direction !== 'in') return undefined;
    return this.#store.get<MessageRow>(ROW_BY_ID[direction], messageId);
  }

  /** Outbound first, then inbound. */
  find(messageId: string, direction?: Direction): MessageRow | undefined {
    if (direction) return this.get(messageId, direction);
    return this.get(messageId, 'out') ?? this.get(messageId, 'in');
  }

  list(q: {
    direction?: Direction | undefined;
    status?: MessageStatus | undefined;
    finalRecipient?: string | undefined;
    limit: number;
  }): MessageRow[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (q.direction) {
      where.push('m.direction = ?');
      params.push(q.direction);
    }
    if (q.status) {
      where.push('m.status = ?');
      params.push(q.status);
    }
    if (q.finalRecipient) {
      where.push('m.final_recipient = ?');
      params.push(q.finalRecipient);
    }
    return this.#store.all<MessageRow>(
      `${SELECT_ROW} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY m.created_at, m.rowid LIMIT ?`,
      ...params,
      q.limit,
    );
  }

  payloads(messageId: string, direction: Direction): PayloadRow[] {
    return this.#store.all<PayloadRow>(
      'SELECT cid, mime_type, compressed, content FROM edelivery_payloads WHERE message_id = ? AND direction = ? ORDER BY rowid',
      messageId,
      direction,
    );
  }

  payloadSizes(messageId: string, direction: Direction): { cid: string; mime_type: string; size: number }[] {
    return this.#store.all(
      'SELECT cid, mime_type, length(content) AS size FROM edelivery_payloads WHERE message_id = ? AND direction = ? ORDER BY rowid',
      messageId,
      direction,
    );
  }

  events(messageId: string, direction: Direction): { status: string; at: string; detail: string | null }[] {
    return this.#store.all(
      'SELECT status, at, detail FROM edelivery_events WHERE message_id = ? AND direction = ? ORDER BY id',
      messageId,
      direction,
    );
  }

  /** Inserts a message with its payloads and its first event (inside the caller's transaction, if any). */
  insert(
    row: Omit<
      MessageRow,
      'attempts' | 'duplicates' | 'ts_digests' | 'created_at' | 'updated_at' | 'last_error' | 'faults'
    > & {
      last_error?: string | null;
      faults?: readonly string[];
    },
    payloads: { cid: string; mimeType: string; compressed: boolean; content: Buffer }[],
  ): StatusChange {
    const at = this.#clock.now().toISOString();
    this.#store.transaction(() => {
      this.#store.run(
        `INSERT INTO edelivery_messages (message_id, direction, status, pmode_id, service, action, conversation_id, original_sender,
           final_recipient, from_party, to_party, content_hash, endpoint, peer_country, next_attempt_at, nr_references,
           trace_parent, last_error, faults, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        row.message_id,
        row.direction,
        row.status,
        row.pmode_id,
        row.service,
        row.action,
        row.conversation_id,
        row.original_sender,
        row.final_recipient,
        row.from_party,
        row.to_party,
        row.content_hash,
        row.endpoint,
        row.peer_country,
        row.next_attempt_at,
        row.nr_references,
        row.trace_parent,
        row.last_error ?? null,
        JSON.stringify(row.faults ?? []),
        at,
        at,
      );
      this.#store.run(
        `INSERT INTO edelivery_message_bodies (message_id, direction, header_json, peer_signing_cert, peer_encryption_cert,
           receipt_xml) VALUES (?, ?, ?, ?, ?, ?)`,
        row.message_id,
        row.direction,
        row.header_json,
        row.peer_signing_cert,
        row.peer_encryption_cert,
        row.receipt_xml,
      );
      for (const p of payloads)
        this.#store.run(
          'INSERT INTO edelivery_payloads (message_id, direction, cid, mime_type, compressed, content) VALUES (?, ?, ?, ?, ?, ?)',
          row.message_id,
          row.direction,
          p.cid,
          p.mimeType,
          p.compressed ? 1 : 0,
          p.content,
        );
      this.#store.run(
        'INSERT INTO edelivery_events (message_id, direction, status, at, detail) VALUES (?, ?, ?, ?, ?)',
        row.message_id,
        row.direction,
        row.status,
        at,
        null,
      );
    });
    const change: StatusChange = {
      messageId: row.message_id,
      direction: row.direction,
      status: row.status,
      previous: null,
      at,
    };
    if (row.direction === 'in')
      change.message = {
        service: row.service,
        action: row.action,
        originalSender: row.original_sender,
        finalRecipient: row.final_recipient,
        payloads: payloads.map((p) => ({ cid: p.cid, mimeType: p.mimeType })),
      };
    return change;
  }

  /**
   * Moves a message from one of `from` to `to`, with the given column updates, atomically; undefined when the
   * message is not (any longer) in one of `from` (another worker claimed it).
   */
  transition(
    messageId: string,
    direction: Direction,
    from: readonly MessageStatus[],
    to: MessageStatus,
    set: TransitionSet = {},
    detail?: string,
  ): StatusChange | undefined {
    const at = this.#clock.now().toISOString();
    const change = this.#store.transaction(() => this.#move(messageId, direction, from, to, at, set, detail));
    if (change && change.previous !== change.status) this.onChange(change);
    return change;
  }

  /**
   * Claims outbound messages for the sender: each of `messageIds` still in one of `from` moves to `to`, all in one
   * transaction (one commit for a whole scan of the sender loop). Returns the rows claimed, as they are now.
   */
  claim(messageIds: readonly string[], from: readonly MessageStatus[], to: MessageStatus): MessageRow[] {
    if (messageIds.length === 0) return [];
    const at = this.#clock.now().toISOString();
    const moved = this.#store.transaction(() =>
      messageIds.flatMap((id) => {
        const change = this.#move(id, 'out', from, to, at, {});
        const row = change && this.get(id, 'out');
        return change && row ? [{ change, row }] : [];
      }),
    );
    for (const m of moved) if (m.change.previous !== m.change.status) this.onChange(m.change);
    return moved.map((m) => m.row);
  }

  /**
   * One state change inside the caller's transaction: reads and writes the message's status row only (and its
   * body when the receipt is set).
   */
  #move(
    messageId: string,
    direction: Direction,
    from: readonly MessageStatus[],
    to: MessageStatus,
    at: string,
    set: TransitionSet,
    detail?: string,
  ): StatusChange | undefined {
    const row = this.#store.get<{ status: MessageStatus }>(
      'SELECT status FROM edelivery_messages WHERE message_id = ? AND direction = ?',
      messageId,
      direction,
    );
    if (!row || !from.includes(row.status)) return undefined;
    const cols = (Object.keys(set) as (keyof TransitionSet)[]).filter((c) => c !== 'receipt_xml');
    this.#store.run(
      `UPDATE edelivery_messages SET status = ?, updated_at = ?${cols.map((c) => `, ${c} = ?`).join('')} WHERE message_id = ? AND direction = ?`,
      to,
      at,
      ...cols.map((c) => set[c] ?? null),
      messageId,
      direction,
    );
    if ('receipt_xml' in set)
      this.#store.run(
        'UPDATE edelivery_message_bodies SET receipt_xml = ? WHERE message_id = ? AND direction = ?',
        set.receipt_xml ?? null,
        messageId,
        direction,
      );
    if (row.status !== to)
      this.#store.run(
        'INSERT INTO edelivery_events (message_id, direction, status, at, detail) VALUES (?, ?, ?, ?, ?)',
        messageId,
        direction,
        to,
        at,
        detail ?? null,
      );
    return { messageId, direction, status: to, previous: row.status, at, detail };
  }

  /**
   * Outbound messages whose next attempt is due: what the sender loop chooses by (the whole message, its body
   * included, is read when one is claimed; a scan runs whenever an attempt ends).
   */
  due(now: number, limit: number): Pick<MessageRow, 'message_id' | 'endpoint' | 'next_attempt_at'>[] {
    // The limit is written into the statement, not bound: SQLite plans ORDER BY … LIMIT with the limit's value, so a
    // bound limit expires the statement at every bind and it was compiled again at every scan (`sqlite3Reprepare`:
    // ~1.5 % of the event loop in the AS4 bench). The sender asks for a handful of sizes (1 to IN_FLIGHT_MAX +
    // PER_DESTINATION), each its own cached statement. The partial index holds exactly these rows in this order
    // (migration 004): no temporary b-tree to sort them, which cost a fresh page cache at every scan.
    const n = Number.isSafeInteger(limit) && limit > 0 ? limit : 1;
    return this.#store.all(
      `SELECT message_id, endpoint, next_attempt_at FROM edelivery_messages INDEXED BY edelivery_messages_due_only
         WHERE direction = 'out' AND status IN ('READY_TO_SEND', 'WAITING_FOR_RETRY')
         AND next_attempt_at <= ? ORDER BY next_attempt_at, rowid LIMIT ${n}`,
      now,
    );
  }

  /**
   * After a crash: a message caught between "claimed" and "outcome recorded" may or may not have reached the
   * receiver. Resending it (same MessageId) is safe — the receiver's duplicate elimination answers with the
   * original receipt — so it goes back to WAITING_FOR_RETRY, due now.
   */
  recoverInFlight(now: number): number {
    const rows = this.#store.all<{ message_id: string }>(
      `SELECT message_id FROM edelivery_messages WHERE direction = 'out' AND status IN ('SEND_ENQUEUED', 'SEND_IN_PROGRESS', 'WAITING_FOR_RECEIPT')`,
    );
    for (const r of rows)
      this.transition(
        r.message_id,
        'out',
        ['SEND_ENQUEUED', 'SEND_IN_PROGRESS', 'WAITING_FOR_RECEIPT'],
        'WAITING_FOR_RETRY',
        { next_attempt_at: now },
        'recovered after a restart',
      );
    return rows.length;
  }

  /** The MessageId of the last outbound message acknowledged by `toParty`, other than `except` (fault replayed-message-id). */
  lastAcknowledged(toParty: string, except: string): string | undefined {
    return this.#store.get<{ message_id: string }>(
      `SELECT message_id FROM edelivery_messages WHERE direction = 'out' AND to_party = ? AND message_id <> ?
         AND status = 'ACKNOWLEDGED' ORDER BY updated_at DESC, rowid DESC LIMIT 1`,
      toParty,
      except,
    )?.message_id;
  }

  addDuplicate(messageId: string): void {
    this.#store.run(
      `UPDATE edelivery_messages SET duplicates = duplicates + 1 WHERE message_id = ? AND direction = 'in'`,
      messageId,
    );
  }

  setting(key: string): string | undefined {
    return this.#store.get<{ value: string }>('SELECT value FROM edelivery_settings WHERE key = ?', key)?.value;
  }

  setSetting(key: string, value: string): void {
    this.#store.run(
      'INSERT INTO edelivery_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      key,
      value,
    );
  }

  webhooks(): WebhookRow[] {
    return this.#store.all('SELECT * FROM edelivery_webhooks ORDER BY created_at, id');
  }

  addWebhook(id: string, url: string, events: string[], batch = false): void {
    this.#store.run(
      'INSERT INTO edelivery_webhooks (id, url, events, created_at, batch) VALUES (?, ?, ?, ?, ?)',
      id,
      url,
      JSON.stringify(events),
      this.#clock.now().toISOString(),
      batch ? 1 : 0,
    );
  }

  deleteWebhook(id: string): boolean {
    return this.#store.run('DELETE FROM edelivery_webhooks WHERE id = ?', id).changes > 0;
  }

  /** Parsed helpers. */
  static header(row: MessageRow): UserMessage {
    return JSON.parse(row.header_json) as UserMessage;
  }
  static references(row: MessageRow): ReferenceInfo[] {
    return row.nr_references ? (JSON.parse(row.nr_references) as ReferenceInfo[]) : [];
  }
}
