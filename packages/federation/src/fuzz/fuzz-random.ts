import { createHash } from 'node:crypto';

/**
 * The fuzzer's pseudo-random stream: sfc32 seeded from SHA-256 of a label (`<seed>/<entry>/<index>`), so any one
 * input of a run can be derived again on its own from the seed, its entry point and its number. Not for keys.
 * @see https://pracrand.sourceforge.net/RNG_engines.txt (sfc32)
 */
export class FuzzRandom {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(label: string) {
    const h = createHash('sha256').update(`kakehashi/fuzz/v1\0${label}`).digest();
    this.#a = h.readUInt32LE(0);
    this.#b = h.readUInt32LE(4);
    this.#c = h.readUInt32LE(8);
    this.#d = h.readUInt32LE(12);
    for (let i = 0; i < 12; i++) this.next();
  }

  /** A uniform 32-bit unsigned integer. */
  next(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  /** A uniform integer in [0, n) (n ≥ 1; the tiny modulo bias does not matter for fuzzing). */
  int(n: number): number {
    if (n <= 1) return 0;
    return this.next() % n;
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() / 0x1_0000_0000 < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick: empty list');
    return items[this.int(items.length)] as T;
  }

  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.next() & 0xff;
    return b;
  }
}

/** Values that break parsers and validators: empty, huge, control characters, other types, injections. */
export const NASTY_STRINGS: readonly string[] = [
  '',
  ' ',
  '0',
  '-1',
  'null',
  'undefined',
  'true',
  '\u0000',
  '\r\n',
  '%00',
  '%',
  '%zz',
  '\\',
  '"',
  "'",
  '<',
  ']]>',
  '&amp;',
  '&x;',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a log4shell-style lookup, as text on purpose
  '${jndi:ldap://x}',
  '../../../../etc/passwd',
  "' OR '1'='1",
  '__proto__',
  'constructor',
  '\uFEFF',
  '\uD800',
  '\uFFFF',
  '𝒳𝒴',
  'é'.normalize('NFD'),
  'http://169.254.169.254/latest/meta-data/',
  'file:///etc/passwd',
  'javascript:alert(1)',
  '1e308',
  '9'.repeat(400),
];

/** A string of `n` characters from `rng` (mostly printable ASCII, sometimes anything). */
export function randomText(rng: FuzzRandom, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++)
    s += rng.chance(0.9) ? String.fromCharCode(32 + rng.int(95)) : String.fromCharCode(rng.int(0x3000));
  return s;
}

/** A nasty value, a random text, or a huge one. */
export function nastyString(rng: FuzzRandom): string {
  const r = rng.int(10);
  if (r < 6) return rng.pick(NASTY_STRINGS);
  if (r < 9) return randomText(rng, 1 + rng.int(40));
  return rng.pick(['A', '<', '%41', '😀']).repeat(1000 + rng.int(70_000));
}

/** Flips one random bit of `b` in place (nothing when it is empty). */
export function flipBit(b: Uint8Array, rng: FuzzRandom): void {
  if (b.length === 0) return;
  const i = rng.int(b.length);
  b[i] = (b[i] as number) ^ (1 << rng.int(8));
}
