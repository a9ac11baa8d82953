import type { CertificateVerdict, ComponentDeps } from '@kakehashi/core';
import type { SigningCredential } from '../common/certificates.ts';
import type { TimestampAuthority } from '../tsa/timestamp-authority.ts';

/** What the signature service needs from the component that mounts it (hub: validation only; node: both). */
export interface SignatureServiceDeps extends ComponentDeps {
  component: 'hub' | 'node';
  country?: string | undefined;
  /** The component's own verified trust view (LOTL → trusted lists with status history, CRLs). */
  validateCertificate: (
    certPem: string,
    chainPem: string[],
    opts: { at: Date; usage?: string[] },
  ) => CertificateVerdict;
  /**
   * Reads the CRL at a distribution point (only called for a certificate that chains to the trust view and
   * was found revoked, to learn the revocation date). Gets the request's tracing `fetch`.
   */
  loadCrl?: (url: string, fetcher: typeof fetch) => Promise<Uint8Array | undefined>;
  /**
   * The hub's origin. When given (and `loadOcsp` is not), OCSP requests are posted with the request's tracing
   * `fetch` to responders under `<hubUrl>/trust/ocsp/` — only there, like CRLs.
   */
  hubUrl?: string;
  /** Answers an OCSP request for a responder URL (the hub: in process); overrides `hubUrl`. */
  loadOcsp?: (url: string, requestDer: Buffer, fetcher: typeof fetch) => Promise<Uint8Array | undefined>;
  /** Identity of the trust view's current content: fetched CRLs are reused while it stays the same object. */
  trustGeneration?: () => unknown;
  /** Nodes: who may sign here. */
  signers?: {
    agencies: Record<string, SigningCredential>;
    /** Japan: a persona's JPKI signature credential (the key "on the My Number Card"). */
    citizen?: (personaId: string) => SigningCredential;
  };
  /**
   * Nodes: the CAs whose keys the node holds (its issuing CA; in Japan also the JPKI CA). The signing faults that
   * re-issue the signer's certificate (revoked, expired, weak key) need the signer's CA among them.
   */
  faultIssuers?: SigningCredential[];
  /** Nodes: the country's time-stamping unit (B-T). */
  tsa?: TimestampAuthority;
}
