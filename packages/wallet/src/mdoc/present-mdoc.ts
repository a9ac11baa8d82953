import { DeviceRequest, DeviceResponse, MDoc, parseIssuerSigned, uint8ArrayToBase64Url } from '@animo-id/mdoc';
import type { JWK } from 'jose';
import { mdocContext } from './mdoc-context.ts';
import { mdocValueToJson } from './mdoc-json.ts';
import { type Openid4vpHandoverInput, openid4vpSessionTranscriptBytes } from './session-transcript.ts';

/** An issued mdoc (base64url `IssuerSigned`) as its elements: namespace → element → value. */
export function mdocNamespaces(issuerSignedB64: string): {
  doctype: string;
  namespaces: Record<string, Record<string, unknown>>;
} {
  const doc = parseIssuerSigned(Buffer.from(issuerSignedB64, 'base64url'));
  const namespaces: Record<string, Record<string, unknown>> = {};
  for (const [ns, items] of doc.issuerSigned.nameSpaces)
    namespaces[ns] = Object.fromEntries(items.map((i) => [i.elementIdentifier, mdocValueToJson(i.elementValue)]));
  return { doctype: doc.docType, namespaces };
}

/**
 * The `DeviceResponse` an mdoc wallet answers an OpenID4VP request with (Annex B.2): the issued document limited
 * to the elements the DCQL claims name (`path: [namespace, element]`; an element not asked for stays out), signed
 * by the device key (`deviceSignature`, ES256) over `DeviceAuthentication` with the request's OpenID4VP
 * SessionTranscript. Built with @animo-id/mdoc's `DeviceResponse`; returns its base64url CBOR (the vp_token entry).
 * @see https://openid.net/specs/openid-4-verifiable-presentations-1_0-final.html#appendix-B.2
 */
export async function createMdocDeviceResponse(opts: {
  issuerSigned: string;
  /** DCQL claim paths: [namespace, element]. */
  paths: (string | number | null)[][];
  devicePrivateJwk: JWK;
  handover: Openid4vpHandoverInput;
}): Promise<string> {
  const doc = parseIssuerSigned(Buffer.from(opts.issuerSigned, 'base64url'));
  const wanted = new Map<string, Map<string, boolean>>();
  for (const [ns, element] of opts.paths) {
    if (typeof ns !== 'string' || typeof element !== 'string') continue;
    const m = wanted.get(ns) ?? new Map<string, boolean>();
    m.set(element, false);
    wanted.set(ns, m);
  }
  const deviceRequest = DeviceRequest.from('1.0', [{ itemsRequestData: { docType: doc.docType, nameSpaces: wanted } }]);
  const signed = await DeviceResponse.from(new MDoc([doc]))
    .usingDeviceRequest(deviceRequest)
    .usingSessionTranscriptBytes(await openid4vpSessionTranscriptBytes(opts.handover))
    .authenticateWithSignature(opts.devicePrivateJwk, 'ES256')
    .sign(mdocContext);
  return uint8ArrayToBase64Url(signed.encode());
}
