/**
 * Namespaces of the OASIS ebXML RegRep 4.0 messages as the EU Once-Only Technical System (OOTS) profiles them
 * in its Evidence Exchange Data Model (EDM), plus the SDG vocabulary (`sdg:`) the EDM slots carry.
 * @see https://docs.oasis-open.org/regrep/regrep-core/v4.0/os/regrep-core-rs-v4.0-os.html
 * @see https://ec.europa.eu/digital-building-blocks/sites/display/OOTS/Technical+Design+Documents
 */
export const NS = {
  query: 'urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0',
  rim: 'urn:oasis:names:tc:ebxml-regrep:xsd:rim:4.0',
  rs: 'urn:oasis:names:tc:ebxml-regrep:xsd:rs:4.0',
  sdg: 'http://data.europa.eu/p4s',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  xlink: 'http://www.w3.org/1999/xlink',
  xml: 'http://www.w3.org/XML/1998/namespace',
} as const;

/** The EDM version this block speaks (`SpecificationIdentifier` slot). */
export const SPECIFICATION_IDENTIFIER = 'oots-edm:v1.1';

export const RESPONSE_STATUS = {
  success: 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success',
  failure: 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure',
} as const;

/** The AS4 service and actions of the exchange (P-Mode `kakehashi-evidence`). */
export const EVIDENCE_SERVICE = 'urn:kakehashi:service:evidence';
export const ACTION_REQUEST = 'ExecuteQueryRequest';
export const ACTION_RESPONSE = 'ExecuteQueryResponse';
/** The MIME type OOTS gives the RegRep part (the first part) of an AS4 message. */
export const REGREP_MIME = 'application/x-ebrs+xml';

/** Scheme of the `sdg:Identifier` of an agent: the federation's eDelivery participant ids. */
export const PARTICIPANT_SCHEME = 'urn:kakehashi:names:identifier:participant';
/** Scheme of the `sdg:Identifier` of a natural person: the eIDAS PersonIdentifier. */
export const EIDAS_SCHEME = 'eidas';
