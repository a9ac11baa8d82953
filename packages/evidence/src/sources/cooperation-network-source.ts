import type { EvidenceFacts, EvidenceSource, ExchangeRecord } from '../deps.ts';
import { createIdentifierResolver, type PersonaLike, subjectOf } from './persona-source.ts';

/** Japan's basic four facts (基本4情報) as J-LIS holds them. */
export interface FourFactsLike {
  name: string;
  dateOfBirth: string;
  gender: 'male' | 'female';
  address: string;
}

/** What this source needs of an agency's intermediary server (structurally `@kakehashi/jp-network`'s). */
export interface IntermediaryServerLike {
  agency: { id: string; name: string; nameLocal?: string | undefined; kind: string };
  obtainCode(proof: { fourFacts: FourFactsLike }): Promise<string>;
  subjectByCode(code: string):
    | {
        internal_id: string;
        name: string | null;
        date_of_birth: string | null;
        gender: string | null;
        address: string | null;
      }
    | undefined;
  dataOf(internalId: string): Record<string, unknown>;
  records: { append(copy: 'provider', actor: string, subject: string | null, record: AccessRecordLike): void };
}

/** The fields of an access record (My Number Act art. 23), as the Cooperation Network keeps them. */
export interface AccessRecordLike {
  requestId: string;
  requester: { id: string; name: string };
  provider: { id: string; name: string };
  procedure: { id: string; name: string; nameLocal?: string };
  legalBasis?: string;
  ruleId?: string;
  items: string[];
  requestedAt: string;
  providedAt: string | null;
  outcome: 'provided' | 'refused';
  refusal?: { code: string; reason: string };
  nonDisclosure: boolean;
}

/** What this source needs of Japan's Cooperation Network (structurally `CooperationNetwork`). */
export interface CooperationNetworkLike {
  ready(): Promise<void>;
  xborderIdentifiers: { personIdentifier(personaId: string, destination: string): string };
  servers: ReadonlyMap<string, IntermediaryServerLike>;
  network: {
    records: { append(copy: 'network', actor: string, subject: string | null, record: AccessRecordLike): void };
  };
}

/** Japanese personas carry the basic four facts J-LIS holds. */
export interface JapanesePersonaLike extends PersonaLike {
  fourFacts?: FourFactsLike | undefined;
}

const ITEM_OF_KIND = {
  residence: 'resident-record-certificate',
  birth: 'family-register',
  income: 'income-certificate',
};

/**
 * Japan as an evidence provider, through the Cooperation Network and never through My Number:
 * 1. the eIDAS PersonIdentifier `JP/<dest>/…` is resolved with the network's cross-border construction (keyed by
 *    the custodian from the link id: `xborderIdentifiers`) to the J-LIS resident;
 * 2. the issuing agency's intermediary server obtains **its own code** for that resident through the
 *    acquisition-number flow (network → J-LIS, the code sealed to the agency), and finds its own record by it;
 * 3. the evidence is built from what that agency holds (address and household from the municipality's resident
 *    record; income from its tax assessment, or the National Tax Agency's);
 * 4. the exchange is written to the agency's provider copy and to the network's copy of the access records, so the
 *    citizen sees it in the portal ("who asked what, when, why").
 * @see ../../../shared/design/jp-cooperation-network.md
 */
