import { KakehashiError, type SqlValue, type Store, WriteBehindQueue } from '@kakehashi/core';

/** One statement on the grant tables and its parameters, written behind in the order it was queued. */
type GrantWrite = readonly [sql: string, params: readonly SqlValue[]];

/**
 * The writes of the provider's grant tables (`oidc_sessions`, `oidc_tokens`, `oidc_refresh_tokens`, and the purge
 * of expired grants with the `oidc_codes` rows it deletes), written behind the request through core's
 * `WriteBehindQueue`: the inserts of a login (its session at the authorization endpoint, its tokens at the token
 * endpoint) and the throttled purge are queued and committed with the other logins' of the same few milliseconds —
 * one commit for many logins instead of one per endpoint (two commits and ~14 WAL pages a login before). Statements
 * reach the store in the order they were queued.
 *
 * What changes, precisely: the response can leave before its session or token rows are committed. A clean stop
 * (SIGTERM, `close`) writes them first, as the store writes every queue; a crash (kill -9) within the store's
 * gathering time (10 ms in a federation) of an issuance loses that session or token — the session cookie is then
 * unknown (log in again) and the access token refused at userinfo, as an expired one. Every read of the grant tables
 * goes through {@link GrantWrites.settle} first, so within a process nothing is ever seen missing; when the disk
 * refuses the batch, that read fails with `store-write-failed` (507) instead of answering without the rows.
 */
export class GrantWrites {
  readonly #queue: WriteBehindQueue<GrantWrite>;

  constructor(store: Store) {
    this.#queue = new WriteBehindQueue<GrantWrite>(store, {
      name: 'oidc_grants',
      write: (batch) => {
        for (const [sql, params] of batch) store.run(sql, ...params);
      },
      // Never dropped: a lost write is a session or token that silently stops working (or a revocation undone).
      whenFull: 'refuse',
    });
  }

  /** Queues `sql` with `params`. Throws `store-write-failed` when the store refuses writes and the queue is full. */
  write(sql: string, ...params: SqlValue[]): void {
    this.#queue.push([sql, params]);
  }

  /**
   * Writes what is queued now: call it before any statement that reads the grant tables or needs the count of the
   * rows it changes. Throws `store-write-failed` when the store refuses the writes (the read would not see them).
   */
  settle(): void {
    if (this.#queue.size === 0) return;
    this.#queue.flush();
    if (this.#queue.size > 0)
      throw new KakehashiError(
        'store-write-failed',
        `The store could not save ${this.#queue.size} login session or token change(s) queued behind earlier requests (the disk refuses writes): they are kept and retried; free space on the disk, then retry.`,
      );
  }
}

const WRITES = new WeakMap<Store, GrantWrites>();

/** The grant writes of `store` (one queue per store, created on first use). */
export function grantWrites(store: Store): GrantWrites {
  let w = WRITES.get(store);
  if (!w) {
    w = new GrantWrites(store);
    WRITES.set(store, w);
  }
  return w;
}
