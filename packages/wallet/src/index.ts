/**
 * @kakehashi/wallet — the EU Digital Identity Wallet building block: the PID provider (OpenID4VCI 1.0, PID as
 * SD-JWT VC), the verifier (OpenID4VP 1.0, DCQL, direct_post, W-rule verdicts) and a headless holder.
 *
 * This entry exports what other packages use; the package's own tests import the feature files.
 */

export { mountSetagayaIssuer } from './attestation/mount-setagaya.ts';
export {
  RESIDENCE_CONFIGURATION_ID,
  RESIDENCE_VCT,
  type ResidenceClaims,
} from './attestation/residence.ts';
export { SETAGAYA_PATH } from './attestation/setagaya-issuer.ts';
export { WALLET_ERROR_CODES } from './error-codes.ts';
export {
  HEADLESS_CLIENT_ID,
  HEADLESS_REDIRECT_URI,
  type LoginDriver,
  pickPersonaLogin,
} from './holder/authorization-code.ts';
export {
  ADDED_CLAIM,
  ATTACKER_AUDIENCE,
  type ForgedAnswer,
  type ForgeExtras,
  fetchAskingPidFault,
  forgeAnswer,
  HOLDER_FAULTS,
  type HolderFault,
  PID_FAULT_OF,
} from './holder/forge-presentation.ts';
export {
  type CredentialFormat,
  type HeldCredential,
  type HolderOptions,
  HolderWallet,
  NoMatchingCredentialError,
  type PresentationRequest,
  parseRequestUrl,
  type WalletState,
} from './holder/holder-wallet.ts';
export { trustThroughNode } from './holder/trust-through-node.ts';
export { walletAttestationHeaders } from './holder/wallet-attestation-client.ts';
export { PID_FAULTS } from './issuer/faults.ts';
export { PID_CLAIM_NAMES, PID_VCT } from './issuer/pid-claims.ts';
export {
  certifiedKeysToStore,
  offerStoredCertifiedKeys,
  type StoredCertifiedKey,
} from './issuer/pid-issuer-key.ts';
export {
  forgeMdocAnswer,
  isMdocFault,
  MDOC_HOLDER_FAULTS,
  MDOC_PID_FAULT_OF,
  type MdocHolderFault,
} from './mdoc/forge-mdoc.ts';
export { deviceResponseArtefact } from './mdoc/mdoc-artefact.ts';
export {
  mdocStatusReference,
  PID_DOCTYPE,
  PID_MDOC_CONFIGURATION_ID,
  PID_MDOC_ELEMENTS,
  PID_NAMESPACE,
} from './mdoc/pid-mdoc.ts';
export { mountWallet } from './mount-wallet.ts';
export { pidProviderListEntry, walletProviderListEntry } from './trust/provider-lists.ts';
export { expectedPresentationOf } from './verifier/expected.ts';
export { LENIENT_WALLET_FAULTS } from './verifier/faults.ts';
export { DEFAULT_PID_QUERY } from './verifier/routes.ts';
export { PRESENTATION_RULES, type PresentationVerdict } from './verifier/rules.ts';
export {
  type ExpectedMdocPresentation,
  MDOC_PRESENTATION_RULES,
  verifyMdocPresentation,
} from './verifier/verify-mdoc.ts';
export {
  type ExpectedPresentation,
  type VerifyContext,
  verifyPresentation,
} from './verifier/verify-presentation.ts';
export type { EntityListLookup, WalletCredential, WalletDeps } from './wallet-deps.ts';
