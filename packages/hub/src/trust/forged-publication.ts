import type { Clock } from '@kakehashi/core';
import {
  type BuildTrustedListOptions,
  buildLotl,
  buildTrustedList,
  type EntityListKind,
  type TrustMaterial,
} from '@kakehashi/trust';
import type { ListFaults } from './hub-trust.ts';

const DAY_MS = 86_400_000;

/**
 * The security lab's forged publication of the trusted lists (faults `trust.tl-expired`, `trust.tl-rollback`,
 * `trust.ca-withdrawn`): the LOTL and every national list, signed with the real keys — what an attacker replaying
 * an old list, or an operator publishing late, would serve. Cached per fault combination and genuine sequence
 * number, so a node's refresh (the LOTL, then each list) sees one consistent set, and the withdrawal time of
 * `trust.ca-withdrawn` stays the moment it was first published.
 * @see https://www.etsi.org/deliver/etsi_ts/119600_119699/119612/02.03.01_60/ts_119612v020301p.pdf §5.3.2, §5.3.15, §5.5.4
 */
export function forgedPublication(material: TrustMaterial, clock: Pick<Clock, 'nowMs'>) {
  const cache = new Map<string, { lotl: string; tls: Record<string, string> }>();
  const countries = Object.keys(material.countries).sort();
  return {
    /** Forgets the forged lists (the genuine publication is served again: the next forgery is fresh). */
    clear: () => cache.clear(),
    lists(
      faults: ListFaults,
      genuineSequence: number,
      o: { hubUrl: string; validityDays: number; entityLists?: readonly EntityListKind[] },
    ): { lotl: string; tls: Record<string, string> } {
      const key = `${genuineSequence}/${faults.expired}/${faults.rollback}/${faults.withdrawn}`;
      const hit = cache.get(key);
      if (hit) return hit;
      const now = clock.nowMs();
      // A rolled-back list replays the sequence number before the last one published (1 cannot go lower).
      const sequenceNumber = faults.rollback ? Math.max(1, genuineSequence - 1) : genuineSequence;
      const issueDate = new Date(faults.expired ? now - (o.validityDays + 1) * DAY_MS : now);
      const nextUpdate = new Date(faults.expired ? now - DAY_MS : now + o.validityDays * DAY_MS);
      const issue = { hubUrl: o.hubUrl, sequenceNumber, issueDate, nextUpdate };
      const tls: Record<string, string> = {};
      for (const cc of countries) {
        const c = material.countries[cc];
        if (!c) continue;
        let services: BuildTrustedListOptions['services'];
        if (faults.withdrawn) {
          const withdrawn = {
            status: 'withdrawn' as const,
            statusStartingTime: new Date(now),
            history: [{ status: 'granted' as const, statusStartingTime: new Date(material.validityEpoch) }],
          };
          services = { [c.rootCa.name]: withdrawn, [c.issuingCa.name]: withdrawn };
        }
        tls[cc] = buildTrustedList(material, cc, { ...issue, ...(services ? { services } : {}) });
      }
      // the LOTL still points at the lists of trusted entities (served genuine): only the national lists are forged
      const out = { lotl: buildLotl(material, { ...issue, entityLists: o.entityLists ?? [] }), tls };
      if (cache.size > 16) cache.clear();
      cache.set(key, out);
      return out;
    },
  };
}
