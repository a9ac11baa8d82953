import { KakehashiError } from '@kakehashi/core';
import '../error-codes.ts';
import type { CredentialIssuerProfile } from '../issuer/issuer-profile.ts';
import type { PidIssuerKey } from '../issuer/pid-issuer-key.ts';
import { sdJwtArtefact } from '../trace-artefacts.ts';
import type { EidLogin } from '../wallet-deps.ts';
import {
  issueResidenceSdJwt,
  livesInSetagaya,
  RESIDENCE_CLAIM_NAMES,
  RESIDENCE_CONFIGURATION_ID,
  RESIDENCE_VCT,
  residenceClaimsOf,
  SETAGAYA,
} from './residence.ts';

/** How long a residence attestation lives (a certificate of residence is read as of its date: 90 days). */
const VALIDITY_DAYS = 90;
/** Where Setagaya's issuer sits under Japan's node: its credential issuer identifier is `<origin>/wallet/setagaya`. */
export const SETAGAYA_PATH = '/wallet/setagaya';

/**
 * Setagaya City's attestation issuer at Japan's node as a {@link CredentialIssuerProfile} (the routes, grants,
 * proof of possession and status list are the PID provider's): the certificate of residence of a resident of its
 * register as `dc+sd-jwt`, `vct` {@link RESIDENCE_VCT}, signed with a key Japan's issuing CA certified (Japan's
 * trusted list is referenced from the LOTL as a third-country list, so an EU verifier reaches it as it reaches a
 * PID provider), with a Token Status List entry. Its credential issuer identifier carries a path
 * (`<origin>/wallet/setagaya`): metadata at `/.well-known/openid-credential-issuer/wallet/setagaya` (OpenID4VCI
 * §12.2.2, path inserted). No wallet-unit attestation is asked (Japan's node has no wallet provider); the
 * authorization code flow logs the resident in at Japan's eID when it is wired (`eidLogin`).
 * @see https://openid.net/specs/openid-4-verifiable-credential-issuance-1_0-final.html
 */
export function setagayaProfile(key: PidIssuerKey, eidLogin?: EidLogin): CredentialIssuerProfile {
  return {
    name: SETAGAYA.name,
    credentialName: 'certificate of residence',
    basePath: SETAGAYA_PATH,
    identifierPath: SETAGAYA_PATH,
    display: [
      { name: `${SETAGAYA.nameLocal} (TEST)`, locale: 'ja' },
      { name: `${SETAGAYA.name} (TEST)`, locale: 'en' },
    ],
    configurations: {
      [RESIDENCE_CONFIGURATION_ID]: {
        format: 'dc+sd-jwt',
        vct: RESIDENCE_VCT,
        scope: RESIDENCE_CONFIGURATION_ID,
        cryptographic_binding_methods_supported: ['jwk'],
        credential_signing_alg_values_supported: ['ES256'],
        proof_types_supported: { jwt: { proof_signing_alg_values_supported: ['ES256'] } },
        credential_metadata: {
          display: [
            { name: '住民票の写し (TEST)', locale: 'ja' },
            { name: 'Certificate of residence (TEST)', locale: 'en' },
          ],
          claims: RESIDENCE_CLAIM_NAMES.map((name) => ({ path: [name] })),
        },
      },
    },
    walletAttestation: false,
    eidLogin,
    refusal: (persona) =>
      livesInSetagaya(persona)
        ? undefined
        : new KakehashiError(
            'vci-not-resident',
            `${persona.id} is not in ${SETAGAYA.name}'s resident register (lives in ${persona.address.city}).`,
          ),
    async issue(_configurationId, { persona, holderJwk, now, endpoints, statuses }) {
      const credential = await issueResidenceSdJwt({
        issuer: endpoints.credentialIssuer,
        key,
        holderJwk,
        claims: residenceClaimsOf(persona, now),
        now,
        expires: new Date(now.getTime() + VALIDITY_DAYS * 86_400_000),
        status: { idx: statuses.allocate(), uri: endpoints.statusList },
      });
      return {
        credential,
        operation: 'wallet: Setagaya residence attestation issued (dc+sd-jwt)',
        artefact: sdJwtArtefact(credential),
      };
    },
  };
}
