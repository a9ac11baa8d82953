import { X509Certificate } from 'node:crypto';
import { create } from 'xmlbuilder2';
import type { TrustMaterial } from '../pki/types.ts';
import { grantedPeriods } from './anchors-from-trusted-list.ts';
import {
  address,
  type ListIssueOptions,
  names,
  pemToBase64,
  uriList,
  validateIssue,
  xmlDateTime,
} from './build-scheme-information.ts';
import { SERVICE_STATUS, TSL_NS, TSL_TAG, TSL_VERSION, XML_NS } from './constants.ts';
import { signList } from './sign-list.ts';
import type { VerifiedTrustedList } from './z-trusted-list.ts';

/**
 * The EUDI lists of trusted entities (LoTE) the federation publishes beside the national trusted lists: the
 * notified PID providers and the notified wallet providers. The identifiers are ETSI TS 119 602 v1.1.1's (Annex
 * for the EU PID providers list and the EU wallet providers list): the LoTEType, the status determination approach,
 * the scheme rules and the service type of issuance. The lists are written in the ETSI TS 119 612 XML shape (the
 * same schema as the national lists: TrustServiceStatusList, one TSP per provider, one TSPService whose
 * ServiceDigitalIdentity is the provider's certificate), with the TS 119 602 URIs in TSLType,
 * StatusDeterminationApproach, SchemeTypeCommunityRules and ServiceTypeIdentifier; SchemeTerritory EU, signed by the
 * LOTL signer (the Commission publishes these lists, ARF §3.5). Relying parties reach them from the LOTL.
 * @see https://www.etsi.org/deliver/etsi_ts/119600_119699/119602/01.01.01_60/ts_119602v010101p.pdf (LoTE, Annexes for PID and wallet providers)
 * @see https://github.com/eu-digital-identity-wallet/eudi-doc-architecture-and-reference-framework ARF §3.5, §6.5.3, OIA_12
 */
export const ENTITY_LISTS = {
  'pid-providers': {
    tslType: 'http://uri.etsi.org/19602/LoTEType/EUPIDProvidersList',
    statusDetermination: 'http://uri.etsi.org/19602/PIDProvidersList/StatusDetn/EU',
    schemeRules: 'http://uri.etsi.org/19602/PIDProviders/schemerules/EU',
    serviceType: 'http://uri.etsi.org/19602/SvcType/PID/Issuance',
    file: 'EU-pid-providers.xml',
    title: 'PID providers',
  },
  'wallet-providers': {
    tslType: 'http://uri.etsi.org/19602/LoTEType/EUWalletProvidersList',
    statusDetermination: 'http://uri.etsi.org/19602/WalletProvidersList/StatusDetn/EU',
    schemeRules: 'http://uri.etsi.org/19602/WalletProvidersList/schemerules/EU',
    serviceType: 'http://uri.etsi.org/19602/SvcType/WalletSolution/Issuance',
    file: 'EU-wallet-providers.xml',
    title: 'wallet providers',
  },
} as const;

export type EntityListKind = keyof typeof ENTITY_LISTS;

/** One listed provider: its name, its Member State, the certificate relying parties check its attestations with. */
export interface EntityListEntry {
  /** ISO 3166-1 alpha-2 of the notifying Member State. */
  country: string;
  name: string;
  certPem: string;
}

/** The URL at which the hub serves a list of trusted entities, beside the national lists. */
export function entityListUrl(hubUrl: string, kind: EntityListKind): string {
  return `${hubUrl.replace(/\/+$/, '')}/trust/tl/${ENTITY_LISTS[kind].file}`;
}

/** The kind of list a LOTL pointer's TSLType names, or undefined for a national trusted list. */
export function entityListKindOf(tslType: string): EntityListKind | undefined {
  return (Object.keys(ENTITY_LISTS) as EntityListKind[]).find((k) => ENTITY_LISTS[k].tslType === tslType);
}

/**
 * Builds and signs a list of trusted entities (see {@link ENTITY_LISTS}): one TrustServiceProvider per entry, its
 * service of the list's issuance type, granted since the material's validity epoch, the entry's certificate as its
 * digital identity. Signed by the LOTL signer (`material.hub.signing`).
 * @see https://www.etsi.org/deliver/etsi_ts/119600_119699/119612/ §5.5 (service information, the XML shape)
 */
