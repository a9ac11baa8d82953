import { SeededRandom } from '@kakehashi/core';
import type { EvidenceFacts, EvidenceKind, EvidenceSource, SubjectRecord } from '../deps.ts';

/** The persona fields this source reads (structurally a `@kakehashi/personas` Persona). */
export interface PersonaLike {
  id: string;
  familyName: string;
  givenName: string;
  familyNameLatin: string;
  givenNameLatin: string;
  dateOfBirth: string;
  gender: string;
  placeOfBirth: string;
  address: { full: string; fullLatin: string; city: string };
}

export interface AgencyLike {
  id: string;
  name: string;
  nameLocal?: string | undefined;
}

/** Parses `CC/DEST/opaque`. */
export function splitPersonIdentifier(pid: string): { issuing: string; destination: string } | undefined {
  const m = /^([A-Z]{2})\/([A-Z]{2})\/\S+$/.exec(pid);
  return m ? { issuing: m[1] as string, destination: m[2] as string } : undefined;
}

/** Finds the persona whose PersonIdentifier for the identifier's destination is `pid` (cached per destination). */
export function createIdentifierResolver(
  country: string,
  personas: readonly { id: string }[],
  personIdentifier: (personaId: string, destination: string) => string | undefined,
): (pid: string) => string | undefined {
  const byDest = new Map<string, Map<string, string>>();
  return (pid) => {
    const parts = splitPersonIdentifier(pid);
    if (!parts || parts.issuing !== country) return undefined;
    let map = byDest.get(parts.destination);
    if (!map) {
      map = new Map();
      for (const p of personas) {
        const id = personIdentifier(p.id, parts.destination);
        if (id) map.set(id, p.id);
      }
      byDest.set(parts.destination, map);
    }
    return map.get(pid);
  };
}

export function subjectOf(p: PersonaLike): SubjectRecord {
  return {
    familyName: p.familyName,
    givenName: p.givenName,
    familyNameLatin: p.familyNameLatin,
    givenNameLatin: p.givenNameLatin,
    dateOfBirth: p.dateOfBirth,
    gender: p.gender,
    address: p.address.full,
    placeOfBirth: p.placeOfBirth,
  };
}

/**
 * The evidence a country's agencies hold about its synthetic personas: the register's facts (address, date and
 * place of birth) and income figures derived from the seed (the same person always gets the same figures).
 * Persons are resolved from their PersonIdentifier with the node's own construction. TEST ONLY data.
 */
export function createPersonaSource(opts: {
  country: string;
  seed: string;
  personas: readonly PersonaLike[];
  agencies: readonly AgencyLike[];
  personIdentifier: (personaId: string, destination: string) => string | undefined;
}): EvidenceSource {
  const resolve = createIdentifierResolver(opts.country, opts.personas, opts.personIdentifier);
  const persona = (id: string) => opts.personas.find((p) => p.id === id);
  return {
    resolve: async (pid) => resolve(pid),
    person: async (handle) => {
      const p = persona(handle);
      return p ? subjectOf(p) : undefined;
    },
    facts: async ({ handle, agencyId, kind }): Promise<EvidenceFacts> => {
      const p = persona(handle);
      const agency = opts.agencies.find((a) => a.id === agencyId);
      if (!p || !agency) return { found: false, reason: 'The provider holds no record for this person.' };
      return {
        found: true,
        subject: subjectOf(p),
        issuer: { name: agency.name, ...(agency.nameLocal ? { nameLocal: agency.nameLocal } : {}) },
        facts: personaFacts(opts.seed, p, kind),
      };
    },
  };
}

function personaFacts(seed: string, p: PersonaLike, kind: EvidenceKind): Record<string, string> {
  const r = new SeededRandom(seed, `evidence/${kind}/${p.id}`);
  switch (kind) {
    case 'residence':
      return {
        address: p.address.full,
        addressLatin: p.address.fullLatin,
        residenceType: 'main residence',
        registeredSince: `${2000 + r.int(25)}-${String(1 + r.int(12)).padStart(2, '0')}-01`,
      };
    case 'birth':
      return { dateOfBirth: p.dateOfBirth, placeOfBirth: p.placeOfBirth, sex: p.gender };
    case 'income':
      return {
        fiscalYear: '2025',
        taxableIncome: String(Math.round((18_000 + r.int(70_000)) / 100) * 100),
        currency: 'EUR',
      };
  }
}
