import type { X509Certificate } from 'node:crypto';
import type { ParsedCrl } from '../crl/parse-crl.ts';
import { iso } from '../path/path-rules.ts';
import type { PathValidationResult, TrustAnchor, ValidatePathOptions } from '../path/z-path.ts';

/** The options of a store's validation (as `TrustStoreValidateOptions`, named here without importing the store). */
type MemoOptions = Omit<ValidatePathOptions, 'anchors' | 'crls' | 'intermediates'> & {
  intermediates?: (string | X509Certificate)[];
};

/** Verdicts a memo keeps at most; when full it starts again (a node meets a handful of peer certificates). */
const MEMO_MAX = 256;

/** What a trust store's content is, for {@link stableWindow}: its anchors and CRLs. */
interface StoreContent {
  anchors: readonly TrustAnchor[];
  crls: readonly ParsedCrl[];
}

/** A successful path validation kept, and the instants between which the same inputs give the same verdict. */
interface Kept {
  result: PathValidationResult;
  /** The validation time the result was computed at, in ISO form. */
  atIso: string;
  /** The check that names that time (the trust-anchor check of an anchor with granted periods), or -1. */
  namesTime: number;
  from: number;
  to: number;
}

/**
 * The successful path validations of one trust store's content (its generation): the same certificate, chain
 * and options, validated again at an instant where no input of the verdict has changed, give the verdict already
 * computed — every check of it was run, against the same anchors and CRLs, on the first sight.
 *
 * A verdict is reused only while the validation time stays inside the window where none of its time-dependent
 * inputs change ({@link stableWindow}): the validity of every certificate of the path, the granted periods of
 * every anchor, the nextUpdate of every CRL (a stale CRL is never judged from memory, so a weak node's
 * `acceptStaleCrl` is asked as before) and the date of every revocation listed. The owner clears it
 * whenever its content changes (a new trust view, a CRL added): a certificate revoked by a new CRL, or a CA
 * withdrawn from a trusted list, is judged anew. Failures are not kept.
 * @see https://www.rfc-editor.org/rfc/rfc5280#section-6.1 (the inputs of path validation)
 */
export class ValidationMemo {
  /**
   * The kept verdicts by certificate text, then by chain and options. A caller passes the same PEM strings again
   * (parsed once, kept), whose hash V8 has already computed: keying by one string joining certificate, chain and
   * options hashed ~5,000 fresh characters per validation (a twentieth of a XAdES validation).
   */
  readonly #kept = new Map<string, KeptFor[]>();
  #size = 0;

  /** Forgets every verdict (the store's content changed). */
  clear(): void {
    this.#kept.clear();
    this.#size = 0;
  }

