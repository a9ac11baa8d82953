import { type Clock, currentFaultScope, type FaultSwitchboard, KakehashiError } from '@kakehashi/core';
import type { SigningCredential } from '../common/certificates.ts';
import type { TimestampAuthority } from '../tsa/timestamp-authority.ts';
import {
  expiredCredential,
  type FaultIssuer,
  revokedCredential,
  untrustedTsa,
  weakKeyCredential,
} from './fault-credentials.ts';
import { ESIG_SIGNING_FAULTS } from './faults.ts';

const NAMES = new Set<string>(ESIG_SIGNING_FAULTS.map((f) => f.name));

/**
 * Checks the fault one signing request asked for (`kakehashi_fault`, `X-Kakehashi-Fault`): it must be a signing
 * fault this component offers (400 `fault-unknown` otherwise — a login fault on a signing request is a mistake).
 */
export function requireSigningFaultRequest(faults: FaultSwitchboard): void {
  for (const name of currentFaultScope()?.requested ?? []) {
    if (!NAMES.has(name))
      throw new KakehashiError(
        'fault-unknown',
        `"${name.slice(0, 80)}" is not a fault of the signing service; it honours ${[...NAMES].join(', ')}.`,
        { extra: { requestable: [...NAMES] } },
      );
    faults.requireRequestable(name);
  }
}

/** What a signing uses once the faults in force are applied. */
export interface FaultedSigning {
  credential: SigningCredential;
  tsa?: TimestampAuthority | undefined;
  omitSigningCertificate: boolean;
  /** SHA-1 digests and signature (XAdES, CAdES) beside the weak key. */
  weakHash: boolean;
}

/**
 * Applies the signing faults that are on (switched on, or asked for by this request) to one signing: another
 * certificate for the signer (revoked, expired, or a weak key: the first of these that is on), a look-alike TSA,
 * no signing-certificate reference. Each fault that takes effect is fired (logged, on the trace hop).
 */
export function applySigningFaults(
  faults: FaultSwitchboard,
  input: {
    credential: SigningCredential;
    tsa?: TimestampAuthority | undefined;
    issuers: readonly FaultIssuer[];
    clock: Pick<Clock, 'now'>;
    signer: string;
    /** B-T: the TSA is asked (the untrusted-TSA fault applies only then). */
    timestamped: boolean;
  },
): FaultedSigning {
  const detail = { signer: input.signer };
  // Asked for by this request, the time-stamp fault must have a time-stamp to forge (switched on, it simply does
  // not apply to B-B signings).
  if (currentFaultScope()?.requested.has('esig.untrusted-tsa') && !(input.tsa && input.timestamped))
    throw new KakehashiError(
      'esig-fault-unavailable',
      input.tsa
        ? 'The fault esig.untrusted-tsa forges the B-T signature time-stamp: ask for level B-T.'
        : 'The fault esig.untrusted-tsa forges the B-T signature time-stamp, and this node has no time-stamp authority.',
    );
  let credential = input.credential;
  const weak = faults.fire('esig.weak-algorithm', undefined, detail);
  if (weak) credential = weakKeyCredential(credential, input.issuers);
  else if (faults.fire('esig.revoked-certificate', undefined, detail))
    credential = revokedCredential(credential, input.issuers);
  else if (faults.fire('esig.expired-certificate', undefined, detail))
    credential = expiredCredential(credential, input.issuers, input.clock);
  const tsa =
    input.tsa && input.timestamped && faults.fire('esig.untrusted-tsa', undefined, detail)
      ? untrustedTsa(input.tsa, input.clock)
      : input.tsa;
  return {
    credential,
    tsa,
    omitSigningCertificate: faults.fire('esig.missing-signing-certificate', undefined, detail),
    weakHash: weak,
  };
}
