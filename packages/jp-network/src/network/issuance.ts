import { createHash, randomBytes } from 'node:crypto';
import { KakehashiError } from '@kakehashi/core';
import { indexCode } from './code-index.ts';
import type { NetworkContext } from './context.ts';

/** How long an acquisition number may wait for J-LIS (virtual clock). */
export const ACQUISITION_TTL_MS = 10 * 60_000;

const hash = (n: string) => createHash('sha256').update(`acquisition/v1/${n}`).digest('base64url');

/**
 * Step 1 of the acquisition-number flow (My Number Act art. 21-2): a one-time number for `agencyId`, neither a
 * My Number nor a resident record code. Only its hash is kept, until it is used or expires.
 */
export function createAcquisitionNumber(
  ctx: NetworkContext,
  agencyId: string,
): { acquisitionNumber: string; expiresAt: string } {
  const acquisitionNumber = `AQ-${randomBytes(18).toString('base64url')}`;
  const expires = ctx.clock.nowMs() + ACQUISITION_TTL_MS;
  ctx.store.run(
    'INSERT INTO nws_acquisition_numbers (number_hash, agency_id, expires_at) VALUES (?,?,?)',
    hash(acquisitionNumber),
    agencyId,
    expires,
  );
  return { acquisitionNumber, expiresAt: new Date(expires).toISOString() };
}

/**
 * Step 3: J-LIS forwards the acquisition number with the resident record code it resolved. The number must be
 * known, unexpired, unused and issued to `agencyId`; it is deleted at once (single use, also when refused),
 * expired numbers are purged, the resident record code is turned into the link id and dropped. Returns the agency's code.
 */
export function issueCode(
  ctx: NetworkContext,
  agencyId: string,
  acquisitionNumber: string,
  residentRecordCode: string,
): string {
  const now = ctx.clock.nowMs();
  const h = hash(acquisitionNumber);
  // Purge the expired numbers and burn this one before anything else: whatever happens next, it is gone.
  const row = ctx.store.transaction(() => {
    ctx.store.run('DELETE FROM nws_acquisition_numbers WHERE expires_at < ?', now);
    const r = ctx.store.get<{ agency_id: string }>(
      'SELECT agency_id FROM nws_acquisition_numbers WHERE number_hash = ?',
      h,
    );
    ctx.store.run('DELETE FROM nws_acquisition_numbers WHERE number_hash = ?', h);
    return r;
  });
  if (!row || row.agency_id !== agencyId)
    throw new KakehashiError(
      'jp-acquisition-number-invalid',
      'The acquisition number is unknown, expired, already used or was issued to another agency; request a new one.',
      { rule: 'My Number Act art. 21-2 (acquisition number, single use)' },
    );
  const linkId = ctx.custodian.linkId(residentRecordCode, 'network/issuance');
  return indexCode(ctx, agencyId, linkId);
}
