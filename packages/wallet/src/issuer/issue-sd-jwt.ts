import { createHash, randomBytes, sign } from 'node:crypto';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { sha256b64url } from '../crypto/oid4vc-callbacks.ts';
import { PID_CLAIM_NAMES, PID_VCT, type PidClaims } from './pid-claims.ts';
import type { PidIssuerKey } from './pid-issuer-key.ts';

/** The hasher the SD-JWT library asks for: SHA-256 only (`_sd_alg` sha-256, RFC 9901 §4.1.1). */
export const sdJwtHasher = (data: string | ArrayBuffer, alg: string): Uint8Array => {
  if (alg.toLowerCase() !== 'sha-256') throw new Error(`_sd_alg ${alg} is not supported (sha-256 only)`);
  return new Uint8Array(
    createHash('sha256')
      .update(typeof data === 'string' ? data : Buffer.from(data))
      .digest(),
  );
};

/** An ES256 signer over the JWS signing input, as the SD-JWT library calls it (b64url raw r||s). */
export const es256Signer = (key: PidIssuerKey['privateKey']) => (data: string) =>
  sign('sha256', Buffer.from(data, 'ascii'), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url');

/**
 * Issues a PID as an SD-JWT VC (`typ` dc+sd-jwt, `vct` urn:eudi:pid:1) with @sd-jwt/sd-jwt-vc: every PID claim
 * selectively disclosable (Annex 2 PID_21); `iss`, `iat`, `nbf`, `exp`, `vct` and `cnf` never disclosable; the
 * holder's key in `cnf.jwk`; the issuer's certificate chain in the `x5c` header.
 * @see https://www.rfc-editor.org/rfc/rfc9901#section-4
 * @see https://www.ietf.org/archive/id/draft-ietf-oauth-sd-jwt-vc-18.html#section-3.2
 */
export async function issuePidSdJwt(opts: {
  issuer: string;
  key: PidIssuerKey;
  holderJwk: Record<string, unknown>;
  claims: PidClaims;
  now: Date;
  expires: Date;
  /** The PID's entry in the provider's Token Status List (never disclosable, SD-JWT VC §3.2.2.2). */
  status?: { idx: number; uri: string } | undefined;
  /** Another type than the PID's (only the security lab's wallet.pid-wrong-vct asks for it). */
  vct?: string;
}): Promise<string> {
  return issueSdJwtVc({
    ...opts,
    vct: opts.vct ?? PID_VCT,
    claims: opts.claims as unknown as Record<string, unknown>,
    disclosureFrame: {
      _sd: [...PID_CLAIM_NAMES, ...(opts.claims.eidas_person_identifiers ? ['eidas_person_identifiers'] : [])],
      ...(opts.claims.eidas_person_identifiers
        ? { eidas_person_identifiers: { _sd: Object.keys(opts.claims.eidas_person_identifiers) } }
        : {}),
    },
  });
}

/**
 * Issues an SD-JWT VC (`typ` dc+sd-jwt, ES256) with @sd-jwt/sd-jwt-vc — the PID, or an attestation of attributes
 * such as Setagaya's certificate of residence: the claims disclosable as `disclosureFrame` says; `iss`, `iat`,
 * `nbf`, `exp`, `vct`, `cnf` and `status` never; the holder's key in `cnf.jwk`; the issuer's chain in `x5c`.
 * @see https://www.ietf.org/archive/id/draft-ietf-oauth-sd-jwt-vc-18.html#section-3.2
 */
export async function issueSdJwtVc(opts: {
  issuer: string;
  key: PidIssuerKey;
  holderJwk: Record<string, unknown>;
  vct: string;
  claims: Record<string, unknown>;
  disclosureFrame: Record<string, unknown>;
  now: Date;
  expires: Date;
  /** The credential's entry in its issuer's Token Status List (never disclosable, SD-JWT VC §3.2.2.2). */
  status?: { idx: number; uri: string } | undefined;
}): Promise<string> {
  const sdjwt = new SDJwtVcInstance({
    signer: es256Signer(opts.key.privateKey),
    signAlg: 'ES256',
    hasher: sdJwtHasher,
    hashAlg: 'sha-256',
    saltGenerator: () => randomBytes(16).toString('base64url'),
  });
  const iat = Math.floor(opts.now.getTime() / 1000);
  return sdjwt.issue(
    {
      iss: opts.issuer,
      iat,
      nbf: iat,
      exp: Math.floor(opts.expires.getTime() / 1000),
      vct: opts.vct,
      cnf: { jwk: opts.holderJwk },
      ...(opts.status ? { status: { status_list: opts.status } } : {}),
      ...opts.claims,
    },
    opts.disclosureFrame as never,
    { header: { x5c: opts.key.x5c } },
  );
}

export { sha256b64url };
