import { KakehashiError } from '@kakehashi/core';
import { create } from 'xmlbuilder2';
import type { CountryMaterial, KeyCert, TrustMaterial } from '../pki/types.ts';
import {
  address,
  type ListIssueOptions,
  names,
  pemToBase64,
  uriList,
  validateIssue,
  type XMLBuilder,
  xmlDateTime,
} from './build-scheme-information.ts';
import {
  SCHEME_RULES,
  SERVICE_STATUS,
  SERVICE_TYPE,
  type ServiceStatusName,
  STATUS_DETERMINATION,
  TSL_NS,
  TSL_TAG,
  TSL_TYPE,
  TSL_VERSION,
  XML_NS,
} from './constants.ts';
import { signList } from './sign-list.ts';

/** A status a service had (or has) from `statusStartingTime` on. */
export interface ServiceStatusEntry {
  status: ServiceStatusName;
  statusStartingTime: Date;
}

/**
 * Status of one listed CA (keyed by KeyCert name in {@link BuildTrustedListOptions.services}): the current
 * status, and earlier statuses (any order) which become ServiceHistoryInstance entries.
 */
export interface ServiceStatusInput extends ServiceStatusEntry {
  history?: ServiceStatusEntry[];
}

export interface BuildTrustedListOptions extends ListIssueOptions {
  /** The hub's public origin (defaults to the material's). */
  hubUrl?: string;
  /**
   * Status per listed CA, by KeyCert name (e.g. `DE-issuing-ca`). Unlisted CAs are `granted` since the
   * material's validity epoch. Use this to withdraw a CA (`{ status: 'withdrawn', statusStartingTime,
   * history: [{ status: 'granted', statusStartingTime: epoch }] }`).
   */
  services?: Record<string, ServiceStatusInput>;
}

/** TSLType of a country's list: EUgeneric for member states, the third-country `CClist` for Japan (JPKI). */
export function trustedListTypeFor(country: Pick<CountryMaterial, 'code' | 'jpki'>): string {
  return isThirdCountry(country) ? TSL_TYPE.thirdCountry(country.code) : TSL_TYPE.euGeneric;
}

function isThirdCountry(country: Pick<CountryMaterial, 'code' | 'jpki'>): boolean {
  return country.code === 'JP' || country.jpki !== undefined;
}

interface Tsp {
  name: string;
  services: { keyCert: KeyCert; serviceName: string; type?: string }[];
}

function tspsOf(country: CountryMaterial): Tsp[] {
  const tsps: Tsp[] = [
    {
      name: `${country.name} national node CA (Kakehashi TEST ONLY)`,
      services: [
        { keyCert: country.rootCa, serviceName: `Kakehashi ${country.code} Root CA (TEST)` },
        { keyCert: country.issuingCa, serviceName: `Kakehashi ${country.code} Issuing CA (TEST)` },
      ],
    },
  ];
  if (country.jpki) {
    tsps.push({
      name: 'J-LIS JPKI (Kakehashi mock, TEST ONLY)',
      services: [
        { keyCert: country.jpki.rootCa, serviceName: 'JPKI TEST Root CA' },
        { keyCert: country.jpki.ca, serviceName: 'JPKI test CA' },
      ],
    });
  }
  // The RFC 3161 time-stamping unit B-T signatures rely on (ETSI TS 119 612 §5.5.1.1 service type TSA/QTST).
  tsps.push({
    name: `${country.name} time-stamping authority (Kakehashi TEST ONLY)`,
    services: [
      {
        keyCert: country.tsa,
        serviceName: `Kakehashi ${country.code} Time-Stamping Unit (TEST)`,
        type: SERVICE_TYPE.tsaQtst,
      },
    ],
  });
  return tsps;
}

function serviceIdentity(parent: XMLBuilder, certPem: string): void {
  parent.ele('ServiceDigitalIdentity').ele('DigitalId').ele('X509Certificate').txt(pemToBase64(certPem));
}

/**
 * Builds and signs a country's trusted list (ETSI TS 119 612 §5.3-§5.6): one TSP for the national node's CAs
 * (root and issuing CA, service type CA/QC), for Japan one for the JPKI CAs, and one for the country's
 * time-stamping unit (service type TSA/QTST, the TSA certificate as its digital identity). Each service has its current
 * status (§5.5.4, default granted since the validity epoch) with StatusStartingTime, and a ServiceHistory
 * (§5.5.10, most recent first) when earlier statuses are given. Japan's list is a third-country list
 * (TSLType `JPlist`, SchemeTerritory JP) for EU–Japan mutual recognition.
 * Signed by the country's TL signer (`country.tlSigner`), see {@link signList}.
 * @see https://www.etsi.org/deliver/etsi_ts/119600_119699/119612/ §5.5 (service information)
 */
