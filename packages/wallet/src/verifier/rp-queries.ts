import { RESIDENCE_VCT } from '../attestation/residence.ts';
import { PID_CLAIM_NAMES, PID_VCT } from '../issuer/pid-claims.ts';
import { PID_DOCTYPE, PID_NAMESPACE } from '../mdoc/pid-mdoc.ts';

/**
 * What the relying party's page can ask a wallet for, as the person chooses it:
 * - `login`: the PID's names, birth date and the eIDAS identifier of the verifier's country (a sign-in that gets the
 *   same identifier as an eIDAS login);
 * - `age`: the PID's `age_equal_or_over` 18 alone (data minimisation: nothing else);
 * - `name-birthdate`: the PID's names and birth date;
 * - `pid-full`: every claim of the PID rulebook the PID carries;
 * - `pid-mdoc`: the PID as ISO mdoc (`mso_mdoc`, doctype and namespace `eu.europa.ec.eudi.pid.1`): names, birth date,
 *   nationality, `age_over_18`;
 * - `residence`: Setagaya City's certificate of residence (Japan's attestation of attributes, by its `vct`): names in
 *   Latin script, birth date and address — offered where the node can verify it (Japan in the federation: its CA is
 *   reached from the LOTL's pointer to Japan's trusted list).
 * @see https://openid.net/specs/openid-4-verifiable-presentations-1_0-final.html#section-6 (DCQL)
 */
export const RP_QUERY_CHOICES = ['login', 'age', 'name-birthdate', 'pid-full', 'pid-mdoc', 'residence'] as const;
export type RpQueryChoice = (typeof RP_QUERY_CHOICES)[number];

/** The choices a relying party at `country` offers: Setagaya's attestation only when Japan is a peer. */
export function rpQueryChoices(peers: readonly string[]): RpQueryChoice[] {
  return RP_QUERY_CHOICES.filter((c) => c !== 'residence' || peers.includes('JP'));
}

/** A choice as read from a form: one of the offered, else the sign-in. */
export function parseRpQueryChoice(value: string | null, offered: readonly RpQueryChoice[]): RpQueryChoice {
  return offered.find((c) => c === value) ?? 'login';
}

const sdJwt = (id: string, vct: string, paths: (string | number)[][]) => ({
  credentials: [{ id, format: 'dc+sd-jwt', meta: { vct_values: [vct] }, claims: paths.map((path) => ({ path })) }],
});

/** The DCQL query of a choice for a relying party of `country`. */
export function rpQuery(choice: RpQueryChoice, country: string) {
  switch (choice) {
    case 'age':
      return sdJwt('pid', PID_VCT, [['age_equal_or_over', '18']]);
    case 'name-birthdate':
      return sdJwt('pid', PID_VCT, [['family_name'], ['given_name'], ['birthdate']]);
    case 'pid-full':
      return sdJwt(
        'pid',
        PID_VCT,
        PID_CLAIM_NAMES.map((n) => [n]),
      );
    case 'pid-mdoc':
      return {
        credentials: [
          {
            id: 'pid-mdoc',
            format: 'mso_mdoc',
            meta: { doctype_value: PID_DOCTYPE },
            claims: ['family_name', 'given_name', 'birth_date', 'nationality', 'age_over_18'].map((e) => ({
              path: [PID_NAMESPACE, e],
            })),
          },
        ],
      };
    case 'residence':
      return sdJwt('residence', RESIDENCE_VCT, [
        ['family_name_latin'],
        ['given_name_latin'],
        ['birthdate'],
        ['address'],
      ]);
    default:
      return sdJwt('pid', PID_VCT, [
        ['family_name'],
        ['given_name'],
        ['birthdate'],
        ['eidas_person_identifiers', country],
      ]);
  }
}