export function buildEntityList(
  material: TrustMaterial,
  kind: EntityListKind,
  entries: readonly EntityListEntry[],
  options: ListIssueOptions & { hubUrl?: string },
): string {
  validateIssue(options);
  const def = ENTITY_LISTS[kind];
  const hubUrl = (options.hubUrl ?? material.hubUrl).replace(/\/+$/, '');
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele(TSL_NS, 'TrustServiceStatusList', {
    TSLTag: TSL_TAG,
    Id: `LoTE-${kind}`,
  });
  const si = root.ele('SchemeInformation');
  si.ele('TSLVersionIdentifier').txt(String(TSL_VERSION));
  si.ele('TSLSequenceNumber').txt(String(options.sequenceNumber));
  si.ele('TSLType').txt(def.tslType);
  names(si, 'SchemeOperatorName', 'Kakehashi Core Service Platform (TEST ONLY)');
  address(si, 'SchemeOperatorAddress', {
    street: 'Test-only hub, no postal address',
    locality: 'Kakehashi',
    country: 'EU',
    email: 'mailto:trust@kakehashi.test',
    web: hubUrl,
  });
  names(si, 'SchemeName', `EU:List of notified ${def.title} of the Kakehashi test federation (TEST ONLY)`);
  uriList(si, 'SchemeInformationURI', [`${hubUrl}/trust`]);
  si.ele('StatusDeterminationApproach').txt(def.statusDetermination);
  uriList(si, 'SchemeTypeCommunityRules', [def.schemeRules]);
  si.ele('SchemeTerritory').txt('EU');
  si.ele('PolicyOrLegalNotice')
    .ele('TSLLegalNotice')
    .att(XML_NS, 'xml:lang', 'en')
    .txt('TEST ONLY. Generated by Kakehashi, a mock federation; it has no legal effect and its keys protect nothing.');
  si.ele('HistoricalInformationPeriod').txt('65535');
  si.ele('ListIssueDateTime').txt(xmlDateTime(options.issueDate));
  si.ele('NextUpdate').ele('dateTime').txt(xmlDateTime(options.nextUpdate));
  si.ele('DistributionPoints').ele('URI').txt(entityListUrl(hubUrl, kind));
  const tspList = root.ele('TrustServiceProviderList');
  for (const entry of entries) {
    const tsp = tspList.ele('TrustServiceProvider');
    const info = tsp.ele('TSPInformation');
    names(info, 'TSPName', entry.name);
    address(info, 'TSPAddress', {
      street: 'Test-only provider, no postal address',
      locality: 'Kakehashi',
      country: entry.country.toUpperCase(),
      email: `mailto:${kind}-${entry.country.toLowerCase()}@kakehashi.test`,
      web: hubUrl,
    });
    uriList(info, 'TSPInformationURI', [`${hubUrl}/trust`]);
    const s = tsp.ele('TSPServices').ele('TSPService').ele('ServiceInformation');
    s.ele('ServiceTypeIdentifier').txt(def.serviceType);
    names(s, 'ServiceName', `${entry.name} (${entry.country.toUpperCase()})`);
    s.ele('ServiceDigitalIdentity').ele('DigitalId').ele('X509Certificate').txt(pemToBase64(entry.certPem));
    s.ele('ServiceStatus').txt(SERVICE_STATUS.granted);
    s.ele('StatusStartingTime').txt(xmlDateTime(new Date(material.validityEpoch)));
  }
  return signList(root.end({ prettyPrint: true }), material.hub.signing, {
    signatureId: `sig-LoTE-${kind}`,
    referenceId: `ref-LoTE-${kind}`,
  });
}

/** Whether a certificate is on a verified list of trusted entities, and why (or why not). */
export interface EntityListing {
  listed: boolean;
  reason: string;
  /** The listed service's name, when listed. */
  service?: string;
}

/**
 * Looks a certificate up in a verified list of trusted entities: listed when a service of the list's issuance type
 * has exactly this certificate (DER-equal) as its digital identity and was granted at `at` (its status history).
 * @see https://www.etsi.org/deliver/etsi_ts/119600_119699/119602/01.01.01_60/ts_119602v010101p.pdf (trusted entity services)
 */
export function entityListing(
  list: Pick<VerifiedTrustedList, 'services'> | undefined,
  kind: EntityListKind,
  certPem: string,
  at: Date,
): EntityListing {
  const def = ENTITY_LISTS[kind];
  if (!list) return { listed: false, reason: `No list of ${def.title} is loaded from the LOTL.` };
  let der: Buffer;
  try {
    der = new X509Certificate(certPem).raw;
  } catch {
    return { listed: false, reason: 'Not a certificate.' };
  }
  for (const service of list.services) {
    if (service.type !== def.serviceType) continue;
    if (!service.certificatesPem.some((pem) => new X509Certificate(pem).raw.equals(der))) continue;
    const granted = grantedPeriods(service).some(
      (p) => p.from.getTime() <= at.getTime() && (!p.to || at.getTime() < p.to.getTime()),
    );
    return granted
      ? {
          listed: true,
          reason: `Listed as "${service.serviceName}" on the list of ${def.title}.`,
          service: service.serviceName,
        }
      : {
          listed: false,
          reason: `"${service.serviceName}" is on the list of ${def.title} but not granted at ${at.toISOString()}.`,
        };
  }
  return {
    listed: false,
    reason: `The certificate is not on the list of ${def.title} (ETSI TS 119 602, reached from the LOTL).`,
  };
}
