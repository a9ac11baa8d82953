import { PID_DOCTYPE, PID_MDOC_CONFIGURATION_ID, PID_MDOC_ELEMENTS, PID_NAMESPACE } from '../mdoc/pid-mdoc.ts';
import { credentialIssuerEndpoints } from './issuer-profile.ts';
import { PID_CLAIM_NAMES, PID_VCT } from './pid-claims.ts';

export { PID_MDOC_CONFIGURATION_ID };

/** The PID as SD-JWT VC (the default configuration; the PID as mdoc is {@link PID_MDOC_CONFIGURATION_ID}). */
export const PID_SD_JWT_CONFIGURATION_ID = 'eu.europa.ec.eudi.pid_vc_sd_jwt';

/** Where the PID provider sits under a node: its authorization server and endpoints; its identifier is the origin. */
export const PID_PROVIDER_PATH = '/wallet/issuer';

/** The endpoints of the PID provider at a node's origin. */
export const issuerEndpoints = (origin: string) => credentialIssuerEndpoints(origin, PID_PROVIDER_PATH);

/**
 * The PID provider's credential configurations (OpenID4VCI §12.2.4): the PID as SD-JWT VC and as ISO mdoc.
 * @see https://openid.net/specs/openid-4-verifiable-credential-issuance-1_0-final.html#section-12.2.4
 */
export function pidConfigurations(country: string) {
  return {
    [PID_SD_JWT_CONFIGURATION_ID]: {
      format: 'dc+sd-jwt',
      vct: PID_VCT,
      scope: PID_SD_JWT_CONFIGURATION_ID,
      cryptographic_binding_methods_supported: ['jwk'],
      credential_signing_alg_values_supported: ['ES256'],
      proof_types_supported: { jwt: { proof_signing_alg_values_supported: ['ES256'] } },
      credential_metadata: {
        display: [{ name: `PID (${country}, TEST)`, locale: 'en' }],
        claims: PID_CLAIM_NAMES.map((name) => ({ path: [name] })),
      },
    },
    // The PID as ISO mdoc (OpenID4VCI Appendix A.2): the signing alg as a COSE algorithm number (-7 = ES256).
    [PID_MDOC_CONFIGURATION_ID]: {
      format: 'mso_mdoc',
      doctype: PID_DOCTYPE,
      scope: PID_MDOC_CONFIGURATION_ID,
      cryptographic_binding_methods_supported: ['cose_key'],
      credential_signing_alg_values_supported: [-7],
      proof_types_supported: { jwt: { proof_signing_alg_values_supported: ['ES256'] } },
      credential_metadata: {
        display: [{ name: `PID (${country}, TEST, mdoc)`, locale: 'en' }],
        claims: PID_MDOC_ELEMENTS.map((name) => ({ path: [PID_NAMESPACE, name] })),
      },
    },
  };
}
