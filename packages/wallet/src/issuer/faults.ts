import { defineFaults, type FaultSwitchboard, SeededRandom } from '@kakehashi/core';
import { generateRsaKeyPair, issueCertificate, TEST_ONLY_OU } from '@kakehashi/trust';
import { seededEcKey } from '../crypto/ec-key.ts';

import type { WalletDeps } from '../wallet-deps.ts';
import { type PidIssuerKey, unlistedSignerKey } from './pid-issuer-key.ts';

/**
 * The PID provider's forge faults: while one is on at a node (`PUT /admin/faults`), every PID it issues carries
 * exactly that defect and nothing else wrong (or, asked for by one credential request with `X-Kakehashi-Fault`, that
 * one PID), so that a verifier's refusal can be tested rule by rule — Kakehashi's
 * own verifiers refuse each with the rule named here.
 */
export const PID_FAULTS = defineFaults('wallet', [
  {
    name: 'wallet.pid-expired',
    kind: 'forge',
    perRequest: true,
    description: 'The PID was issued two hours ago and expired an hour ago.',
    rule: 'W5 vp-credential-expired',
  },
  {
    name: 'wallet.pid-untrusted-key',
    kind: 'forge',
    perRequest: true,
    description:
      "The PID is signed by a key no trusted list knows, with a self-signed certificate copying the PID provider's subject in x5c.",
    rule: 'W2 vp-issuer-untrusted',
  },
  {
    name: 'wallet.pid-unlisted-key',
    kind: 'forge',
    perRequest: true,
    description:
      "The PID is signed by a key the country's issuing CA certified (its chain reaches the national trusted list) that is not on the EU list of PID providers.",
    rule: 'W2 vp-issuer-untrusted',
  },
  {
    name: 'wallet.pid-wrong-vct',
    kind: 'forge',
    perRequest: true,
    description: 'The PID names another credential type (vct urn:kakehashi:not-a-pid).',
    rule: 'W6 vp-vct-invalid',
  },
  {
    name: 'wallet.pid-without-status',
    kind: 'forge',
    perRequest: true,
    description: 'The PID, valid for a year, carries no status list entry (VCR_01b).',
    rule: 'W15 vp-credential-revoked',
  },
  {
    name: 'wallet.pid-revoked',
    kind: 'forge',
    perRequest: true,
    description: "The PID's status list entry is set to invalid as soon as it is issued.",
    rule: 'W15 vp-credential-revoked',
  },
] as const);

/** How the PID about to be issued deviates, by the faults switched on (each fired when it takes effect). */
export interface PidForgery {
  /** Issued and expiring this much earlier than now (ms). */
  backdateMs?: number;
  key?: PidIssuerKey;
  vct?: string;
  withoutStatus?: boolean;
  revoked?: boolean;
}

const ATTACKERS = new Map<string, PidIssuerKey>();

/**
 * The look-alike key of `wallet.pid-untrusted-key`: a P-256 key from the seed with a self-signed certificate (its
 * signature by an RSA key of the seed) that copies the PID provider's subject — no trusted list anchors it.
 */
function attackerKey(seed: string, country: string): PidIssuerKey {
  const cacheKey = `${seed}\u0000${country}`;
  let k = ATTACKERS.get(cacheKey);
  if (!k) {
    const random = new SeededRandom(seed, `wallet/fault-attacker/${country}`);
    const ec = seededEcKey(random.fork('ec'));
    const rsa = generateRsaKeyPair(random.fork('rsa'));
    const { certPem, der } = issueCertificate(
      {
        subject: [
          { type: 'C', value: country },
          { type: 'O', value: `Kakehashi ${country} PID Provider` },
          { type: 'OU', value: TEST_ONLY_OU },
          { type: 'CN', value: `Kakehashi ${country} PID Provider (TEST)` },
        ],
        serialHex: '7e57',
        notBefore: new Date('2025-01-01T00:00:00Z'),
        notAfter: new Date('2045-01-01T00:00:00Z'),
        keyUsage: ['digitalSignature'],
      },
      ec.publicKey,
      { selfSigningKey: rsa.privateKey },
    );
    k = { ...ec, certPem, x5c: [der.toString('base64')] };
    ATTACKERS.set(cacheKey, k);
  }
  return k;
}

/** The forgery the switched-on PID faults ask for (none: an honest PID). */
export function pidForgery(
  faults: Pick<FaultSwitchboard, 'fire'>,
  seed: string,
  country: string,
  certify?: Pick<WalletDeps, 'issuingCa' | 'signingCertPem'>,
): PidForgery {
  const f: PidForgery = {};
  if (faults.fire('wallet.pid-expired')) f.backdateMs = 2 * 3600_000;
  if (faults.fire('wallet.pid-untrusted-key')) f.key = attackerKey(seed, country);
  if (certify && faults.fire('wallet.pid-unlisted-key')) f.key = unlistedSignerKey({ seed, country, ...certify });
  if (faults.fire('wallet.pid-wrong-vct')) f.vct = 'urn:kakehashi:not-a-pid';
  if (faults.fire('wallet.pid-without-status')) f.withoutStatus = true;
  if (faults.fire('wallet.pid-revoked')) f.revoked = true;
  return f;
}
