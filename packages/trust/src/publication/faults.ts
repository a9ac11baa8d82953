import { createHash, type X509Certificate } from 'node:crypto';
import { defineFaults } from '@kakehashi/core';
import type { RevokedCertificate } from '../crl/create-crl.ts';
import { listCertificateAuthorities, listKeyCerts, ocspSignerFor } from '../pki/generate-material.ts';
import type { KeyCert, TrustMaterial } from '../pki/types.ts';

/**
 * The trust fabric's faults: what a publisher of trusted lists, CRLs and OCSP answers can get wrong on purpose.
 * The hub offers them (it publishes the lists and CRLs and runs the OCSP responders); each is switched on with
 * `PUT /admin/faults` on the hub, never by one request (a relying party fetches lists and CRLs on its own schedule).
 * A strict relying party — a node's own verified copy of the trust fabric, the signature validator — distrusts
 * each and says why.
 * @see ../../../../../shared/design/attack-catalogue.md (C3, C4, C11)
 */
export const TRUST_FAULTS = defineFaults('trust', [
  {
    name: 'trust.tl-expired',
    kind: 'forge',
    rule: 'C11 tl-expired',
    description:
      'The hub publishes the LOTL and every trusted list, correctly signed, with a NextUpdate already passed (ETSI TS 119 612 §5.3.15): a node refuses them and keeps its previous view.',
  },
  {
    name: 'trust.tl-rollback',
    kind: 'forge',
    rule: 'C11 tl-rollback',
    description:
      'The hub publishes the LOTL and every trusted list, correctly signed, with a sequence number one below the last it published (a replayed older list, §5.3.2): a node that saw the newer one refuses them and keeps its view.',
  },
  {
    name: 'trust.ca-withdrawn',
    kind: 'forge',
    rule: 'C11 NO_CERTIFICATE_CHAIN_FOUND',
    description:
      "The trusted lists publish every country's node CA services (root and issuing CA) as withdrawn since the list was issued (status history: granted before): after a refresh, signatures not proven (time-stamped) earlier are NO_CERTIFICATE_CHAIN_FOUND.",
  },
  {
    name: 'trust.crl-stale',
    kind: 'forge',
    rule: 'C3 crl-stale',
    description:
      'The hub serves every CRL with a nextUpdate already passed (RFC 5280 §5.1.2.5): a node refuses the refresh and keeps its CRLs; openssl says "CRL has expired".',
  },
  {
    name: 'ocsp.unknown',
    kind: 'forge',
    rule: 'C4 unknown',
    description:
      "The hub's OCSP responders answer certStatus unknown for every certificate (RFC 6960 §2.2): a validator does not take it as good and falls back to the CRL.",
  },
  {
    name: 'ocsp.try-later',
    kind: 'forge',
    rule: 'C4 tryLater',
    description:
      "The hub's OCSP responders answer the error status tryLater (RFC 6960 §2.3) with no response bytes: a validator falls back to the CRL.",
  },
  {
    name: 'ocsp.forged',
    kind: 'forge',
    rule: 'C4 TRY_LATER',
    description:
      "The hub's OCSP responses say good but are signed by a key the CA never authorised (a certificate without id-kp-OCSPSigning, RFC 6960 §4.2.2.2): the validator rejects them, INDETERMINATE/TRY_LATER.",
  },
]);

/**
 * The weak-node twins at a relying party's trust view (nodes): while one is on, the node accepts on refresh the list
 * or CRL a strict node refuses — its trust view then rests on stale or replayed data. Never per request.
 */
export const TRUST_LENIENT_FAULTS = defineFaults('trust', [
  {
    name: 'lenient.trust.tl-expired',
    kind: 'lenient',
    rule: 'C11 tl-expired',
    description: 'The node loads a LOTL or trusted list past its NextUpdate instead of keeping its previous view.',
  },
  {
    name: 'lenient.trust.tl-rollback',
    kind: 'lenient',
    rule: 'C11 tl-rollback',
    description: 'The node loads a LOTL or trusted list with a lower sequence number than one it already saw.',
  },
  {
    name: 'lenient.trust.crl-stale',
    kind: 'lenient',
    rule: 'C3 crl-stale',
    description: 'The node loads CRLs past their nextUpdate instead of keeping its previous ones.',
  },
]);

/** The names of the trust view's lenient faults, as a type. */
export type TrustLenientFault = (typeof TRUST_LENIENT_FAULTS)[number]['name'];

/** The names of the trust faults, as a type. */
export type TrustFaultName = (typeof TRUST_FAULTS)[number]['name'];

/**
 * The serial number of the federation's standing revoked certificate of a CA: derived from the CA certificate's
 * own serial, so the hub (which lists it on the CA's CRL and answers `revoked` by OCSP) and a node (which issues a
 * certificate with it for the `esig.revoked-certificate` fault) agree without talking. 16 bytes, positive.
 */
export function standingRevokedSerial(caSerialHex: string): string {
  const b = createHash('sha256').update(`kakehashi/fault/revoked-certificate/${caSerialHex.toLowerCase()}`).digest();
  b[0] = ((b[0] as number) & 0x3f) | 0x40;
  return b.subarray(0, 16).toString('hex');
}

/** When the standing revoked certificate of a CA was revoked: the CA's own notBefore (the validity epoch). */
export function standingRevocationTime(ca: X509Certificate): Date {
  return new Date(ca.validFrom);
}

/**
 * The standing revocations of the federation: every CA lists one certificate as revoked (keyCompromise) since its
 * own notBefore — the certificate the `esig.revoked-certificate` fault signs with. Real CAs' CRLs are rarely empty;
 * this one entry lets a test provoke REVOKED without an admin revocation.
 */
export function standingRevocations(
  material: Pick<TrustMaterial, 'hub' | 'countries'>,
): (RevokedCertificate & { issuerName: string })[] {
  return listCertificateAuthorities(material).map((ca) => ({
    serialHex: standingRevokedSerial(ca.serialHex),
    revokedAt: standingRevocationTime(ca.certificate),
    reason: 'keyCompromise' as const,
    issuerName: ca.name,
  }));
}

/**
 * A key the CA named `caName` never authorised to sign its OCSP responses (the `ocsp.forged` fault): an end-entity
 * certificate it issued without id-kp-OCSPSigning (the first in the material, e.g. `<CC>-tl-signer`), or else the hub's TLS certificate.
 * @see https://www.rfc-editor.org/rfc/rfc6960#section-4.2.2.2
 */
export function unauthorisedOcspSignerFor(material: Pick<TrustMaterial, 'hub' | 'countries'>, caName: string): KeyCert {
  const delegated = ocspSignerFor(material, caName);
  return (
    listKeyCerts(material).find((k) => k.issuerName === caName && k !== delegated && !k.certificate.ca) ??
    material.hub.tls
  );
}
