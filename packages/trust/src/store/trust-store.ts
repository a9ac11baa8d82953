import type { X509Certificate } from 'node:crypto';
import type { ParsedCrl } from '../crl/parse-crl.ts';
import { validateCertificatePath } from '../path/validate-path.ts';
import type { PathValidationResult, TrustAnchor, ValidatePathOptions } from '../path/z-path.ts';
import { anchorsFromTrustedList } from '../tl/anchors-from-trusted-list.ts';
import type { VerifiedTrustedList } from '../tl/z-trusted-list.ts';
import { ValidationMemo } from './validation-memo.ts';

export type TrustStoreValidateOptions = Omit<ValidatePathOptions, 'anchors' | 'crls' | 'intermediates'> & {
  /** Extra intermediates for this validation (e.g. the chain sent with a signature). */
  intermediates?: (string | X509Certificate)[];
};

export interface TrustStoreInit {
  anchors?: TrustAnchor[];
  intermediates?: (string | X509Certificate)[];
  crls?: ParsedCrl[];
}

/**
 * Trust anchors (from verified trusted lists), known intermediates and CRLs, in one place:
 * `validate(cert, { at })` runs {@link validateCertificatePath} against them. A valid verdict is remembered for
 * the same certificate, chain and options ({@link ValidationMemo}) while the validation time stays where none of
 * its dates changes anything; every change of the content (reset, an anchor, an intermediate or a CRL added)
 * starts a new {@link TrustStore.generation} and forgets them.
 */
export class TrustStore {
  readonly #anchors: TrustAnchor[] = [];
  readonly #intermediates: (string | X509Certificate)[] = [];
  readonly #crls: ParsedCrl[] = [];
  readonly #memo = new ValidationMemo();
  #generation = 0;

  constructor(init: TrustStoreInit = {}) {
    this.reset(init);
  }

  /** Replaces the whole content (e.g. after fetching fresh trusted lists and CRLs). */
  reset(init: TrustStoreInit = {}): this {
    this.#anchors.length = 0;
    this.#intermediates.length = 0;
    this.#crls.length = 0;
    this.#changed();
    for (const a of init.anchors ?? []) this.addAnchor(a);
    for (const i of init.intermediates ?? []) this.addIntermediate(i);
    for (const c of init.crls ?? []) this.addCrl(c);
    return this;
  }

  /**
   * Anchors from verified trusted lists: every CA/QC (or CA/PKC) service certificate, with the periods its
   * status was granted, so that a withdrawn CA stops anchoring paths from its withdrawal on.
   * @see https://www.etsi.org/deliver/etsi_ts/119600_119699/119612/ §5.5.1, §5.5.4
   */
  static fromTrustedLists(lists: VerifiedTrustedList[], options: { serviceTypes?: string[] } = {}): TrustStore {
    return new TrustStore({ anchors: lists.flatMap((l) => anchorsFromTrustedList(l, options)) });
  }

  get anchors(): readonly TrustAnchor[] {
    return this.#anchors;
  }

  get crls(): readonly ParsedCrl[] {
    return this.#crls;
  }

  /** Counts the changes of the content: verdicts remembered under an earlier generation are not used. */
  get generation(): number {
    return this.#generation;
  }

  #changed(): void {
    this.#generation++;
    this.#memo.clear();
  }

  addAnchor(anchor: TrustAnchor): this {
    this.#anchors.push(anchor);
    this.#changed();
    return this;
  }

  addIntermediate(cert: string | X509Certificate): this {
    this.#intermediates.push(cert);
    this.#changed();
    return this;
  }

  /** Adds a CRL, replacing an older one of the same issuer (by thisUpdate). The CRL is verified when used. */
  addCrl(crl: ParsedCrl): this {
    const idx = this.#crls.findIndex(
      (c) => c.issuerDer.equals(crl.issuerDer) && c.authorityKeyId === crl.authorityKeyId,
    );
    if (idx === -1) this.#crls.push(crl);
    else if ((this.#crls[idx] as ParsedCrl).thisUpdate.getTime() <= crl.thisUpdate.getTime()) this.#crls[idx] = crl;
    this.#changed();
    return this;
  }

  /**
   * {@link validateCertificatePath} against the store's anchors, intermediates and CRLs. The options' callbacks
   * (`acceptStaleCrl`) are asked as on every validation: a verdict that involved a stale CRL is never remembered.
   */
  validate(cert: string | X509Certificate, options: TrustStoreValidateOptions): PathValidationResult {
    return this.#memo.validate(cert, options, { anchors: this.#anchors, crls: this.#crls }, () =>
      validateCertificatePath(cert, {
        ...options,
        anchors: this.#anchors,
        intermediates: [...(options.intermediates ?? []), ...this.#intermediates],
        crls: this.#crls,
      }),
    );
  }
}
