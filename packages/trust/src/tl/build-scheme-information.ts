import type { create } from 'xmlbuilder2';
import { XML_NS } from './constants.ts';

export type XMLBuilder = ReturnType<typeof create>;

/** Common inputs of a list's issue: sequence number and dates. */
export interface ListIssueOptions {
  /** TSLSequenceNumber (§5.3.2): a positive integer that increases with every issue. */
  sequenceNumber: number;
  /** ListIssueDateTime (§5.3.14). */
  issueDate: Date;
  /** NextUpdate (§5.3.15): verifiers refuse the list after this instant. */
  nextUpdate: Date;
}

export function xmlDateTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function names(parent: XMLBuilder, element: string, text: string): void {
  parent.ele(element).ele('Name').att(XML_NS, 'xml:lang', 'en').txt(text).up();
}

export function uriList(parent: XMLBuilder, element: string, uris: string[]): void {
  const el = parent.ele(element);
  for (const uri of uris) el.ele('URI').att(XML_NS, 'xml:lang', 'en').txt(uri);
}

export function address(
  parent: XMLBuilder,
  element: string,
  o: { street: string; locality: string; country: string; email: string; web: string },
): void {
  const el = parent.ele(element);
  const postal = el.ele('PostalAddresses').ele('PostalAddress').att(XML_NS, 'xml:lang', 'en');
  postal.ele('StreetAddress').txt(o.street);
  postal.ele('Locality').txt(o.locality);
  postal.ele('CountryName').txt(o.country);
  const electronic = el.ele('ElectronicAddress');
  electronic.ele('URI').att(XML_NS, 'xml:lang', 'en').txt(o.email);
  electronic.ele('URI').att(XML_NS, 'xml:lang', 'en').txt(o.web);
}

export function validateIssue(o: ListIssueOptions): void {
  if (!Number.isSafeInteger(o.sequenceNumber) || o.sequenceNumber < 1) {
    throw new RangeError('sequenceNumber must be a positive integer (TS 119 612 §5.3.2)');
  }
  if (!(o.nextUpdate.getTime() > o.issueDate.getTime()))
    throw new RangeError('nextUpdate must be after issueDate (TS 119 612 §5.3.15)');
}

/** Base64 of a PEM certificate's DER, as X509Certificate elements carry it. */
export function pemToBase64(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}
