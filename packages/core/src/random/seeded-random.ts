import { createHash, createHmac, createSecretKey, type KeyObject } from 'node:crypto';

/**
 * Deterministic randomness from a seed: an HMAC-SHA256 counter-mode generator. The same seed and label give
 * the same stream on every machine, so a seed reproduces personas, keys and identifiers (golden files compare).
 *
 * Use `fork(label)` to give each consumer its own stream: then the order in which components draw values does
 * not change what another component gets. This is a test-only generator for a mock; it is not meant to
 * produce secrets for production systems.
 */
export class SeededRandom {
  readonly seed: string;
  readonly label: string;
  // A KeyObject, not a Buffer: createHmac prepares a Buffer key anew on every call (~30 µs in Node 24, ~6× an
  // HMAC with a KeyObject); a start draws thousands of blocks (personas, keys, identifiers). Same bytes out.
  readonly #key: KeyObject;
  #counter = 0n;
  #pool: Buffer = Buffer.alloc(0);

  constructor(seed: string, label = 'root') {
    this.seed = seed;
    this.label = label;
    this.#key = createSecretKey(createHash('sha256').update(`kakehashi/seeded-random/v1\0${seed}\0${label}`).digest());
  }

  /** An independent stream for `label` (a path such as `trust/JP/root-ca`). */
  fork(label: string): SeededRandom {
    return new SeededRandom(this.seed, `${this.label}/${label}`);
  }

  bytes(n: number): Buffer {
    while (this.#pool.length < n) {
      const block = createHmac('sha256', this.#key).update(this.#counterBytes()).digest();
      this.#pool = Buffer.concat([this.#pool, block]);
    }
    const out = this.#pool.subarray(0, n);
    this.#pool = this.#pool.subarray(n);
    return Buffer.from(out);
  }

  /** A uniform integer in [0, maxExclusive), without modulo bias; maxExclusive is at most 2^48 (48-bit draws). */
  int(maxExclusive: number): number {
    // Above 2^48 the rejection limit below would be 0 and the loop would never end.
    if (!Number.isSafeInteger(maxExclusive) || maxExclusive <= 0 || maxExclusive > 2 ** 48)
      throw new RangeError('int: maxExclusive must be a positive integer of at most 2^48');
    if (maxExclusive === 1) return 0;
    const limit = 2 ** 48 - (2 ** 48 % maxExclusive);
    for (;;) {
      const v = this.bytes(6).readUIntBE(0, 6);
      if (v < limit) return v % maxExclusive;
    }
  }

  /** A uniform integer in [min, max]. */
  range(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick: empty list');
    return items[this.int(items.length)] as T;
  }

  /** A string of `n` decimal digits (leading zeros allowed). */
  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String(this.int(10));
    return s;
  }

  hex(nBytes: number): string {
    return this.bytes(nBytes).toString('hex');
  }

  /** An RFC 9562 version-4-shaped UUID drawn from this stream. */
  uuid(): string {
    const b = this.bytes(16);
    b[6] = ((b[6] as number) & 0x0f) | 0x40;
    b[8] = ((b[8] as number) & 0x3f) | 0x80;
    const h = b.toString('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  /** A readable identifier such as `msg_3f9a1c…` (16 random bytes, hex). */
  id(prefix: string): string {
    return `${prefix}_${this.hex(16)}`;
  }

  #counterBytes(): Buffer {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(this.#counter++);
    return b;
  }
}
