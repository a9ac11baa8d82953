import {
  type CertificateVerdict,
  type Clock,
  type HubClient,
  KakehashiError,
  type Logger,
  type NodeMetadata,
  NodeMetadataSchema,
  x5cToPem,
} from '@kakehashi/core';
import type { OidcProviderDeps } from '@kakehashi/eid';
import { compactVerify, decodeProtectedHeader, importX509 } from 'jose';
// The trust package's codes (cert-malformed) are registered with core's catalogue when its entry is imported.
import '@kakehashi/trust';
import type { ValidateCertificate } from '../trust/certificate-validator.ts';

/** A peer's signed metadata as this node judged it (`GET /peers/{country}`). */
export interface PeerCheck {
  country: string;
  url: string | undefined;
  /** Certificate valid against our trust view, signature valid, and the country the one asked for. */
  trusted: boolean;
  certificate: CertificateVerdict;
  signatureValid: boolean;
  countryMatches: boolean;
  metadata: NodeMetadata | undefined;
}

/**
 * Checks a peer's signed metadata ourselves (the hub only relays it): the signing certificate in `x5c` against
 * our own trust view (key usage digitalSignature, at the virtual clock's now), then the JWS signature with it,
 * then that the metadata and the certificate both name the country asked for.
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-4.1.6
 */
export async function verifyPeerMetadata(
  signed: string,
  cc: string,
  deps: { validateCertificate: ValidateCertificate; clock: Clock },
): Promise<PeerCheck> {
  const header = decodeProtectedHeader(signed);
  const pems = (header.x5c ?? []).map(x5cToPem);
  if (pems.some((p) => p === undefined))
    throw new KakehashiError('cert-malformed', `The metadata of ${cc} carries a malformed x5c entry.`);
  const [leaf, ...chain] = pems as string[];
  if (!leaf) throw new KakehashiError('registration-unsigned', `The metadata of ${cc} carries no certificate.`);
  const verdict = deps.validateCertificate(leaf, chain, { at: deps.clock.now(), usage: ['digitalSignature'] });
  let signatureValid = false;
  let metadata: NodeMetadata | undefined;
  if (verdict.valid && (header.alg === 'RS256' || header.alg === 'PS256')) {
    try {
      const { payload } = await compactVerify(signed, await importX509(leaf, header.alg), {
        algorithms: ['RS256', 'PS256'],
      });
      metadata = NodeMetadataSchema.parse(JSON.parse(new TextDecoder().decode(payload)));
      signatureValid = true;
    } catch {
      signatureValid = false;
    }
  }
  const countryMatches = metadata?.country === cc && verdict.country === cc;
  return {
    country: cc,
    url: metadata?.url,
    trusted: verdict.valid && signatureValid && countryMatches,
    certificate: verdict,
    signatureValid,
    countryMatches,
    metadata,
  };
}

/** The eID connector's lookup of a trusted peer node (what `mountOidcProvider`'s federation deps take). */
export type PeerLookup = NonNullable<OidcProviderDeps['federation']>['lookupPeer'];

/**
 * The eID connector's peer lookup: the peer's signed metadata from the hub, verified by this node; undefined
 * when the hub has no such node or its metadata is not trusted (logged, with the failing check).
 */
export function createPeerLookup(deps: {
  hub: HubClient;
  validateCertificate: ValidateCertificate;
  clock: Clock;
  logger: Logger;
}): PeerLookup {
  return async (cc, fetcher) => {
    const node = await deps.hub.node(cc, fetcher);
    if (!node) return undefined;
    const peer = await verifyPeerMetadata(node.signedMetadata, cc, deps);
    if (!peer.trusted || !peer.metadata) {
      deps.logger.warn('peer metadata not trusted', { country: cc, failure: peer.certificate.failure?.code });
      return undefined;
    }
    return { country: cc, url: peer.metadata.url, signingCertPem: peer.metadata.certificates.signing };
  };
}
