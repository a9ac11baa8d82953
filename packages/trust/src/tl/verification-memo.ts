import { createHash, X509Certificate } from 'node:crypto';
import type { Clock } from '@kakehashi/core';
import { type ParsedCrl, parseCrl } from '../crl/parse-crl.ts';
import {
  type VerifyLotlOptions,
  type VerifyTrustedListOptions,
  verifyLotl,
  verifyTrustedList,
} from './verify-trusted-list.ts';
import type { VerifiedLotl, VerifiedTrustedList } from './z-trusted-list.ts';

type Listed = VerifiedLotl | VerifiedTrustedList;

/** A remembered result, with its signer's validity window once a hit has needed it (ms since the epoch). */
interface Remembered {
  result: Listed;
  signerValidity?: { from: number; to: number };
}

/**
 * Remembers verification results for identical inputs within one process, so that seven nodes started in one
 * process do not verify the same signed bytes seven times. A hit is only used when the same bytes were
 * verified against the same trusted signer certificates, and only while the time rules still hold: the
 * virtual clock is before NextUpdate and within the signer's validity, and the sequence number is not below
 * the caller's minimum. Otherwise the full verification runs again (and fails with its own named code).
 */
export class VerificationMemo {
  readonly #lists = new Map<string, Remembered>();
  readonly #crls = new Map<string, ParsedCrl>();

  verifyLotl(xml: string, options: VerifyLotlOptions & { clock: Clock }): VerifiedLotl {
    return this.#list(xml, options.pinnedSignerCerts, options, () => verifyLotl(xml, options)) as VerifiedLotl;
  }

  verifyTrustedList(xml: string, options: VerifyTrustedListOptions & { clock: Clock }): VerifiedTrustedList {
    return this.#list(xml, options.signerCerts, options, () => verifyTrustedList(xml, options)) as VerifiedTrustedList;
  }

  /** CRLs are parsed once per distinct DER; their signature is checked by the path validator on every use. */
  parseCrl(der: Uint8Array): ParsedCrl {
    const key = createHash('sha256').update(der).digest('hex');
    let crl = this.#crls.get(key);
    if (!crl) {
      crl = parseCrl(der);
      this.#crls.set(key, crl);
      if (this.#crls.size > 1000) this.#crls.delete(this.#crls.keys().next().value as string);
    }
    return crl;
  }

  #list(
    xml: string,
    signers: (string | X509Certificate)[],
    options: { clock: Clock; minSequence?: number | undefined; expectedTerritory?: string },
    verify: () => Listed,
  ): Listed {
    const h = createHash('sha256').update(xml);
    for (const s of signers) h.update('\0').update(typeof s === 'string' ? s : s.toString());
    h.update(`\0${options.expectedTerritory ?? ''}`);
    const key = h.digest('hex');
    const hit = this.#lists.get(key);
    const now = options.clock.nowMs();
    if (hit) {
      // The signer's certificate parsed once per remembered result, not on every hit (a start's seven nodes hit the
      // same lists ~70 times; each parse ~50 µs, issue 15).
      hit.signerValidity ??= validityOf(hit.result.signerCertPem);
      const { result } = hit;
      const timely =
        now < result.nextUpdate.getTime() && now >= hit.signerValidity.from && now <= hit.signerValidity.to;
      if (timely && (options.minSequence === undefined || result.sequenceNumber >= options.minSequence)) return result;
    }
    const result = verify();
    this.#lists.set(key, { result });
    if (this.#lists.size > 200) this.#lists.delete(this.#lists.keys().next().value as string);
    return result;
  }
}

function validityOf(certPem: string): { from: number; to: number } {
  const cert = new X509Certificate(certPem);
  return { from: Date.parse(cert.validFrom), to: Date.parse(cert.validTo) };
}
