/**
 * URIs of ETSI TS 119 612 v2.4.1 trusted lists.
 * @see https://www.etsi.org/deliver/etsi_ts/119600_119699/119612/ (clauses 5.2-5.5, Annex D)
 */
export const TSL_NS = 'http://uri.etsi.org/02231/v2#';
export const TSLX_NS = 'http://uri.etsi.org/02231/v2/additionaltypes#';
export const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
export const XML_NS = 'http://www.w3.org/XML/1998/namespace';

/** §5.2 TSLTag. */
export const TSL_TAG = 'http://uri.etsi.org/19612/TSLTag';
/** §5.3.1: version 6 is the value for TS 119 612 v2.3.1 and later. */
export const TSL_VERSION = 6;

export const TSL_TYPE = {
  /** §5.3.3: the EU list of trusted lists. */
  euLotl: 'http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUlistofthelists',
  /** §5.3.3: an EU member state's trusted list. */
  euGeneric: 'http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUgeneric',
  /** §5.3.3: a non-EU (third-country) trusted list, `CClist` with CC the territory (used for mutual recognition). */
  thirdCountry: (cc: string) => `http://uri.etsi.org/TrstSvc/TrustedList/TSLType/${cc.toUpperCase()}list`,
} as const;

export const STATUS_DETERMINATION = {
  euLotl: 'http://uri.etsi.org/TrstSvc/TrustedList/StatusDetn/EUlistofthelists',
  euAppropriate: 'http://uri.etsi.org/TrstSvc/TrustedList/StatusDetn/EUappropriate',
  thirdCountry: (cc: string) => `http://uri.etsi.org/TrstSvc/TrustedList/StatusDetn/${cc.toUpperCase()}determination`,
} as const;

export const SCHEME_RULES = {
  euCommon: 'http://uri.etsi.org/TrstSvc/TrustedList/schemerules/EUcommon',
  euLotl: 'http://uri.etsi.org/TrstSvc/TrustedList/schemerules/EUlistofthelists',
  territory: (cc: string) => `http://uri.etsi.org/TrstSvc/TrustedList/schemerules/${cc.toUpperCase()}`,
} as const;

/** §5.5.1 service type identifiers used here. */
export const SERVICE_TYPE = {
  caQc: 'http://uri.etsi.org/TrstSvc/Svctype/CA/QC',
  caPkc: 'http://uri.etsi.org/TrstSvc/Svctype/CA/PKC',
  /** A qualified electronic time stamp service (RFC 3161 TSA). */
  tsaQtst: 'http://uri.etsi.org/TrstSvc/Svctype/TSA/QTST',
} as const;

/** §5.5.4 service status values (EU scheme, Annex D). */
export const SERVICE_STATUS = {
  granted: 'http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted',
  withdrawn: 'http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/withdrawn',
} as const;

export type ServiceStatusName = keyof typeof SERVICE_STATUS;

/** MIME type of an XML trusted list (§5.3.13, AdditionalInformation). */
export const TSL_MIME_TYPE = 'application/vnd.etsi.tsl+xml';

export const ALGORITHMS = {
  excC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  c14n: 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
  enveloped: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  rsaSha512: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  sha512: 'http://www.w3.org/2001/04/xmlenc#sha512',
} as const;
