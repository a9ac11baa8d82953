import { randomBytes } from 'node:crypto';
import { cborDecode, cborEncode, DataItem, parseDeviceResponse, uint8ArrayToBase64Url } from '@animo-id/mdoc';
import { defineFaults } from '@kakehashi/core';
import type { JWK } from 'jose';
import { freshEcKey } from '../crypto/ec-key.ts';
import type { ForgedAnswer } from '../holder/forge-presentation.ts';
import type { HolderWallet, PresentationRequest } from '../holder/holder-wallet.ts';
import { createMdocDeviceResponse } from './present-mdoc.ts';

/**
 * The forging holder's mdoc presentations (`wallet.vp-mdoc-*`): the mdoc counterparts of the `wallet.vp-*` faults
 * that an mdoc can carry. Each makes a `DeviceResponse` with exactly one defect and names the W rule a strict
 * verifier fails (the mdoc verdict's numbering, MDOC_PRESENTATION_RULES): the wrong nonce, the replay and another
 * verifier's request are one attack for an mdoc — the device signature over another SessionTranscript (W9) — and
 * an mdoc has no key binding to leave out or make stale. Three take their credential from the forging PID provider
 * (`wallet.pid-*`, asked for on the mdoc's credential request), as their SD-JWT VC counterparts do.
 * @see https://openid.net/specs/openid-4-verifiable-presentations-1_0-final.html#appendix-B.2.6.1
 */
export const MDOC_HOLDER_FAULTS = defineFaults('wallet', [
  {
    name: 'wallet.vp-mdoc-tampered-item',
    kind: 'forge',
    perRequest: true,
    description:
      "An mdoc presentation whose first IssuerSignedItem's value is changed after issuance (its digest no longer the MSO's); the device signature still verifies (it does not cover issuer-signed items).",
    rule: 'W7 vp-disclosure-invalid',
  },
  {
    name: 'wallet.vp-mdoc-foreign-device-key',
    kind: 'forge',
    perRequest: true,
    description:
      "An mdoc presentation whose device signature is made by another key than the MSO's deviceKey (a thief's device), over the right SessionTranscript.",
    rule: 'W9 vp-key-binding-invalid',
  },
  {
    name: 'wallet.vp-mdoc-wrong-nonce',
    kind: 'forge',
    perRequest: true,
    description:
      "An mdoc presentation signed by the device key over a SessionTranscript whose OpenID4VPHandover carries a nonce the verifier never sent (a replay's or another request's transcript).",
    rule: 'W9 vp-key-binding-invalid',
  },
  {
    name: 'wallet.vp-mdoc-expired',
    kind: 'forge',
    perRequest: true,
    description: "The presented mdoc PID's validityInfo ended an hour ago (issued with wallet.pid-expired).",
    rule: 'W5 vp-credential-expired',
  },
  {
    name: 'wallet.vp-mdoc-untrusted-issuer',
    kind: 'forge',
    perRequest: true,
    description:
      "The presented mdoc PID's MSO is signed by a look-alike key no trusted list knows (issued with wallet.pid-untrusted-key).",
    rule: 'W2 vp-issuer-untrusted',
  },
  {
    name: 'wallet.vp-mdoc-revoked',
    kind: 'forge',
    perRequest: true,
    description: "The presented mdoc PID's status list entry is invalid (issued with wallet.pid-revoked).",
    rule: 'W15 vp-credential-revoked',
  },
] as const);

export type MdocHolderFault = (typeof MDOC_HOLDER_FAULTS)[number]['name'];

/** Whether a holder fault forges an mdoc presentation (the wallet must then hold the PID as mso_mdoc). */
export const isMdocFault = (fault: string | null | undefined): fault is MdocHolderFault =>
  !!fault && fault.startsWith('wallet.vp-mdoc-');

/** The mdoc faults whose credential the forging PID provider makes, and the PID fault each asks for. */
export const MDOC_PID_FAULT_OF: Partial<Record<MdocHolderFault, string>> = {
  'wallet.vp-mdoc-expired': 'wallet.pid-expired',
  'wallet.vp-mdoc-untrusted-issuer': 'wallet.pid-untrusted-key',
  'wallet.vp-mdoc-revoked': 'wallet.pid-revoked',
};

