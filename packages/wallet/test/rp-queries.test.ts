import { DcqlQuery } from 'dcql';
import { describe, expect, it } from 'vitest';
import { isAgeAtLeast, PID_CLAIM_NAMES } from '../src/issuer/pid-claims.ts';
import { parseRpQueryChoice, RP_QUERY_CHOICES, rpQuery, rpQueryChoices } from '../src/verifier/rp-queries.ts';
import { claimLabel } from '../src/web/page-text.ts';

/** What the relying party's page lets a person choose it asks for (issue 17, the person's side). */
describe("the relying party page's queries", () => {
  it('each choice is a valid DCQL query of one credential', () => {
    for (const choice of RP_QUERY_CHOICES) {
      const q = DcqlQuery.parse(rpQuery(choice, 'DE') as never);
      expect(() => DcqlQuery.validate(q), choice).not.toThrow();
      expect(q.credentials, choice).toHaveLength(1);
    }
  });

  it('asks for what the choice says: the age statement alone, names and birth date, the whole PID, mdoc, residence', () => {
    const paths = (choice: (typeof RP_QUERY_CHOICES)[number]) =>
      rpQuery(choice, 'DE').credentials[0]?.claims.map((c) => c.path);
    expect(paths('age')).toEqual([['age_equal_or_over', '18']]);
    expect(paths('name-birthdate')).toEqual([['family_name'], ['given_name'], ['birthdate']]);
    expect(paths('login')).toContainEqual(['eidas_person_identifiers', 'DE']);
    expect(paths('pid-full')).toEqual(PID_CLAIM_NAMES.map((n) => [n]));
    expect(rpQuery('pid-mdoc', 'DE').credentials[0]).toMatchObject({
      format: 'mso_mdoc',
      meta: { doctype_value: 'eu.europa.ec.eudi.pid.1' },
    });
    expect(paths('pid-mdoc')).toContainEqual(['eu.europa.ec.eudi.pid.1', 'age_over_18']);
    expect(rpQuery('residence', 'DE').credentials[0]?.meta).toEqual({
      vct_values: ['urn:kakehashi:jp:setagaya:residence:1'],
    });
  });

  it("offers Setagaya's attestation only where Japan is a peer; an unknown choice is the sign-in", () => {
    expect(rpQueryChoices(['EE', 'JP'])).toEqual([...RP_QUERY_CHOICES]);
    expect(rpQueryChoices(['EE'])).not.toContain('residence');
    expect(parseRpQueryChoice('residence', rpQueryChoices(['EE']))).toBe('login');
    expect(parseRpQueryChoice('age', rpQueryChoices(['EE']))).toBe('age');
    expect(parseRpQueryChoice(null, RP_QUERY_CHOICES)).toBe('login');
  });

  it('the age statement is true from the 18th birthday on (29 February: from 1 March)', () => {
    expect(isAgeAtLeast('2008-06-01', new Date('2026-05-31T23:59:59Z'), 18)).toBe(false);
    expect(isAgeAtLeast('2008-06-01', new Date('2026-06-01T00:00:00Z'), 18)).toBe(true);
    expect(isAgeAtLeast('2008-02-29', new Date('2026-02-28T12:00:00Z'), 18)).toBe(false);
    expect(isAgeAtLeast('2008-02-29', new Date('2026-03-01T00:00:00Z'), 18)).toBe(true);
  });

  it('labels the age statement and the mdoc and residence names in English and Japanese', () => {
    expect(claimLabel(['age_equal_or_over', '18'], 'en')).toBe('Age 18 or over');
    expect(claimLabel(['age_equal_or_over', '18'], 'ja')).toBe('18 歳以上');
    expect(claimLabel(['eu.europa.ec.eudi.pid.1', 'birth_date'], 'ja')).toBe('生年月日');
    expect(claimLabel(['eu.europa.ec.eudi.pid.1', 'age_over_18'], 'en')).toBe('Age over 18');
    expect(claimLabel(['family_name_latin'], 'ja')).toBe('姓（ローマ字）');
  });
});
