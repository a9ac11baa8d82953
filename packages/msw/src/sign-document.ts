import type { Call } from './admin-api.ts';

/** What `POST /esig/sign` answers (TEST ONLY keys). */
export interface SignedDocument {
  testOnly: true;
  format: 'XAdES' | 'JAdES' | 'CAdES';
  level: 'B-B' | 'B-T';
  packaging: 'enveloped' | 'enveloping' | 'detached';
  /** XML text, a JWS (compact or JSON serialization) or base64 DER (CAdES). */
  signature: string;
  signatureEncoding: 'xml' | 'jws-compact' | 'jws-json' | 'base64-der';
  mediaType: string;
  signingTime: string;
  timestamp?: { genTime: string; tsa: string };
  signer: { type: 'agency' | 'citizen'; id: string; subject: string; country: string };
}

export interface SignDocumentOptions {
  /** The node that signs. */
  country: string;
  /** The document: text (UTF-8) or bytes. */
  document: string | Uint8Array;
  /** An agency of the node (default: its first), or — Japan — a citizen persona with the My Number Card. */
  signer?: { type: 'agency'; id: string } | { type: 'citizen'; personaId: string };
  /** Default `jades`. */
  format?: 'xades' | 'jades' | 'cades';
  /** Default `B-B`; `B-T` adds a time-stamp from the node's TSA. */
  level?: 'B-B' | 'B-T';
  packaging?: 'enveloped' | 'enveloping' | 'detached';
  mimeType?: string;
  /** Detached signatures: the name the signature references (default `document`). */
  name?: string;
}

/** Signs a document through the node's signature service (`POST /esig/sign`), exactly as an HTTP client would. */
export async function signDocumentAt(call: Call, nodeUrl: string, o: SignDocumentOptions): Promise<SignedDocument> {
  const signer =
    o.signer ??
    ({
      type: 'agency',
      id: await firstAgency(call, nodeUrl),
    } as const);
  const text = typeof o.document === 'string';
  return call<SignedDocument>('POST', `${nodeUrl}/esig/sign`, {
    signer,
    format: o.format ?? 'jades',
    level: o.level ?? 'B-B',
    ...(o.packaging ? { packaging: o.packaging } : {}),
    document: {
      content: text ? o.document : Buffer.from(o.document).toString('base64'),
      encoding: text ? 'utf8' : 'base64',
      ...(o.mimeType ? { mimeType: o.mimeType } : {}),
      ...(o.name ? { name: o.name } : {}),
    },
  });
}

async function firstAgency(call: Call, nodeUrl: string): Promise<string> {
  const { agencies } = await call<{ agencies: { id: string }[] }>('GET', `${nodeUrl}/esig/signers`);
  const first = agencies[0];
  if (!first) throw new Error(`${nodeUrl} lists no agency that signs`);
  return first.id;
}
