import { randomUUID } from 'node:crypto';
import { KakehashiError } from '@kakehashi/core';
import { seal } from '../crypto/seal.ts';
import { activeRows } from './code-index.ts';
import type { NetworkContext } from './context.ts';

/** Default grace window during which a rotated agency's old codes still resolve. */
export const DEFAULT_GRACE_MS = 7 * 86_400_000;

/**
 * Rotates one agency's key: a new key version, every active code of that agency re-issued, the old codes
 * marked superseded (accepted until the grace window ends), and a migration list `[{from, to}]` sealed to that
 * agency's end-to-end key — so only that agency can read it. Other agencies' codes are unchanged.
 */
export function rotateAgencyKey(
  ctx: NetworkContext,
  agencyId: string,
  graceMs = DEFAULT_GRACE_MS,
): { agencyId: string; version: number; reissued: number; migrationId: string; graceUntil: string } {
  const key = ctx.store.get<{ public_key: string }>(
    'SELECT public_key FROM nws_e2e_keys WHERE agency_id = ?',
    agencyId,
  );
  if (!key)
    throw new KakehashiError(
      'conflict',
      `${agencyId} has registered no end-to-end key: its migration list could not be delivered.`,
    );
  return ctx.store.transaction(() => {
    const rows = activeRows(ctx, agencyId);
    const version = ctx.custodian.rotateAgency(agencyId, 'network/rotation');
    const codes = ctx.custodian.agencyCodes(
      agencyId,
      version,
      rows.map((r) => r.linkId),
      'network/rotation',
    );
    const now = ctx.clock.now().toISOString();
    const graceUntil = new Date(ctx.clock.nowMs() + graceMs).toISOString();
    const list = rows.map((r, i) => ({ from: r.code, to: codes[i] as string }));
    rows.forEach((r, i) => {
      ctx.store.run(
        `INSERT OR IGNORE INTO nws_code_index (agency_id, code, version, link_enc, status, issued_at)
         VALUES (?,?,?,?, 'active', ?)`,
        agencyId,
        codes[i] as string,
        version,
        ctx.custodian.sealIndex(r.linkId, `code-index/v1/${agencyId}/${codes[i]}`, 'network/rotation'),
        now,
      );
      ctx.store.run(
        "UPDATE nws_code_index SET status = 'superseded', grace_until = ? WHERE agency_id = ? AND code = ?",
        graceUntil,
        agencyId,
        r.code,
      );
    });
    const migrationId = randomUUID();
    ctx.store.run(
      'INSERT INTO nws_migrations (id, agency_id, version, sealed, created_at) VALUES (?,?,?,?,?)',
      migrationId,
      agencyId,
      version,
      seal(JSON.stringify({ agencyId, version, graceUntil, codes: list }), key.public_key, `migration/${migrationId}`),
      now,
    );
    return { agencyId, version, reissued: rows.length, migrationId, graceUntil };
  });
}

/**
 * Rotates the master key (after a network key leak): a new master version, then every agency with codes is
 * rotated under it, so codes computed with the leaked keys stop resolving after the grace window.
 */
export function rotateMasterKey(ctx: NetworkContext, graceMs = DEFAULT_GRACE_MS) {
  const masterVersion = ctx.custodian.rotate('master', 'network/rotation');
  const agencies = ctx.store
    .all<{ agency_id: string }>(
      "SELECT DISTINCT agency_id FROM nws_code_index WHERE status = 'active' ORDER BY agency_id",
    )
    .map((r) => r.agency_id);
  return { masterVersion, agencies: agencies.map((a) => rotateAgencyKey(ctx, a, graceMs)) };
}

/** Hands an agency its pending migration lists (sealed to it) and deletes them: delivered to that agency only. */
export function collectMigrations(ctx: NetworkContext, agencyId: string): { id: string; sealed: string }[] {
  return ctx.store.transaction(() => {
    const rows = ctx.store.all<{ id: string; sealed: string }>(
      'SELECT id, sealed FROM nws_migrations WHERE agency_id = ? ORDER BY created_at, id',
      agencyId,
    );
    ctx.store.run('DELETE FROM nws_migrations WHERE agency_id = ?', agencyId);
    return rows;
  });
}
