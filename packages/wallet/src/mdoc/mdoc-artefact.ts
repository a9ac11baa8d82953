import { X509Certificate } from 'node:crypto';
import {
  COSEKey,
  DeviceSignedDocument,
  type IssuerSignedDocument,
  type MDoc,
  parseDeviceResponse,
  parseIssuerSigned,
} from '@animo-id/mdoc';
import { mdocValueToJson } from './mdoc-json.ts';

/** The COSE algorithm identifiers an mdoc signs with, by name (RFC 9053 §2.1, §3.1; the rest shown as numbers). */
const COSE_ALGS: Record<number, string> = {
  [-7]: 'ES256',
  [-35]: 'ES384',
  [-36]: 'ES512',
  [-8]: 'EdDSA',
  5: 'HMAC 256/256',
};
const algName = (alg: number | undefined) => (alg === undefined ? undefined : (COSE_ALGS[alg] ?? String(alg)));
const MAX_INPUT = 200_000;

/** A value as the console prints it: strings as they are, the rest (dates, maps, bytes) as mdocValueToJson gives. */
const shown = (v: unknown) => {
  const j = mdocValueToJson(v);
  return typeof j === 'string' || typeof j === 'number' || typeof j === 'boolean' ? j : JSON.stringify(j);
};

const subjectOf = (der: Uint8Array): string => {
  try {
    return new X509Certificate(Buffer.from(der)).subject.replace(/\n/g, ', ');
  } catch {
    return `(${der.length} bytes, not a certificate)`;
  }
};

/**
 * The issuer-signed part of one document: each element by `namespace/element` with its value (`issuerSigned`), the
 * MSO (`mso`: version, docType, digest algorithm, validity, the number of digests per namespace, the device key) and
 * its signature (`issuerAuth`: alg and the `x5chain` subjects, leaf first).
 */
function issuerSignedSections(doc: IssuerSignedDocument): Record<string, unknown> {
  const issuerSigned: Record<string, unknown> = {};
  for (const [ns, items] of doc.issuerSigned.nameSpaces)
    for (const item of items) issuerSigned[`${ns}/${item.elementIdentifier}`] = shown(item.elementValue);
  const auth = doc.issuerSigned.issuerAuth;
  const out: Record<string, unknown> = { issuerSigned };
  try {
    const mso = auth.decodedPayload;
    const v = mso.validityInfo;
    const digests: Record<string, unknown> = {};
    for (const [ns, m] of mso.valueDigests ?? new Map()) digests[ns] = m.size;
    let deviceKey: string | undefined;
    try {
      if (mso.deviceKeyInfo?.deviceKey) {
        const jwk = COSEKey.import(mso.deviceKeyInfo.deviceKey as Map<number, unknown>).toJWK();
        deviceKey = JSON.stringify({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y });
      }
    } catch {
      deviceKey = '(not a COSE_Key)';
    }
    out.mso = {
      version: mso.version,
      docType: mso.docType,
      digestAlgorithm: mso.digestAlgorithm,
      ...(v ? { signed: shown(v.signed), validFrom: shown(v.validFrom), validUntil: shown(v.validUntil) } : {}),
      ...(v?.expectedUpdate ? { expectedUpdate: shown(v.expectedUpdate) } : {}),
      valueDigests: JSON.stringify(digests),
      // the Token Status List reference (status → status_list {idx, uri}), when the MSO carries one
      ...((mso as { status?: unknown }).status !== undefined
        ? { status: JSON.stringify(mdocValueToJson((mso as { status?: unknown }).status)) }
        : {}),
      ...(deviceKey ? { deviceKey } : {}),
    };
  } catch {
    out.mso = { unreadable: 'the MSO (issuerAuth payload) does not decode' };
  }
  const chain = auth.x5chain ?? [];
  out.issuerAuth = {
    alg: algName(auth.alg),
    x5chain: chain.length,
    ...Object.fromEntries(chain.map((c, i) => [i === 0 ? 'leaf' : `x5chain[${i}]`, subjectOf(c)])),
  };
  return out;
}

/** Where the input does not decode: the artefact says so and what the library said (nothing else is shown). */
const unreadable = (what: string, e: unknown) => ({
  type: 'mso_mdoc',
  unreadable: `${what}: ${e instanceof Error ? e.message.slice(0, 300) : String(e)}`,
});

/**
 * An mdoc presentation (base64url CBOR `DeviceResponse`, OpenID4VP's `vp_token` entry for `mso_mdoc`) as a trace
 * artefact, decoded with @animo-id/mdoc: `document` (the response's version, status, number of documents, the first
 * document's docType), its issuer-signed elements, MSO and issuer signature, and `deviceSigned` (the device
 * namespaces' elements, and which device authentication — `deviceSignature` or `deviceMac` — with its alg).
 * Decoding only, nothing is checked (the W rules judge); the first document is shown.
 * @see ISO/IEC 18013-5:2021 §8.3.2.1.2.2 (DeviceResponse), §9.1.2.4 (MSO)
 * @see https://openid.net/specs/openid-4-verifiable-presentations-1_0-final.html#appendix-B.2.6
 */
export function deviceResponseArtefact(b64: string): Record<string, unknown> {
  let response: MDoc;
  try {
    response = parseDeviceResponse(Buffer.from(b64.slice(0, MAX_INPUT), 'base64url'));
  } catch (e) {
    return unreadable('not a DeviceResponse', e);
  }
  const doc = response.documents[0];
  const document = {
    kind: 'DeviceResponse',
    version: response.version,
    status: response.status,
    documents: response.documents.length,
    ...(doc ? { docType: doc.docType } : {}),
  };
  if (!doc) return { type: 'mso_mdoc', document };
  const signed = doc instanceof DeviceSignedDocument ? doc.deviceSigned : undefined;
  const deviceSigned: Record<string, unknown> = {};
  if (signed) {
    const auth = signed.deviceAuth;
    if (auth?.deviceSignature) {
      deviceSigned.deviceAuth = 'deviceSignature (COSE_Sign1)';
      deviceSigned.alg = algName(auth.deviceSignature.alg);
    } else if (auth?.deviceMac) {
      deviceSigned.deviceAuth = 'deviceMac (COSE_Mac0)';
      deviceSigned.alg = algName(auth.deviceMac.alg);
    }
    let elements = 0;
    for (const [ns, items] of signed.nameSpaces ?? new Map())
      for (const [el, value] of items) {
        deviceSigned[`${ns}/${el}`] = shown(value);
        elements++;
      }
    deviceSigned.nameSpaces = elements ? `${elements} element(s)` : 'none';
  }
  return { type: 'mso_mdoc', document, ...issuerSignedSections(doc), deviceSigned };
}

/**
 * An issued mdoc (base64url CBOR `IssuerSigned`, the OpenID4VCI credential of `mso_mdoc`) as a trace artefact:
 * `document` (its docType), every issuer-signed element, the MSO and the issuer signature — as
 * {@link deviceResponseArtefact} shows them.
 * @see https://openid.net/specs/openid-4-verifiable-credential-issuance-1_0-final.html#appendix-A.2.4
 */
export function issuerSignedArtefact(b64: string, docType?: string): Record<string, unknown> {
  try {
    const doc = parseIssuerSigned(Buffer.from(b64.slice(0, MAX_INPUT), 'base64url'), docType);
    return {
      type: 'mso_mdoc',
      document: { kind: 'IssuerSigned', docType: doc.docType },
      ...issuerSignedSections(doc),
    };
  } catch (e) {
    return unreadable('not an IssuerSigned', e);
  }
}
