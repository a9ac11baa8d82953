import { KakehashiError } from '@kakehashi/core';
import type { NetworkContext } from './context.ts';

interface IndexRow {
  agency_id: string;
  code: string;
  version: number;
  link_enc: string;
  status: 'active' | 'superseded' | 'revoked';
  grace_until: string | null;
}

const aad = (agencyId: string, code: string) => `code-index/v1/${agencyId}/${code}`;

/**
 * Adds (idempotently) the code of a person at an agency to the index `(agencyId, code) → linkId`, the link id
 * encrypted at rest by the custodian. Returns the agency's current code for the person.
 */
export function indexCode(ctx: NetworkContext, agencyId: string, linkId: Buffer): string {
  const version = ctx.custodian.currentAgencyVersion(agencyId, 'network/index');
  const code = ctx.custodian.agencyCode(agencyId, version, linkId, 'network/index');
  if (!ctx.store.get('SELECT 1 FROM nws_code_index WHERE agency_id = ? AND code = ?', agencyId, code)) {
    ctx.store.run(
      `INSERT INTO nws_code_index (agency_id, code, version, link_enc, status, issued_at) VALUES (?,?,?,?, 'active', ?)`,
      agencyId,
      code,
      version,
      ctx.custodian.sealIndex(linkId, aad(agencyId, code), 'network/index'),
      ctx.clock.now().toISOString(),
    );
  }
  return code;
}

/**
 * Resolves a code presented by `agencyId` to its link id. Refuses (`jp-code-unknown`) a code the index does
 * not hold for that agency — another agency's code, an invented one, a revoked one — and (`jp-code-retired`) a
 * code replaced by a key rotation whose grace window has ended.
 */
export function resolveCode(ctx: NetworkContext, agencyId: string, code: string): { linkId: Buffer; version: number } {
  const row = ctx.store.get<IndexRow>('SELECT * FROM nws_code_index WHERE agency_id = ? AND code = ?', agencyId, code);
  if (!row || row.status === 'revoked')
    throw new KakehashiError(
      'jp-code-unknown',
      `The code is not a current code of ${agencyId} (unknown, revoked or another agency's); agencies may only use their own codes.`,
      { rule: 'My Number Act art. 2(14), 21-2 (per-agency codes)', extra: { reason: row ? 'revoked' : 'unknown' } },
    );
  if (row.status === 'superseded' && row.grace_until && ctx.clock.now().toISOString() > row.grace_until)
    throw new KakehashiError(
      'jp-code-retired',
      `This code of ${agencyId} was replaced by key version ${row.version + 1}; apply the migration list and use the new code.`,
      { extra: { graceEnded: row.grace_until } },
    );
  let source = row;
  if (ctx.faults.isOn('index-wrong-mapping')) {
    // Fault: a corrupted index hands back another person's row (the next one of the same agency).
    source =
      ctx.store.get<IndexRow>(
        'SELECT * FROM nws_code_index WHERE agency_id = ? AND code <> ? AND status = ? ORDER BY code LIMIT 1',
        agencyId,
        code,
        'active',
      ) ?? row;
  }
  return {
    linkId: ctx.custodian.openIndex(source.link_enc, aad(source.agency_id, source.code), 'network/index'),
    version: row.version,
  };
}

/** The link id behind an agency's code if the index holds it (no refusal): for reconciliation. */
export function lookupLinkId(ctx: NetworkContext, agencyId: string, code: string): Buffer | undefined {
  const row = ctx.store.get<IndexRow>(
    "SELECT * FROM nws_code_index WHERE agency_id = ? AND code = ? AND status <> 'revoked'",
    agencyId,
    code,
  );
  return row ? ctx.custodian.openIndex(row.link_enc, aad(agencyId, code), 'network/index') : undefined;
}

/** Active rows of one agency (rotation). */
export function activeRows(ctx: NetworkContext, agencyId: string): { code: string; linkId: Buffer }[] {
  return ctx.store
    .all<IndexRow>("SELECT * FROM nws_code_index WHERE agency_id = ? AND status = 'active' ORDER BY code", agencyId)
    .map((r) => ({
      code: r.code,
      linkId: ctx.custodian.openIndex(r.link_enc, aad(agencyId, r.code), 'network/rotation'),
    }));
}

/** Revokes one code of an agency (the person left, or the code leaked): it is refused from now on. */
export function revokeCode(ctx: NetworkContext, agencyId: string, code: string): boolean {
  return (
    ctx.store.run("UPDATE nws_code_index SET status = 'revoked' WHERE agency_id = ? AND code = ?", agencyId, code)
      .changes > 0
  );
}
