import { issuerSignedArtefact } from '../mdoc/mdoc-artefact.ts';
import { issuePidMdoc, PID_MDOC_CONFIGURATION_ID, pidMdocElementsOf } from '../mdoc/pid-mdoc.ts';
import { sdJwtArtefact } from '../trace-artefacts.ts';
import type { WalletDeps } from '../wallet-deps.ts';
import { pidForgery } from './faults.ts';
import { issuePidSdJwt } from './issue-sd-jwt.ts';
import type { CredentialIssuerProfile } from './issuer-profile.ts';
import { PID_PROVIDER_PATH, pidConfigurations } from './metadata.ts';
import { pidClaimsOf } from './pid-claims.ts';
import type { PidIssuerKey } from './pid-issuer-key.ts';
import { STATUS } from './status-list.ts';

/** How long a PID lives, either format (more than 24 h: it carries a status reference, VCR_01b). */
const PID_VALIDITY_DAYS = 365;

/** The eIDAS PersonIdentifiers of a persona for the federation's other countries (the wallet ↔ eIDAS mapping). */
function eidasIdentifiers(deps: WalletDeps, personaId: string): { eidas_person_identifiers?: Record<string, string> } {
  if (!deps.personIdentifier) return {};
  const ids: Record<string, string> = {};
  for (const dest of deps.destinations ?? []) {
    const id = deps.personIdentifier(personaId, dest);
    if (id) ids[dest] = id;
  }
  return Object.keys(ids).length > 0 ? { eidas_person_identifiers: ids } : {};
}

/**
 * The PID provider of an EU node as a {@link CredentialIssuerProfile}: the PID as SD-JWT VC and as ISO mdoc for
 * any persona of the node, its identifier the node's origin, the wallet-unit attestation asked at its token
 * endpoint, the authorization code flow through the node's eID login when wired. A switched-on `wallet.pid-*`
 * fault forges exactly one defect into the PID it issues (the security lab).
 */
export function pidProviderProfile(deps: WalletDeps, key: PidIssuerKey): CredentialIssuerProfile {
  return {
    name: 'the PID provider',
    credentialName: 'PID',
    basePath: PID_PROVIDER_PATH,
    identifierPath: '',
    display: [{ name: `Kakehashi ${deps.country} PID Provider (TEST)`, locale: 'en' }],
    configurations: pidConfigurations(deps.country),
    walletAttestation: true,
    eidLogin: deps.eidLogin,
    async issue(configurationId, { persona, holderJwk, now, endpoints, statuses }) {
      const forged = pidForgery(deps.faults, deps.seed, deps.country, deps);
      const issuedAt = new Date(now.getTime() - (forged.backdateMs ?? 0));
      // A PID signed by another key (wallet.pid-untrusted-key, -unlisted-key) cannot have an entry in the provider's
      // status list (its token is signed by the provider's certificate): the forger's PID names none and lives a day
      // (VCR_01b), so that the trust anchor (W2) is the one check that stands between it and acceptance.
      const expires = forged.backdateMs
        ? new Date(now.getTime() - forged.backdateMs / 2)
        : new Date(now.getTime() + (forged.key ? 1 : PID_VALIDITY_DAYS) * 86_400_000);
      // Either format has an entry in the one Token Status List (unless wallet.pid-without-status forges it away).
      const idx = forged.withoutStatus || forged.key ? undefined : statuses.allocate();
      if (idx !== undefined && forged.revoked) statuses.set(idx, STATUS.invalid);
      const status = idx !== undefined ? { idx, uri: endpoints.statusList } : undefined;
      if (configurationId === PID_MDOC_CONFIGURATION_ID) {
        const credential = await issuePidMdoc({
          key: forged.key ?? key,
          deviceJwk: holderJwk,
          elements: pidMdocElementsOf(persona, issuedAt, expires),
          now: issuedAt,
          expires,
          status,
        });
        return {
          credential,
          operation: 'wallet: PID issued (mso_mdoc)',
          artefact: issuerSignedArtefact(credential),
        };
      }
      const credential = await issuePidSdJwt({
        issuer: endpoints.credentialIssuer,
        key: forged.key ?? key,
        holderJwk,
        claims: { ...pidClaimsOf(persona, issuedAt, expires), ...eidasIdentifiers(deps, persona.id) },
        now: issuedAt,
        expires,
        status,
        ...(forged.vct ? { vct: forged.vct } : {}),
      });
      return { credential, operation: 'wallet: PID issued (dc+sd-jwt)', artefact: sdJwtArtefact(credential) };
    },
  };
}