export function buildTrustedList(material: TrustMaterial, cc: string, options: BuildTrustedListOptions): string {
  validateIssue(options);
  const code = cc.toUpperCase();
  const country = material.countries[code];
  if (!country) throw new KakehashiError('unknown-country', `No country ${code} in the trust material.`);
  const hubUrl = (options.hubUrl ?? material.hubUrl).replace(/\/+$/, '');
  const thirdCountry = isThirdCountry(country);
  const epoch = new Date(material.validityEpoch);
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele(TSL_NS, 'TrustServiceStatusList', {
    TSLTag: TSL_TAG,
    Id: `TL-${code}`,
  });
  const si = root.ele('SchemeInformation');
  si.ele('TSLVersionIdentifier').txt(String(TSL_VERSION));
  si.ele('TSLSequenceNumber').txt(String(options.sequenceNumber));
  si.ele('TSLType').txt(trustedListTypeFor(country));
  names(si, 'SchemeOperatorName', `${country.name} trusted list scheme operator (Kakehashi TEST ONLY)`);
  address(si, 'SchemeOperatorAddress', {
    street: 'Test-only node, no postal address',
    locality: 'Kakehashi',
    country: code,
    email: `mailto:trust-${code.toLowerCase()}@kakehashi.test`,
    web: hubUrl,
  });
  names(si, 'SchemeName', `${code}:Trusted list of the Kakehashi ${country.name} test node (TEST ONLY)`);
  uriList(si, 'SchemeInformationURI', [`${hubUrl}/trust`]);
  si.ele('StatusDeterminationApproach').txt(
    thirdCountry ? STATUS_DETERMINATION.thirdCountry(code) : STATUS_DETERMINATION.euAppropriate,
  );
  uriList(
    si,
    'SchemeTypeCommunityRules',
    thirdCountry ? [SCHEME_RULES.territory(code)] : [SCHEME_RULES.euCommon, SCHEME_RULES.territory(code)],
  );
  si.ele('SchemeTerritory').txt(code);
  si.ele('PolicyOrLegalNotice')
    .ele('TSLLegalNotice')
    .att(XML_NS, 'xml:lang', 'en')
    .txt(
      thirdCountry
        ? 'TEST ONLY. Third-country trusted list for mutual recognition in the Kakehashi mock federation; no legal effect.'
        : 'TEST ONLY. Generated by Kakehashi, a mock federation; it has no legal effect and its keys protect nothing.',
    );
  si.ele('HistoricalInformationPeriod').txt('65535');
  si.ele('ListIssueDateTime').txt(xmlDateTime(options.issueDate));
  si.ele('NextUpdate').ele('dateTime').txt(xmlDateTime(options.nextUpdate));
  si.ele('DistributionPoints').ele('URI').txt(`${hubUrl}/trust/tl/${code}.xml`);

  const tspList = root.ele('TrustServiceProviderList');
  for (const tsp of tspsOf(country)) {
    const tspEl = tspList.ele('TrustServiceProvider');
    const info = tspEl.ele('TSPInformation');
    names(info, 'TSPName', tsp.name);
    address(info, 'TSPAddress', {
      street: 'Test-only TSP, no postal address',
      locality: 'Kakehashi',
      country: code,
      email: `mailto:tsp-${code.toLowerCase()}@kakehashi.test`,
      web: hubUrl,
    });
    uriList(info, 'TSPInformationURI', [`${hubUrl}/trust`]);
    const services = tspEl.ele('TSPServices');
    for (const svc of tsp.services) {
      const input: ServiceStatusInput = options.services?.[svc.keyCert.name] ?? {
        status: 'granted',
        statusStartingTime: epoch,
      };
      const s = services.ele('TSPService');
      const si2 = s.ele('ServiceInformation');
      si2.ele('ServiceTypeIdentifier').txt(svc.type ?? SERVICE_TYPE.caQc);
      names(si2, 'ServiceName', svc.serviceName);
      serviceIdentity(si2, svc.keyCert.certPem);
      si2.ele('ServiceStatus').txt(SERVICE_STATUS[input.status]);
      si2.ele('StatusStartingTime').txt(xmlDateTime(input.statusStartingTime));
      // CAs: where their CRL is published. (A TSA's supply point is the node's /tsa endpoint, unknown here.)
      if (svc.keyCert.certificate.ca)
        si2.ele('ServiceSupplyPoints').ele('ServiceSupplyPoint').txt(`${hubUrl}/trust/crl/${svc.keyCert.name}.crl`);
      const history = [...(input.history ?? [])].sort(
        (a, b) => b.statusStartingTime.getTime() - a.statusStartingTime.getTime(),
      );
      if (history.length > 0) {
        const h = s.ele('ServiceHistory');
        for (const entry of history) {
          const hi = h.ele('ServiceHistoryInstance');
          hi.ele('ServiceTypeIdentifier').txt(svc.type ?? SERVICE_TYPE.caQc);
          names(hi, 'ServiceName', svc.serviceName);
          serviceIdentity(hi, svc.keyCert.certPem);
          hi.ele('ServiceStatus').txt(SERVICE_STATUS[entry.status]);
          hi.ele('StatusStartingTime').txt(xmlDateTime(entry.statusStartingTime));
        }
      }
    }
  }
  return signList(root.end({ prettyPrint: true }), country.tlSigner, {
    signatureId: `sig-TL-${code}`,
    referenceId: `ref-TL-${code}`,
  });
}
