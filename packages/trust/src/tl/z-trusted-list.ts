import type { TrustAnchor } from '../path/z-path.ts';

/**
 * What the trusted-list verifiers return (ETSI TS 119 612), apart from the verifiers themselves so that the
 * anchors derived from a list and the verification share these types without importing each other.
 */

/** What both verifiers return about the list itself. */
export interface VerifiedListInfo {
  tslType: string;
  territory: string;
  sequenceNumber: number;
  issueDate: Date;
  nextUpdate: Date;
  schemeOperatorName: string;
  /** The pinned certificate whose key verified the signature. */
  signerCertPem: string;
}

/**
 * One OtherTSLPointer of the LOTL.
 * @see https://www.etsi.org/deliver/etsi_ts/119600_119699/119612/ §5.3.13
 */
export interface TslPointer {
  territory: string;
  location: string;
  tslType: string;
  mimeType?: string;
  schemeOperatorName?: string;
  /** The certificates allowed to sign the pointed-to list (PEM): pass them to verifyTrustedList as `signerCerts`. */
  signerCerts: string[];
  /** Same as `signerCerts`. */
  signerCertsPem: string[];
}

/** A verified list of trusted lists: its information and the pointers to the national lists. */
export interface VerifiedLotl extends VerifiedListInfo {
  pointers: TslPointer[];
}

/**
 * A past status of a service (ServiceHistoryInstance).
 * @see https://www.etsi.org/deliver/etsi_ts/119600_119699/119612/ §5.6
 */
export interface ServiceHistoryItem {
  type: string;
  serviceName: string;
  status: string;
  statusStartingTime: Date;
}

/**
 * One TSPService of a trusted list.
 * @see https://www.etsi.org/deliver/etsi_ts/119600_119699/119612/ §5.5
 */
export interface TrustedService {
  tspName: string;
  serviceName: string;
  type: string;
  /** Status URI, e.g. `http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted`. */
  status: string;
  /** Convenience: `granted`, `withdrawn` or `other`. */
  statusName: 'granted' | 'withdrawn' | 'other';
  statusStartingTime: Date;
  certificatesPem: string[];
  /** Earlier statuses, most recent first. */
  history: ServiceHistoryItem[];
}

/** A verified national trusted list: its information, services and the trust anchors they give. */
export interface VerifiedTrustedList extends VerifiedListInfo {
  services: TrustedService[];
  /** Trust anchors of this list: the CA/QC and CA/PKC service certificates with their granted periods. */
  anchors: TrustAnchor[];
}
