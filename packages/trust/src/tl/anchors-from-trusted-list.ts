import type { TrustAnchor } from '../path/z-path.ts';
import { SERVICE_STATUS, SERVICE_TYPE } from './constants.ts';
import type { TrustedService, VerifiedTrustedList } from './z-trusted-list.ts';

/**
 * Trust anchors of a verified trusted list: every CA/QC (or CA/PKC) service certificate, with the periods its
 * status was granted, so that a withdrawn CA stops anchoring paths from its withdrawal on.
 */
export function anchorsFromTrustedList(
  list: Pick<VerifiedTrustedList, 'territory' | 'services'>,
  options: { serviceTypes?: string[] } = {},
): TrustAnchor[] {
  const types = new Set(options.serviceTypes ?? [SERVICE_TYPE.caQc, SERVICE_TYPE.caPkc]);
  const anchors: TrustAnchor[] = [];
  for (const service of list.services) {
    if (!types.has(service.type)) continue;
    for (const pem of service.certificatesPem) {
      anchors.push({
        certificate: pem,
        source: `TL ${list.territory}: ${service.serviceName}`,
        grantedPeriods: grantedPeriods(service),
      });
    }
  }
  return anchors;
}

/**
 * The periods during which a trusted-list service was `granted`, from its current status and history
 * (ETSI TS 119 612 §5.5.4, §5.6): each status holds from its StatusStartingTime until the next one.
 */
export function grantedPeriods(
  service: Pick<TrustedService, 'status' | 'statusStartingTime' | 'history'>,
): { from: Date; to?: Date }[] {
  const events = [
    { status: service.status, at: service.statusStartingTime },
    ...service.history.map((h) => ({ status: h.status, at: h.statusStartingTime })),
  ].sort((a, b) => a.at.getTime() - b.at.getTime());
  const periods: { from: Date; to?: Date }[] = [];
  events.forEach((e, i) => {
    if (e.status !== SERVICE_STATUS.granted) return;
    const next = events[i + 1];
    periods.push(next ? { from: e.at, to: next.at } : { from: e.at });
  });
  return periods;
}
