import type { EntityListEntry } from '@kakehashi/trust';
import { pidIssuerKey, walletProviderKey } from '../issuer/pid-issuer-key.ts';
import type { WalletDeps } from '../wallet-deps.ts';

/**
 * The PID provider of `country` as the hub lists it on the EU list of PID providers: the same certificate the node's
 * PID provider signs with (drawn from the same seed, certified by the same issuing CA).
 */
export function pidProviderListEntry(opts: Parameters<typeof pidIssuerKey>[0]): EntityListEntry {
  return {
    country: opts.country,
    name: `Kakehashi ${opts.country} PID Provider (TEST ONLY)`,
    certPem: pidIssuerKey(opts).certPem,
  };
}

/**
 * The wallet provider at the node of `country` as the hub lists it on the EU list of wallet providers: the certificate
 * its wallet-unit attestations carry in `x5c`.
 */
export function walletProviderListEntry(opts: Parameters<typeof pidIssuerKey>[0]): EntityListEntry {
  return {
    country: opts.country,
    name: `Kakehashi ${opts.country} Wallet Provider (TEST ONLY)`,
    certPem: walletProviderKey(opts).certPem,
  };
}

/**
 * W2 for a PID: the issuer's certificate validates through the country's trusted list (the CA that certified it,
 * reached from the LOTL) AND is on the EU list of PID providers the LOTL points at, granted at the validation time.
 * A key the country's CA certified for something else, or a provider not notified, is refused: a relying party
 * anchors a PID in the PID-provider list (OIA_12), not in any CA of the country. Without a lookup (a deployment
 * that loads no lists of trusted entities) only the chain is judged, as for an attestation of attributes that is no
 * PID (`credentialType` `attestation`, e.g. Setagaya's certificate of residence under Japan's trusted list).
 * @see https://github.com/eu-digital-identity-wallet/eudi-doc-architecture-and-reference-framework ARF §3.5, OIA_12
 * @see https://www.etsi.org/deliver/etsi_ts/119600_119699/119602/01.01.01_60/ts_119602v010101p.pdf (EU PID providers list)
 */
export function pidProviderValidation(
  deps: Pick<WalletDeps, 'validateCertificate' | 'entityListing'>,
): WalletDeps['validateCertificate'] {
  const lookup = deps.entityListing;
  if (!lookup) return deps.validateCertificate;
  return (certPem, chainPem, opts) => {
    const verdict = deps.validateCertificate(certPem, chainPem, opts);
    // An attestation of attributes (not a PID: Japan's residence certificate) is judged by its chain alone.
    if (!verdict.valid || opts.credentialType === 'attestation') return verdict;
    const listing = lookup('pid-providers', certPem, opts.at);
    const rule = 'ETSI TS 119 602 (EU PID providers list); ARF OIA_12';
    if (listing.listed)
      return { ...verdict, checks: [...verdict.checks, { rule, outcome: 'passed', reason: listing.reason }] };
    const reason = `The certificate chains to the country's CA, but it is not a notified PID provider: ${listing.reason}`;
    return {
      ...verdict,
      valid: false,
      checks: [...verdict.checks, { rule, outcome: 'failed', reason, code: 'vp-issuer-untrusted' as never }],
      failure: { rule, code: 'vp-issuer-untrusted' as never, reason },
    };
  };
}
