import type { Clock, Store } from '@kakehashi/core';
import { KakehashiError } from '@kakehashi/core';
import { isLoopbackRedirect } from '../../clients/match-redirect-uri.ts';
import { BINDING, DEMO_SP_ENTITY_ID } from '../constants.ts';
import { demoSp } from '../demo-sp/demo-sp.ts';
import { type ParsedMetadata, parseMetadata } from '../metadata/parse-metadata.ts';
import type { PeerMetadataResolver } from '../metadata/resolve-peer-metadata.ts';

/** A service provider the IdP answers. */
export interface KnownSp {
  kind: 'connector' | 'demo' | 'registered';
  entityId: string;
  /** The destination country (second part of the PersonIdentifier). */
  country: string;
  signingCerts: string[];
  encryptionCert: string;
  /** HTTP-POST assertion consumer services from the metadata. */
  acs: { location: string; index?: number; isDefault?: boolean }[];
  /**
   * Where the LogoutResponse goes (its HTTP-Redirect SingleLogoutService, ResponseLocation first). The demo SP has
   * none: its answer goes to the loopback ACS URL the session was established with.
   */
  slo?: string;
  /** The demo SP accepts any loopback ACS URL (RFC 8252-style, test only). */
  anyLoopbackAcs: boolean;
  /** eIDAS: requests must be signed (all but the demo SP). */
  requireSignedRequests: boolean;
  spType?: 'public' | 'private';
}

export interface SpDirectory {
  resolve(entityId: string, fetcher: typeof fetch): Promise<KnownSp | undefined>;
  register(metadataXml: string, country: string): { entityId: string; created: boolean };
  list(): { entityId: string; country: string; registeredAt: string }[];
  /** Picks the ACS for a request: the URL must be in the metadata (or loopback for the demo SP). */
  chooseAcs(sp: KnownSp, requested: { url?: string; index?: number }): string | undefined;
}

function fromMetadata(m: ParsedMetadata): Pick<KnownSp, 'acs' | 'spType' | 'slo'> {
  const slo = m.slo.find((e) => e.binding === BINDING.redirect);
  return {
    ...(slo ? { slo: slo.responseLocation ?? slo.location } : {}),
    acs: m.acs
      .filter((a) => a.binding === BINDING.post)
      .map((a) => ({
        location: a.location,
        ...(a.index !== undefined ? { index: a.index } : {}),
        ...(a.isDefault ? { isDefault: true } : {}),
      })),
    ...(m.spType ? { spType: m.spType } : {}),
  };
}

/**
 * The SPs a node's IdP knows: (a) the connector of every registered node, its SP metadata fetched and its
 * certificates validated against the trust fabric; (b) the test-only demo SP `kakehashi-demo-sp`; (c) SPs
 * registered with `POST /admin/saml/sps` (their metadata in the node store — an out-of-band trust decision by
 * the admin).
 */
export function createSpDirectory(deps: {
  store: Store;
  clock: Clock;
  seed: string;
  ownCountry: string;
  peers: PeerMetadataResolver;
}): SpDirectory {
  return {
    async resolve(entityId, fetcher) {
      if (entityId === DEMO_SP_ENTITY_ID) {
        const sp = demoSp(deps.seed);
        return {
          kind: 'demo',
          entityId,
          country: deps.ownCountry,
          signingCerts: [sp.certPem],
          encryptionCert: sp.certPem,
          acs: [],
          anyLoopbackAcs: true,
          requireSignedRequests: false,
          spType: 'public',
        };
      }
      const row = deps.store.get<{ metadata: string; country: string }>(
        'SELECT metadata, country FROM saml_sps WHERE entity_id = ?',
        entityId,
      );
      if (row) {
        const m = parseMetadata(row.metadata, 'sp');
        const enc = m.encryptionCerts[0];
        if (!enc) return undefined;
        return {
          kind: 'registered',
          entityId,
          country: row.country,
          signingCerts: m.signingCerts,
          encryptionCert: enc,
          ...fromMetadata(m),
          anyLoopbackAcs: false,
          requireSignedRequests: true,
        };
      }
      const peer = await deps.peers.sp(entityId, fetcher);
      if (!peer) return undefined;
      if (!peer.encryptionCert)
        throw new KakehashiError(
          'saml-unknown-sp',
          `The SP metadata of node ${peer.country} has no encryption certificate that validates against the trust fabric.`,
        );
      return {
        kind: 'connector',
        entityId,
        country: peer.country,
        signingCerts: peer.signingCerts,
        encryptionCert: peer.encryptionCert,
        ...fromMetadata(peer.metadata),
        anyLoopbackAcs: false,
        requireSignedRequests: true,
      };
    },
    register(metadataXml, country) {
      const m = parseMetadata(metadataXml, 'sp');
      if (m.encryptionCerts.length === 0 || m.signingCerts.length === 0)
        throw new KakehashiError(
          'saml-metadata-invalid',
          'The SP metadata needs a signing and an encryption certificate (KeyDescriptor use="signing"/"encryption", or one without use).',
        );
      if (m.entityId === DEMO_SP_ENTITY_ID)
        throw new KakehashiError('conflict', `${DEMO_SP_ENTITY_ID} is built in and cannot be replaced.`);
      const existed = deps.store.get('SELECT 1 AS x FROM saml_sps WHERE entity_id = ?', m.entityId) !== undefined;
      deps.store.run(
        'INSERT OR REPLACE INTO saml_sps (entity_id, metadata, country, registered_at) VALUES (?, ?, ?, ?)',
        m.entityId,
        metadataXml,
        country,
        deps.clock.now().toISOString(),
      );
      return { entityId: m.entityId, created: !existed };
    },
    list() {
      return deps.store
        .all<{ entity_id: string; country: string; registered_at: string }>(
          'SELECT entity_id, country, registered_at FROM saml_sps ORDER BY entity_id',
        )
        .map((r) => ({ entityId: r.entity_id, country: r.country, registeredAt: r.registered_at }));
    },
    chooseAcs(sp, requested) {
      if (requested.url !== undefined) {
        if (sp.acs.some((a) => a.location === requested.url)) return requested.url;
        if (sp.anyLoopbackAcs && isLoopbackRedirect(requested.url)) return requested.url;
        return undefined;
      }
      if (requested.index !== undefined) return sp.acs.find((a) => a.index === requested.index)?.location;
      return (sp.acs.find((a) => a.isDefault) ?? sp.acs[0])?.location;
    },
  };
}
