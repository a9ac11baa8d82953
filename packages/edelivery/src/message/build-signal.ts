import { serializeXml } from '@kakehashi/core';
import type { EbmsError } from '../errors/ebms-error.ts';
import { type EnvelopeIds, startEnvelope } from './build-user-message.ts';
import { NS } from './ns.ts';

/** One `ds:Reference` of a signature, as copied into a receipt's non-repudiation information. */
export interface ReferenceInfo {
  uri: string;
  transforms: string[];
  digestMethod: string;
  digestValue: string;
}

export interface SignalInput {
  messageId: string;
  timestamp: string;
  refToMessageId?: string | undefined;
  /** A Receipt carrying `ebbp:NonRepudiationInformation` with one `ds:Reference` per signed part. */
  receipt?: { references: ReferenceInfo[] };
  errors?: EbmsError[];
}

/**
 * Builds an ebMS signal message (Receipt with non-repudiation information, or Errors) in a SOAP 1.2 envelope.
 * @see https://docs.oasis-open.org/ebxml-msg/ebms/v3.0/core/os/ebms_core-3.0-spec.html §5.2.3
 * @see https://docs.oasis-open.org/ebxml-msg/ebms/v3.0/profiles/AS4-profile/v1.0/os/AS4-profile-v1.0-os.html §5.1.8
 */
export function buildSignalEnvelope(signal: SignalInput, ids: EnvelopeIds): string {
  return serializeXml(buildSignalDocument(signal, ids));
}

/** {@link buildSignalEnvelope} as the DOM the receiver signs in place. */
export function buildSignalDocument(signal: SignalInput, ids: EnvelopeIds): Document {
  const { doc, header, envelope } = startEnvelope();
  envelope.att('http://www.w3.org/2000/xmlns/', 'xmlns:ebbp', NS.ebbp);
  const sm = header
    .ele(NS.eb, 'eb:Messaging')
    .att(NS.soap, 'env:mustUnderstand', 'true')
    .att('id', ids.messaging)
    .ele(NS.eb, 'eb:SignalMessage');
  const info = sm.ele(NS.eb, 'eb:MessageInfo');
  info.ele(NS.eb, 'eb:Timestamp').txt(signal.timestamp);
  info.ele(NS.eb, 'eb:MessageId').txt(signal.messageId);
  if (signal.refToMessageId) info.ele(NS.eb, 'eb:RefToMessageId').txt(signal.refToMessageId);
  if (signal.receipt) {
    const nri = sm.ele(NS.eb, 'eb:Receipt').ele(NS.ebbp, 'ebbp:NonRepudiationInformation');
    for (const r of signal.receipt.references) {
      const ref = nri.ele(NS.ebbp, 'ebbp:MessagePartNRInformation').ele(NS.ds, 'ds:Reference').att('URI', r.uri);
      if (r.transforms.length > 0) {
        const t = ref.ele(NS.ds, 'ds:Transforms');
        for (const alg of r.transforms) t.ele(NS.ds, 'ds:Transform').att('Algorithm', alg);
      }
      ref.ele(NS.ds, 'ds:DigestMethod').att('Algorithm', r.digestMethod);
      ref.ele(NS.ds, 'ds:DigestValue').txt(r.digestValue);
    }
  }
  for (const e of signal.errors ?? []) {
    const el = sm
      .ele(NS.eb, 'eb:Error')
      .att('errorCode', e.code)
      .att('severity', e.severity)
      .att('category', e.category)
      .att('origin', e.origin)
      .att('shortDescription', e.shortDescription);
    const ref = e.refToMessageId ?? signal.refToMessageId;
    if (ref) el.att('refToMessageInError', ref);
    el.ele(NS.eb, 'eb:Description').att(NS.xml, 'xml:lang', 'en').txt(e.detail.slice(0, 1000));
    if (e.rule) el.ele(NS.eb, 'eb:ErrorDetail').txt(e.rule.slice(0, 500));
  }
  envelope.ele(NS.soap, 'env:Body').att(NS.wsu, 'wsu:Id', ids.body);
  return doc;
}

/**
 * A SOAP 1.2 Fault, for requests that are not an ebMS message at all (wrong content type, not a SOAP envelope,
 * a header the receiver must understand but does not).
 * @see https://www.w3.org/TR/soap12-part1/#soapfault
 */
export function buildSoapFault(
  code: 'Sender' | 'Receiver' | 'MustUnderstand' | 'VersionMismatch',
  reason: string,
  ebmsCode?: string,
): string {
  const { doc, envelope } = startEnvelope();
  const fault = envelope.ele(NS.soap, 'env:Body').ele(NS.soap, 'env:Fault');
  fault.ele(NS.soap, 'env:Code').ele(NS.soap, 'env:Value').txt(`env:${code}`);
  fault.ele(NS.soap, 'env:Reason').ele(NS.soap, 'env:Text').att(NS.xml, 'xml:lang', 'en').txt(reason.slice(0, 1000));
  if (ebmsCode) fault.ele(NS.soap, 'env:Detail').ele(NS.eb, 'eb:ErrorCode').txt(ebmsCode);
  return serializeXml(doc);
}
