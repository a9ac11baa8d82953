import {
  cborDecode,
  cborEncode,
  DataItem,
  DateOnly,
  Document,
  type IssuerSignedDocument,
  parseIssuerSigned,
  uint8ArrayToBase64Url,
} from '@animo-id/mdoc';
import type { Persona } from '@kakehashi/personas';
import type { JWK } from 'jose';
import { isAgeAtLeast } from '../issuer/pid-claims.ts';
import type { PidIssuerKey } from '../issuer/pid-issuer-key.ts';
import { mdocContext } from './mdoc-context.ts';

/** The PID's mdoc document type and its one namespace (Annex 2 PID_04/PID_05; PID Rulebook §4). */
export const PID_DOCTYPE = 'eu.europa.ec.eudi.pid.1';
export const PID_NAMESPACE = 'eu.europa.ec.eudi.pid.1';
/** The credential configuration of the PID as ISO mdoc (OpenID4VCI Appendix A.2). */
export const PID_MDOC_CONFIGURATION_ID = 'eu.europa.ec.eudi.pid.1';

/**
 * The PID's data elements as an mdoc carries them: the rulebook's mdoc identifiers (`birth_date`, `nationality`,
 * `resident_*`, `issuance_date`, `expiry_date`, `email_address`, `mobile_phone_number`), not the SD-JWT VC names.
 * @see shared/design/eudi-wallet.md §5 (the two name columns)
 */
export const PID_MDOC_ELEMENTS = [
  'family_name',
  'given_name',
  'birth_date',
  'place_of_birth',
  'nationality',
  'resident_address',
  'resident_country',
  'resident_city',
  'resident_postal_code',
  'resident_street',
  'personal_administrative_number',
  'email_address',
  'mobile_phone_number',
  'issuing_authority',
  'issuing_country',
  'issuance_date',
  'expiry_date',
  'age_over_18',
] as const;

/** A persona's PID elements (values as the rulebook types them: full-date as CBOR tag 1004, arrays, a map). */
export function pidMdocElementsOf(p: Persona, issued: Date, expires: Date): Record<string, unknown> {
  const day = (d: Date) => new DateOnly(d.toISOString().slice(0, 10));
  return {
    family_name: p.familyNameLatin,
    given_name: p.givenNameLatin,
    birth_date: new DateOnly(p.dateOfBirth),
    place_of_birth: { locality: p.placeOfBirth, country: p.country },
    nationality: [p.country],
    resident_address: p.address.fullLatin,
    resident_country: p.address.countryCode,
    resident_city: p.address.city,
    resident_postal_code: p.address.postCode,
    resident_street: p.address.street,
    personal_administrative_number: p.nationalId.value,
    email_address: p.email,
    mobile_phone_number: p.phone,
    issuing_authority: `Kakehashi ${p.country} PID Provider (TEST)`,
    issuing_country: p.country,
    issuance_date: day(issued),
    expiry_date: day(expires),
    // ISO/IEC 18013-5 §7.2.5 age attestation, as the PID rulebook names it for mdoc: 18 or over on the day of issue
    age_over_18: isAgeAtLeast(p.dateOfBirth, issued, 18),
  };
}

/**
 * Issues the PID as an ISO mdoc with @animo-id/mdoc: each element an IssuerSignedItem (random salt, digest in the
 * MSO), the MSO signed COSE_Sign1 ES256 by the PID provider's key, `x5chain` (label 33, unprotected) = [the
 * provider's certificate, the country's issuing CA], `deviceKeyInfo` = the wallet's proof key as a COSE_Key,
 * `validityInfo` on the virtual clock. Returns the OpenID4VCI credential: base64url of the CBOR `IssuerSigned`.
 * With `status`, the MSO carries its Token Status List reference (see {@link withMsoStatus}). The library's
 * `issuerCertificate` is typed as one certificate but put into `x5chain` as given: the chain (an array) is passed
 * through it.
 * @see https://openid.net/specs/openid-4-verifiable-credential-issuance-1_0-final.html#appendix-A.2.4
 */