  /**
   * The verdict of `validate()` for `cert` with `options`: from memory when the same inputs were judged valid
   * and `options.at` lies in their stable window, otherwise computed (and kept when valid). Inputs that cannot be
   * named by their text (an `X509Certificate` object) are always computed.
   */
  validate(
    cert: unknown,
    options: MemoOptions,
    content: StoreContent,
    compute: () => PathValidationResult,
  ): PathValidationResult {
    const key = keyOf(cert, options);
    if (key === undefined) return compute();
    const t = options.at.getTime();
    const forCert = this.#kept.get(key.cert);
    const kept = forCert?.find((k) => sameInputs(k, key))?.kept;
    if (kept && kept.from <= t && t <= kept.to) return reusedAt(kept, options.at);
    const result = compute();
    if (result.valid) {
      const window = stableWindow(result, options.at, content);
      if (window) {
        if (this.#size >= MEMO_MAX) this.clear();
        const atIso = iso(options.at);
        const namesTime = result.checks.findIndex((c) => c.check === 'trust-anchor' && c.reason.includes(atIso));
        const fresh: Kept = { result: frozen(result), atIso, namesTime, ...window };
        const list = this.#kept.get(key.cert) ?? [];
        const at = list.findIndex((k) => sameInputs(k, key));
        if (at >= 0) list[at] = { ...key, kept: fresh };
        else {
          list.push({ ...key, kept: fresh });
          this.#size++;
        }
        this.#kept.set(key.cert, list);
        return reusedAt(fresh, options.at);
      }
    }
    return result;
  }
}

/** The inputs of a validation but the time: the certificate's and the chain's text, the other options. */
interface MemoKey {
  cert: string;
  chain: readonly string[];
  /** Every option but the time and the chain, in one string. */
  rest: string;
}
/** A kept verdict with the inputs it was computed from. */
type KeptFor = MemoKey & { kept: Kept };

/** Whether two validations have the same inputs but the time (the texts compared whole). */
function sameInputs(a: MemoKey, b: MemoKey): boolean {
  if (a.cert !== b.cert || a.rest !== b.rest || a.chain.length !== b.chain.length) return false;
  for (let i = 0; i < a.chain.length; i++) if (a.chain[i] !== b.chain[i]) return false;
  return true;
}

/** The memo key of a validation: the certificate's and the chain's text and every option but the time. */
function keyOf(cert: unknown, options: MemoOptions): MemoKey | undefined {
  if (typeof cert !== 'string') return undefined;
  const chain = options.intermediates ?? [];
  if (!chain.every((c) => typeof c === 'string')) return undefined;
  // Usage names hold no control characters: the separator cannot occur in them.
  const rest = `${(options.requiredKeyUsage ?? []).join(',')}\u0000${(options.requiredExtKeyUsage ?? []).join(
    ',',
  )}\u0000${options.requireRevocationInfo === true}\u0000${options.maxPathLength ?? ''}`;
  return { cert, chain: [...(chain as string[])], rest };
}

/**
 * The instants (ms, inclusive) around `at` between which no time-dependent input of a valid `result` changes:
 * after the latest notBefore of the path, anchor granted-period boundary or revocation date at or before `at`,
 * before the earliest notAfter of the path, anchor period boundary, CRL nextUpdate or revocation date after
 * `at`. Anchor periods and revocations are taken over the whole store (not only the path's), so a different
 * anchor becoming granted, or any listed revocation taking effect, also ends the window.
 */
export function stableWindow(
  result: PathValidationResult,
  at: Date,
  content: StoreContent,
): { from: number; to: number } | undefined {
  const t = at.getTime();
  let from = Number.NEGATIVE_INFINITY;
  let to = Number.POSITIVE_INFINITY;
  const before = (x: number) => {
    if (x <= t) from = Math.max(from, x);
  };
  // Strict bounds become inclusive ones one millisecond inside.
  const after = (x: number) => {
    if (x > t) to = Math.min(to, x - 1);
  };
  for (const c of result.chain) {
    const nb = Date.parse(c.notBefore);
    const na = Date.parse(c.notAfter);
    if (Number.isNaN(nb) || Number.isNaN(na)) return undefined;
    from = Math.max(from, nb);
    to = Math.min(to, na);
  }
  for (const a of content.anchors) {
    for (const p of a.grantedPeriods ?? []) {
      before(p.from.getTime());
      after(p.from.getTime());
      if (p.to) {
        before(p.to.getTime());
        after(p.to.getTime());
      }
    }
  }
  for (const crl of content.crls) {
    if (crl.nextUpdate) {
      if (crl.nextUpdate.getTime() < t) return undefined; // a stale CRL: never judged from memory
      to = Math.min(to, crl.nextUpdate.getTime());
    }
    for (const r of crl.revoked) {
      const x = r.revokedAt.getTime();
      // Revoked when revokedAt <= at: the window ends the millisecond before.
      before(x);
      after(x);
    }
  }
  return from <= t && t <= to ? { from, to } : undefined;
}

/** A kept result's checks and chain entries frozen: they are shared by the verdicts given from memory. */
function frozen(result: PathValidationResult): PathValidationResult {
  for (const c of result.checks) Object.freeze(c);
  for (const c of result.chain) Object.freeze(c);
  return result;
}

/**
 * The kept verdict at an instant of its window (new arrays, the frozen checks shared): the trust-anchor check names
 * the validation time given, as a fresh validation does.
 */
function reusedAt(kept: Kept, at: Date): PathValidationResult {
  const checks = [...kept.result.checks];
  const named = checks[kept.namesTime];
  if (named) {
    const now = iso(at);
    if (now !== kept.atIso) checks[kept.namesTime] = { ...named, reason: named.reason.replace(kept.atIso, now) };
  }
  return { ...kept.result, chain: [...kept.result.chain], checks };
}
