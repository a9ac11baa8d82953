import type { Clock, NodeMetadata } from '@kakehashi/core';
import type { CountryProfile } from '../profiles/z-profile.ts';

/** The certificates a node announces (PEM). */
export interface AnnouncedCertificates {
  signing: string;
  tls: string;
  encryption: string;
}

/**
 * The node's metadata as it registers it at the hub: its endpoints under its origin, capabilities, services
 * (relying parties), eDelivery participants and certificates, dated by the virtual clock (`iat`).
 */
export function buildNodeMetadata(opts: {
  profile: CountryProfile;
  name: string;
  url: string;
  certificates: AnnouncedCertificates;
  clock: Clock;
}): NodeMetadata {
  const { profile, url } = opts;
  return {
    country: profile.code,
    name: opts.name,
    url,
    iat: Math.floor(opts.clock.nowMs() / 1000),
    endpoints: {
      health: `${url}/health`,
      openapi: `${url}/openapi.json`,
      docs: `${url}/docs`,
      personas: `${url}/personas`,
      oidcIssuer: url,
      samlIdpMetadata: `${url}/saml/idp/metadata`,
      samlSpMetadata: `${url}/saml/sp/metadata`,
      as4: `${url}/as4`,
    },
    capabilities: ['eid', 'esig', 'edelivery'],
    services: profile.services.map((s) => ({
      id: s.id,
      name: s.name,
      block: 'eid' as const,
      endpoint: `${url}/services/${s.id}`,
      description: s.description,
    })),
    participants: profile.participants.map((p) => ({ id: p.id, name: p.name, services: p.services })),
    certificates: { ...opts.certificates },
  };
}