export async function issuePidMdoc(opts: {
  key: PidIssuerKey;
  deviceJwk: JWK;
  elements: Record<string, unknown>;
  now: Date;
  expires: Date;
  docType?: string;
  /** The mdoc's entry in its issuer's Token Status List (the MSO's `status.status_list`). */
  status?: { idx: number; uri: string } | undefined;
}): Promise<string> {
  const chain = opts.key.x5c.map((b64) => new Uint8Array(Buffer.from(b64, 'base64')));
  const issuerPrivateKey = opts.key.privateKey.export({ format: 'jwk' }) as JWK;
  const signed = await new Document(opts.docType ?? PID_DOCTYPE, mdocContext)
    .addIssuerNameSpace(PID_NAMESPACE, opts.elements)
    .useDigestAlgorithm('SHA-256')
    .addValidityInfo({ signed: opts.now, validFrom: opts.now, validUntil: opts.expires })
    .addDeviceKeyInfo({ deviceKey: opts.deviceJwk })
    .sign(
      { issuerPrivateKey, issuerCertificate: (chain.length === 1 ? chain[0] : chain) as Uint8Array, alg: 'ES256' },
      mdocContext,
    );
  if (opts.status) await withMsoStatus(signed, opts.status, issuerPrivateKey);
  const issuerSigned = signed.prepare().get('issuerSigned');
  return uint8ArrayToBase64Url(cborEncode(issuerSigned));
}

/**
 * Adds the Token Status List reference to a signed document's MSO and signs it again: `status` → `status_list`
 * `{idx, uri}`, the structure draft-ietf-oauth-status-list §6.3 gives a Referenced Token in COSE and ISO/IEC
 * 18013-5 2nd ed. §9.1.2.4 adds to the MSO. @animo-id/mdoc 0.5.2 builds the MSO with a fixed set of members (its
 * `Document.sign` has no hook for another), so the library's own MSO is decoded with its CBOR, given the member, and
 * encoded again with its CBOR as the tag-24 `MobileSecurityObjectBytes`; the COSE_Sign1 is made anew from the
 * library's protected and unprotected headers and signed through the same crypto callback (the Sig_structure is
 * the library's). The library keeps MSO members it does not know when it parses (`decodedPayload`), so a verifier
 * reads it back; the re-encoding writes each map's length in its shortest form (as deterministic CBOR asks).
 * @see https://www.ietf.org/archive/id/draft-ietf-oauth-status-list-20.html#section-6.3
 */
export async function withMsoStatus(
  signed: IssuerSignedDocument,
  status: { idx: number; uri: string },
  issuerPrivateKey: JWK,
): Promise<void> {
  const issuerAuth = signed.issuerSigned.issuerAuth;
  const mso = (cborDecode(issuerAuth.payload) as DataItem<Map<string, unknown>>).data;
  if (!(mso instanceof Map) || mso.has('status')) throw new Error('the MSO is not a map, or has a status already');
  mso.set(
    'status',
    new Map([
      [
        'status_list',
        new Map<string, unknown>([
          ['idx', status.idx],
          ['uri', status.uri],
        ]),
      ],
    ]),
  );
  const IssuerAuth = issuerAuth.constructor as new (
    protectedHeaders: Map<number, unknown>,
    unprotectedHeaders: Map<number, unknown>,
    payload: Uint8Array,
  ) => typeof issuerAuth;
  const amended = new IssuerAuth(
    issuerAuth.protectedHeaders,
    issuerAuth.unprotectedHeaders,
    cborEncode(DataItem.fromData(mso)),
  );
  amended.signature = await mdocContext.cose.sign1.sign({ sign1: amended, jwk: issuerPrivateKey });
  signed.issuerSigned.issuerAuth = amended;
}

/** The MSO's `status` member read back: its `status_list` `{idx, uri}`, or undefined (none, or not that shape). */
export function msoStatusReference(status: unknown): { idx: unknown; uri: unknown } | undefined {
  const list = status instanceof Map ? status.get('status_list') : undefined;
  return list instanceof Map ? { idx: list.get('idx'), uri: list.get('uri') } : undefined;
}

/** The Token Status List reference of an issued mdoc (base64url CBOR `IssuerSigned`), read with @animo-id/mdoc. */
export function mdocStatusReference(issuerSigned: string): { idx: unknown; uri: unknown } | undefined {
  const doc = parseIssuerSigned(Buffer.from(issuerSigned, 'base64url'));
  return msoStatusReference((doc.issuerSigned.issuerAuth.decodedPayload as { status?: unknown }).status);
}
