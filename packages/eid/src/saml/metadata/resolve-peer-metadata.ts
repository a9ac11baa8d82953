import { type CertificateVerdict, type Clock, KakehashiError, type NodeMetadata } from '@kakehashi/core';
import { type ParsedMetadata, parseMetadata, verifyMetadataSignature } from './parse-metadata.ts';

/** How long fetched peer metadata is reused, on the virtual clock. */
export const METADATA_CACHE_SECONDS = 300;
/** How long fetching a peer's SAML metadata may take (real time). */
export const METADATA_FETCH_TIMEOUT_MS = 10_000;

/** The nodes registered at the hub (the hub reads its registry; a node asks the hub). */
export type RegisteredNodes = (fetcher: typeof fetch) => Promise<readonly NodeMetadata[]>;

export type ValidateCertificate = (
  certPem: string,
  chainPem: string[],
  opts: { at: Date; usage?: string[] },
) => CertificateVerdict;

/** A peer's metadata whose certificates validated against the trust fabric. */
export interface TrustedPeerMetadata {
  country: string;
  metadataUrl: string;
  metadata: ParsedMetadata;
  /** Signing certificates that validate for the peer's country (digitalSignature). */
  signingCerts: string[];
  /** The first encryption certificate that validates for the peer's country (keyEncipherment). */
  encryptionCert?: string;
  /** Why a certificate was refused, when one was. */
  refused: string[];
}

export interface PeerMetadataResolver {
  /** The registered node whose SAML IdP entityID (its IdP metadata URL) is `entityId`; undefined when none. */
  idp(entityId: string, fetcher: typeof fetch): Promise<TrustedPeerMetadata | undefined>;
  /** The registered node whose SAML SP entityID (its SP metadata URL) is `entityId`; undefined when none. */
  sp(entityId: string, fetcher: typeof fetch): Promise<TrustedPeerMetadata | undefined>;
}

/** The IdP and SP metadata URLs (= entity IDs) of a registered node. */
export function samlEndpointsOf(node: NodeMetadata): { idp: string; sp: string } {
  const base = node.url.replace(/\/+$/, '');
  return {
    idp: node.endpoints.samlIdpMetadata ?? `${base}/saml/idp/metadata`,
    sp: node.endpoints.samlSpMetadata ?? `${base}/saml/sp/metadata`,
  };
}

/**
 * Resolves the SAML metadata of registered nodes: the entity ID must be a registered node's metadata URL
 * (found through the hub registry), the document is fetched (cached {@link METADATA_CACHE_SECONDS} s on the
 * virtual clock), parsed with the safe parser, its certificates validated against the component's own trust
 * view for that node's country, and its signature verified with a validated signing certificate. Keys are
 * never taken from a message's KeyInfo: only from here.
 * @see eIDAS SAML Message Format v1.2 §2.3 (trust in metadata comes from a trusted source; here the trust fabric)
 */
export function createPeerMetadataResolver(deps: {
  clock: Clock;
  registeredNodes: RegisteredNodes;
  validateCertificate: ValidateCertificate;
}): PeerMetadataResolver {
  const cache = new Map<string, { at: number; value: TrustedPeerMetadata }>();
  const resolve = async (role: 'idp' | 'sp', entityId: string, fetcher: typeof fetch) => {
    const nodes = await deps.registeredNodes(fetcher);
    const node = nodes.find((n) => samlEndpointsOf(n)[role] === entityId);
    if (!node) return undefined;
    const now = deps.clock.nowMs();
    const key = `${role} ${entityId}`;
    const hit = cache.get(key);
    if (hit && hit.at <= now && now - hit.at < METADATA_CACHE_SECONDS * 1000 && hit.value.country === node.country)
      return hit.value;
    let res: Response;
    try {
      res = await fetcher(entityId, {
        headers: { accept: 'application/samlmetadata+xml, application/xml' },
        signal: AbortSignal.timeout(METADATA_FETCH_TIMEOUT_MS),
      });
    } catch (cause) {
      const timedOut = cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError');
      throw new KakehashiError(
        'saml-issuer-metadata-unavailable',
        `GET ${entityId} ${timedOut ? `did not answer within ${METADATA_FETCH_TIMEOUT_MS} ms` : 'failed (unreachable)'}.`,
        { cause },
      );
    }
    if (!res.ok)
      throw new KakehashiError('saml-issuer-metadata-unavailable', `GET ${entityId} answered ${res.status}.`);
    let metadata: ParsedMetadata;
    try {
      metadata = parseMetadata(await res.text(), role);
    } catch (cause) {
      throw new KakehashiError(
        'saml-issuer-metadata-unavailable',
        `The metadata at ${entityId} is not usable: ${cause instanceof Error ? cause.message.slice(0, 160) : 'error'}`,
        { cause },
      );
    }
    if (metadata.entityId !== entityId)
      throw new KakehashiError(
        'saml-issuer-metadata-unavailable',
        `The metadata at ${entityId} names another entityID (${metadata.entityId.slice(0, 100)}).`,
      );
    const at = deps.clock.now();
    const refused: string[] = [];
    const valid = (pem: string, usage: string) => {
      const v = deps.validateCertificate(pem, [], { at, usage: [usage] });
      if (v.valid && v.country === node.country) return true;
      refused.push(
        v.valid
          ? `a ${usage} certificate is certified for ${v.country ?? '?'}, not ${node.country}`
          : `a ${usage} certificate does not validate: ${v.failure?.code ?? 'invalid'}: ${v.failure?.reason ?? ''}`,
      );
      return false;
    };
    const signingCerts = metadata.signingCerts.filter((c) => valid(c, 'digitalSignature'));
    const encryptionCert = metadata.encryptionCerts.find((c) => valid(c, 'keyEncipherment'));
    if (signingCerts.length === 0)
      throw new KakehashiError(
        'saml-issuer-metadata-unavailable',
        `No signing certificate in ${entityId} validates against the trust fabric for ${node.country}: ${refused.join('; ').slice(0, 300)}`,
      );
    if (!signingCerts.some((c) => verifyMetadataSignature(metadata, c)))
      throw new KakehashiError(
        'saml-issuer-metadata-unavailable',
        `The signature of ${entityId} does not verify with its trusted signing certificate.`,
      );
    if (metadata.validUntil !== undefined && metadata.validUntil < now)
      throw new KakehashiError(
        'saml-issuer-metadata-unavailable',
        `The metadata at ${entityId} is past its validUntil.`,
      );
    const value: TrustedPeerMetadata = {
      country: node.country,
      metadataUrl: entityId,
      metadata,
      signingCerts,
      ...(encryptionCert ? { encryptionCert } : {}),
      refused,
    };
    cache.set(key, { at: now, value });
    return value;
  };
  return { idp: (id, f) => resolve('idp', id, f), sp: (id, f) => resolve('sp', id, f) };
}