/** The request's ECDH-ES key (direct_post.jwt): its thumbprint is in the SessionTranscript (OpenID4VP B.2.6.1). */
const encryptionJwkOf = (req: PresentationRequest): JWK | undefined =>
  req.response_mode === 'direct_post.jwt'
    ? (req.client_metadata?.jwks?.keys?.find((k) => k.alg === 'ECDH-ES' && k.use !== 'sig') as JWK | undefined)
    : undefined;

/**
 * The answer a holder holding the PID as mso_mdoc makes to `request` with the mdoc fault `fault` (null: the
 * genuine one). The request is read and checked as the wallet reads it (`createPresentation`); the forged
 * `DeviceResponse` is built with @animo-id/mdoc (and its CBOR for the tampered item). Post the result with
 * `wallet.respond(answer.request, answer.vpToken)`.
 */
export async function forgeMdocAnswer(
  wallet: HolderWallet,
  request: PresentationRequest | string,
  fault: MdocHolderFault | null,
): Promise<ForgedAnswer> {
  const genuine = await wallet.createPresentation(request);
  const req = genuine.request;
  const queryId = Object.keys(genuine.vpToken)[0] as string;
  const answer = (presentation: string, note: string): ForgedAnswer => ({
    request: req,
    vpToken: { [queryId]: [presentation] },
    presentation,
    note,
  });
  const held = wallet.credentials.find((c) => c.format === 'mso_mdoc');
  try {
    parseDeviceResponse(Buffer.from(genuine.presentation, 'base64url'));
  } catch {
    throw new Error("the verifier's request asks for no mso_mdoc credential the wallet holds");
  }
  if (!held) throw new Error('the wallet holds no mso_mdoc PID');
  const query = req.dcql_query as { credentials: { claims?: { path: (string | number | null)[] }[] }[] };
  const rebuilt = (devicePrivateJwk: JWK, nonce: string) =>
    createMdocDeviceResponse({
      issuerSigned: held.credential,
      paths: (query.credentials[0]?.claims ?? []).map((c) => c.path),
      devicePrivateJwk,
      handover: { clientId: req.client_id, nonce, responseUri: req.response_uri, encryptionJwk: encryptionJwkOf(req) },
    });
  switch (fault) {
    case null:
    case 'wallet.vp-mdoc-expired':
    case 'wallet.vp-mdoc-untrusted-issuer':
    case 'wallet.vp-mdoc-revoked':
      return answer(genuine.presentation, fault ? `the mdoc PID as ${MDOC_PID_FAULT_OF[fault]} issued it` : 'genuine');
    case 'wallet.vp-mdoc-tampered-item': {
      const { presentation, element } = tamperFirstItem(genuine.presentation);
      return answer(presentation, `IssuerSignedItem "${element}" changed after issuance`);
    }
    case 'wallet.vp-mdoc-foreign-device-key':
      return answer(
        await rebuilt(freshEcKey().privateKey.export({ format: 'jwk' }) as JWK, req.nonce),
        "deviceSignature by a fresh P-256 key, not the MSO's deviceKey",
      );
    case 'wallet.vp-mdoc-wrong-nonce':
      return answer(
        await rebuilt(wallet.exportState().deviceKey as JWK, randomBytes(24).toString('base64url')),
        'SessionTranscript nonce: a fresh random value',
      );
  }
}

/**
 * A DeviceResponse whose first IssuerSignedItem's `elementValue` is changed: the response decoded with the
 * library's CBOR (each item stays its tag-24 bytes, the signatures their byte strings), that one item encoded
 * anew, the whole encoded again.
 */
function tamperFirstItem(b64: string): { presentation: string; element: string } {
  const response = cborDecode(Buffer.from(b64, 'base64url')) as Map<string, unknown>;
  const doc = (response.get('documents') as Map<string, unknown>[])[0] as Map<string, unknown>;
  const nameSpaces = (doc.get('issuerSigned') as Map<string, unknown>).get('nameSpaces') as Map<
    string,
    DataItem<Map<string, unknown>>[]
  >;
  const items = [...nameSpaces.values()][0];
  const item = items?.[0];
  if (!items || !item) throw new Error('the presentation discloses no element to tamper with');
  const m = new Map(item.data);
  const value = m.get('elementValue');
  m.set('elementValue', typeof value === 'string' ? `${value}-Mallory` : 'Mallory');
  items[0] = DataItem.fromData(m);
  return { presentation: uint8ArrayToBase64Url(cborEncode(response)), element: String(m.get('elementIdentifier')) };
}