export function createCooperationNetworkSource(opts: {
  network: CooperationNetworkLike;
  personas: readonly JapanesePersonaLike[];
  /** The network's record-subject key for an agency's code (`recordSubject(network, resolveCode(…).linkId)`). */
  recordSubjectOf(agencyId: string, code: string): string;
}): EvidenceSource {
  const { network } = opts;
  const resolve = createIdentifierResolver('JP', opts.personas, (id, dest) => {
    try {
      return network.xborderIdentifiers.personIdentifier(id, dest);
    } catch {
      return undefined; // not enrolled at J-LIS
    }
  });
  const persona = (id: string) => opts.personas.find((p) => p.id === id);
  const codes = new Map<string, string>();
  const codeOf = async (server: IntermediaryServerLike, handle: string): Promise<string | undefined> => {
    const key = `${server.agency.id}/${handle}`;
    const hit = codes.get(key);
    if (hit) return hit;
    const p = persona(handle);
    if (!p?.fourFacts) return undefined;
    await network.ready();
    const code = await server.obtainCode({ fourFacts: p.fourFacts });
    codes.set(key, code);
    return code;
  };

  return {
    resolve: async (pid) => resolve(pid),
    person: async (handle) => {
      const p = persona(handle);
      return p ? subjectOf(p) : undefined;
    },
    facts: async ({ handle, agencyId, kind }): Promise<EvidenceFacts> => {
      const server = network.servers.get(agencyId);
      if (!server) return { found: false, reason: `${agencyId} keeps no records that can be issued as evidence.` };
      let code = await codeOf(server, handle);
      if (code && !server.subjectByCode(code)) {
        // A cached code may have been replaced by a key rotation: ask the network again once.
        codes.delete(`${server.agency.id}/${handle}`);
        code = await codeOf(server, handle);
      }
      const own = code ? server.subjectByCode(code) : undefined;
      if (!code || !own)
        return {
          found: false,
          reason: `${server.agency.name} holds no record for this person (looked up by its own code).`,
        };
      const data = server.dataOf(own.internal_id);
      const p = persona(handle);
      const subject = {
        ...(p ? subjectOf(p) : { familyName: own.name ?? '', givenName: '', dateOfBirth: own.date_of_birth ?? '' }),
        ...(own.address ? { address: own.address } : {}),
      };
      const issuer = {
        name: server.agency.name,
        ...(server.agency.nameLocal ? { nameLocal: server.agency.nameLocal } : {}),
      };
      if (kind === 'residence' && server.agency.kind === 'municipality') {
        const household = data['household-composition'] as { members?: number; children?: number } | undefined;
        return {
          found: true,
          subject,
          issuer,
          facts: {
            '氏名 (name)': own.name ?? '',
            '生年月日 (date of birth)': own.date_of_birth ?? '',
            '性別 (sex)': own.gender ?? '',
            '住所 (address)': own.address ?? '',
            '世帯の人数 (household members)': String(household?.members ?? 1),
            'municipality record': `${server.agency.name} resident record (looked up by the municipality's own code)`,
          },
        };
      }
      if (kind === 'income') {
        const local = data['local-tax-income'] as
          | { fiscalYear?: number; taxableIncomeJpy?: number; residentTaxJpy?: number }
          | undefined;
        const national = data.income as { fiscalYear?: number; totalIncomeJpy?: number } | undefined;
        if (local)
          return {
            found: true,
            subject,
            issuer,
            facts: {
              fiscalYear: String(local.fiscalYear ?? ''),
              '課税所得 (taxable income, JPY)': String(local.taxableIncomeJpy ?? ''),
              '住民税額 (resident tax, JPY)': String(local.residentTaxJpy ?? ''),
            },
          };
        if (national)
          return {
            found: true,
            subject,
            issuer,
            facts: {
              fiscalYear: String(national.fiscalYear ?? ''),
              '所得金額 (declared income, JPY)': String(national.totalIncomeJpy ?? ''),
            },
          };
      }
      if (kind === 'birth')
        return {
          found: false,
          reason: `${server.agency.name} keeps no family register (戸籍) for this person: it is kept by the municipality of the registered domicile (本籍地).`,
        };
      return { found: false, reason: `${server.agency.name} holds no such evidence for this person.` };
    },
    record: async (r: ExchangeRecord) => {
      const server = network.servers.get(r.provider.agencyId);
      if (!server) return;
      const code = await codeOf(server, r.handle);
      if (!code) return;
      const record: AccessRecordLike = {
        requestId: r.requestId,
        requester: {
          id: r.requester.participantId,
          name: `${r.requester.name}${r.requester.country ? ` (${r.requester.country})` : ''} — cross-border request`,
        },
        provider: { id: server.agency.id, name: server.agency.name },
        procedure: {
          id: 'oots/explicit-request',
          name: `Evidence for a procedure abroad at the person's explicit request: ${r.procedure}`,
          nameLocal: '本人の求めによる国外の手続のための証明書の提供',
        },
        legalBasis:
          "The person's explicit request, re-authentication and consent at the preview (once-only exchange; Kakehashi mock, no statutory row)",
        ruleId: 'oots/explicit-request',
        items: [ITEM_OF_KIND[r.evidenceType.kind]],
        requestedAt: r.requestedAt,
        providedAt: r.providedAt,
        outcome: r.outcome,
        ...(r.refusal ? { refusal: r.refusal } : {}),
        nonDisclosure: false,
      };
      server.records.append('provider', 'oots-gateway', code, record);
      network.network.records.append('network', 'oots-gateway', opts.recordSubjectOf(server.agency.id, code), record);
    },
  };
}
