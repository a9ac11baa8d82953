import { createPublicKey, generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import { type Clock, KakehashiError } from '@kakehashi/core';
import {
  type DnAttribute,
  inspectCertificate,
  issueCertificate,
  OID,
  standingRevocationTime,
  standingRevokedSerial,
} from '@kakehashi/trust';
import { parseX509, type SigningCredential } from '../common/certificates.ts';
import { createTimestampAuthority, type TimestampAuthority } from '../tsa/timestamp-authority.ts';

/** A CA whose key a node holds (its issuing CA; in Japan also the JPKI CA): it re-issues signers for the faults. */
export type FaultIssuer = SigningCredential;

const DAY = 86_400_000;
const DN_TYPES: Record<string, DnAttribute['type']> = {
  C: 'C',
  O: 'O',
  OU: 'OU',
  CN: 'CN',
  L: 'L',
  serialNumber: 'serialNumber',
};

/** The subject of `certPem` as DN attributes, the CN marked with `mark` (so reports and traces show the fault). */
function markedSubject(certPem: string, mark: string): DnAttribute[] {
  const out: DnAttribute[] = [];
  for (const line of parseX509(certPem).subject.split('\n')) {
    const eq = line.indexOf('=');
    const type = DN_TYPES[line.slice(0, eq)];
    if (type) out.push({ type, value: line.slice(eq + 1) });
  }
  const cn = out.find((a) => a.type === 'CN');
  if (cn) cn.value = `${cn.value} (${mark})`.slice(0, 64);
  else out.push({ type: 'CN', value: mark });
  return out;
}

/** The CA among `issuers` that issued the signer's certificate; `esig-fault-unavailable` when this node has none. */
function issuerOf(signer: SigningCredential, issuers: readonly FaultIssuer[], fault: string): FaultIssuer {
  const cert = parseX509(signer.certPem);
  const found = issuers.find((i) => {
    const ca = parseX509(i.certPem);
    return ca.subject === cert.issuer && cert.checkIssued(ca);
  });
  if (!found)
    throw new KakehashiError(
      'esig-fault-unavailable',
      `The fault ${fault} re-issues the signer's certificate from its CA, and this node does not hold the key of "${cert.issuer.split('\n').pop()}".`,
    );
  return found;
}

/** Issues a signing certificate for `publicKey` from `issuer`, with the signer's subject (marked) and URLs. */
function reissue(
  signer: SigningCredential,
  issuer: FaultIssuer,
  publicKey: KeyObject,
  o: { mark: string; serialHex: string; notBefore: Date; notAfter: Date },
): string {
  const facts = inspectCertificate(signer.certPem);
  return issueCertificate(
    {
      subject: markedSubject(signer.certPem, o.mark),
      serialHex: o.serialHex,
      notBefore: o.notBefore,
      notAfter: o.notAfter,
      basicConstraints: { cA: false },
      keyUsage: ['digitalSignature', 'nonRepudiation'],
      ...(facts.crlDistributionPoints[0] ? { crlDistributionPoint: facts.crlDistributionPoints[0] } : {}),
      ...(facts.ocspUrls[0] ? { ocspUrl: facts.ocspUrls[0] } : {}),
    },
    publicKey,
    { certificate: parseX509(issuer.certPem), privateKey: issuer.privateKey },
  ).certPem;
}

const randomSerial = () => {
  const b = randomBytes(16);
  b[0] = ((b[0] as number) & 0x3f) | 0x40;
  return b.toString('hex');
};

/**
 * `esig.revoked-certificate`: the signer's key under a certificate with its CA's standing revoked serial (listed
 * on the CA's CRL and answered `revoked` by OCSP since the CA's notBefore), valid as long as the CA.
 */
export function revokedCredential(signer: SigningCredential, issuers: readonly FaultIssuer[]): SigningCredential {
  const issuer = issuerOf(signer, issuers, 'esig.revoked-certificate');
  const ca = parseX509(issuer.certPem);
  const notBefore = standingRevocationTime(ca);
  const certPem = reissue(signer, issuer, createPublicKey(signer.privateKey), {
    mark: 'fault: revoked',
    serialHex: standingRevokedSerial(ca.serialNumber),
    notBefore,
    notAfter: new Date(new Date(ca.validTo).getTime() - DAY),
  });
  return { certPem, chainPem: [issuer.certPem, ...issuer.chainPem], privateKey: signer.privateKey };
}

/** `esig.expired-certificate`: the signer's key under a certificate of its CA valid for the year up to yesterday. */
export function expiredCredential(
  signer: SigningCredential,
  issuers: readonly FaultIssuer[],
  clock: Pick<Clock, 'now'>,
): SigningCredential {
  const issuer = issuerOf(signer, issuers, 'esig.expired-certificate');
  const notAfter = new Date(Math.floor((clock.now().getTime() - DAY) / 1000) * 1000);
  const certPem = reissue(signer, issuer, createPublicKey(signer.privateKey), {
    mark: 'fault: expired',
    serialHex: randomSerial(),
    notBefore: new Date(notAfter.getTime() - 365 * DAY),
    notAfter,
  });
  return { certPem, chainPem: [issuer.certPem, ...issuer.chainPem], privateKey: signer.privateKey };
}

const WEAK = new Map<string, SigningCredential>();

/**
 * `esig.weak-algorithm`: a fresh RSA-1024 key (ETSI TS 119 312 no longer accepts it) under a certificate of the
 * signer's CA, otherwise as valid as the signer's own. One per signer and process.
 */
export function weakKeyCredential(signer: SigningCredential, issuers: readonly FaultIssuer[]): SigningCredential {
  const hit = WEAK.get(signer.certPem);
  if (hit) return hit;
  const issuer = issuerOf(signer, issuers, 'esig.weak-algorithm');
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const own = parseX509(signer.certPem);
  const certPem = reissue(signer, issuer, publicKey, {
    mark: 'fault: RSA-1024',
    serialHex: randomSerial(),
    notBefore: new Date(own.validFrom),
    notAfter: new Date(own.validTo),
  });
  const out = { certPem, chainPem: [issuer.certPem, ...issuer.chainPem], privateKey };
  if (WEAK.size > 64) WEAK.clear();
  WEAK.set(signer.certPem, out);
  return out;
}

const ROGUE_TSA = new Map<string, SigningCredential>();

/**
 * `esig.untrusted-tsa`: a time-stamping unit that looks like the node's (same name, marked "untrusted") under a
 * self-signed certificate with the critical timeStamping EKU and a fresh key — in no trusted list, so no path
 * reaches an anchor. One per TSA and process.
 */
export function untrustedTsa(tsa: TimestampAuthority, clock: Pick<Clock, 'now'>): TimestampAuthority {
  let rogue = ROGUE_TSA.get(tsa.certPem);
  if (!rogue) {
    const own = parseX509(tsa.certPem);
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const { certPem } = issueCertificate(
      {
        subject: markedSubject(tsa.certPem, 'fault: untrusted'),
        serialHex: randomSerial(),
        notBefore: new Date(own.validFrom),
        notAfter: new Date(own.validTo),
        basicConstraints: { cA: false },
        keyUsage: ['digitalSignature', 'nonRepudiation'],
        extKeyUsage: [OID.timeStamping],
        extKeyUsageCritical: true,
      },
      publicKey,
      { selfSigningKey: privateKey },
    );
    rogue = { certPem, chainPem: [], privateKey };
    ROGUE_TSA.set(tsa.certPem, rogue);
  }
  return createTimestampAuthority({ credential: rogue, clock, policy: tsa.policy });
}
