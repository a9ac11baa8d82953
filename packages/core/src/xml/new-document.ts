import { DOMImplementation } from '@xmldom/xmldom';

/**
 * An empty XML document (xmldom, the DOM every XML component works on), optionally with the XML declaration as its
 * first child — for documents built node by node (a SOAP envelope, a receipt) and then signed in place, so nothing
 * is serialised only to be parsed again.
 * @see https://www.w3.org/TR/xml/#sec-prolog-dtd
 */
export function createXmlDocument(opts: { declaration?: boolean } = {}): Document {
  const doc = new DOMImplementation().createDocument(null as never, null as never, null) as unknown as Document;
  if (opts.declaration) doc.appendChild(doc.createProcessingInstruction('xml', 'version="1.0" encoding="UTF-8"'));
  return doc;
}
