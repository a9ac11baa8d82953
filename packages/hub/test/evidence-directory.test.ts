import { describe, expect, it } from 'vitest';
import { loadEvidenceDirectory } from '../src/evidence/evidence-directory.ts';

describe("the evidence broker's data file", () => {
  const dir = loadEvidenceDirectory();

  it('covers the seven countries, each requirement in each country that has a register for it', () => {
    const countries = new Set(dir.evidenceTypes.map((t) => t.country));
    expect([...countries].sort()).toEqual(['AT', 'DE', 'EE', 'ES', 'FR', 'IT', 'JP']);
    for (const cc of countries)
      for (const r of dir.requirements)
        expect(
          dir.evidenceTypes.some((t) => t.country === cc && t.requirements.includes(r.id)),
          `${r.id} in ${cc}`,
        ).toBe(true);
  });

  it("lists Japan's municipality issuing the residence certificate (住民票の写し)", () => {
    const jp = dir.evidenceTypes.find((t) => t.country === 'JP' && t.requirements.includes('proof-of-residence'));
    expect(jp).toMatchObject({ titleLocal: '住民票の写し', providers: ['urn:kakehashi:participant:jp:setagaya-city'] });
  });

  it("every provider is a participant of its own country's node", () => {
    for (const t of dir.evidenceTypes)
      for (const p of t.providers)
        expect(p.startsWith(`urn:kakehashi:participant:${t.country.toLowerCase()}:`)).toBe(true);
  });
});
