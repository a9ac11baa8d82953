import { KakehashiError } from '@kakehashi/core';
import { findKeyCert, listCertificateAuthorities, listKeyCerts } from '../pki/generate-material.ts';
import type { KeyCert, TrustMaterial } from '../pki/types.ts';
import { standingRevocations } from '../publication/faults.ts';
import { type CrlReason, createCrl, normaliseSerial, type RevokedCertificate } from './create-crl.ts';

/** One revocation decided by the hub: which CA's CRL lists which serial, since when and why. */
export interface RevocationRecord extends RevokedCertificate {
  /** Name of the issuing CA KeyCert (its CRL is `<issuerName>.crl`). */
  issuerName: string;
  /** Name of the revoked KeyCert, when it belongs to the material. */
  certName?: string;
}

export interface RevokeRequest {
  /** Revoke by serial (searched in the material; give `issuerName` for certificates outside it, e.g. JPKI citizens). */
  serialHex?: string;
  /** Revoke a KeyCert of the material by name, e.g. `DE-agency-bva`. */
  certName?: string;
  /** Name of the issuing CA when `serialHex` is not a certificate of the material. */
  issuerName?: string;
  reason?: CrlReason;
  at: Date;
}

/**
 * Pure revocation step: returns a new revocation list with the certificate added (the hub owns the state and
 * persists it). Revoking an already revoked certificate returns the list unchanged.
 * @see https://www.rfc-editor.org/rfc/rfc5280#section-5.3.1 (reason codes)
 */
export function revoke(
  material: Pick<TrustMaterial, 'hub' | 'countries'>,
  current: readonly RevocationRecord[],
  request: RevokeRequest,
): RevocationRecord[] {
  let target: KeyCert | undefined;
  if (request.certName) target = findKeyCert(material, request.certName);
  else if (request.serialHex) {
    const wanted = normaliseSerial(request.serialHex);
    target = listKeyCerts(material).find((k) => normaliseSerial(k.serialHex) === wanted);
  } else {
    throw new KakehashiError('bad-request', 'revoke: give certName or serialHex.');
  }
  const serialHex = target ? target.serialHex : normaliseSerial(request.serialHex as string);
  const issuerName = target ? target.issuerName : (request.issuerName ?? null);
  if (!issuerName) {
    throw new KakehashiError(
      'bad-request',
      target
        ? `"${target.name}" is a self-signed root: a root cannot be revoked by CRL; remove it from the trusted list instead.`
        : `No certificate with serial ${serialHex} in the trust material: give issuerName (the CA that issued it).`,
    );
  }
  if (!listCertificateAuthorities(material).some((ca) => ca.name === issuerName)) {
    throw new KakehashiError('not-found', `No CA named "${issuerName.slice(0, 80)}" in the trust material.`);
  }
  if (current.some((r) => r.issuerName === issuerName && normaliseSerial(r.serialHex) === serialHex))
    return [...current];
  const record: RevocationRecord = { serialHex, revokedAt: request.at, issuerName };
  if (request.reason) record.reason = request.reason;
  if (target) record.certName = target.name;
  return [...current, record];
}

/** The entries of `records` that belong on the CRL of the CA named `caName`. */
export function revocationsFor(records: readonly RevocationRecord[], caName: string): RevokedCertificate[] {
  return records
    .filter((r) => r.issuerName === caName)
    .map((r) =>
      r.reason
        ? { serialHex: r.serialHex, revokedAt: r.revokedAt, reason: r.reason }
        : { serialHex: r.serialHex, revokedAt: r.revokedAt },
    );
}

/**
 * Builds the current CRL of every CA of the material from the revocation records and the standing revocations
 * (each CA's one revoked certificate, {@link standingRevocations}): `{ [caName]: DER }`, served by the hub at
 * `/trust/crl/<caName>.crl`.
 */
export function buildCrls(
  material: Pick<TrustMaterial, 'hub' | 'countries'>,
  records: readonly RevocationRecord[],
  options: { thisUpdate: Date; nextUpdate: Date; crlNumber: number | bigint },
): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const ca of listCertificateAuthorities(material)) {
    out[ca.name] = createCrl(
      ca,
      revocationsFor([...records, ...standingRevocations(material)], ca.name),
      options.thisUpdate,
      options.nextUpdate,
      options.crlNumber,
    );
  }
  return out;
}
