/**
 * A small, strict DER reader and writer: enough for CMS SignedData (RFC 5652), RFC 3161 time-stamp tokens and
 * the CAdES signed attributes. Reading keeps the exact bytes of every element, so signed structures are hashed
 * as received (never re-encoded). Indefinite lengths (BER) are refused: CAdES signed attributes are DER.
 * @see https://www.itu.int/rec/T-REC-X.690 (§8, §10 DER)
 */

/** One decoded TLV. `bytes` is the whole element as received, `value` its contents. */
export interface Der {
  /** The identifier octet (class, constructed bit and tag number < 31). */
  tag: number;
  constructed: boolean;
  bytes: Buffer;
  value: Buffer;
}

export const TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8: 0x0c,
  printable: 0x13,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
} as const;

/** A DER structure that cannot be read: the message says where. */
export class DerError extends Error {
  override name = 'DerError';
}

function readHeader(buf: Buffer, offset: number): { tag: number; valueStart: number; end: number } {
  if (offset + 2 > buf.length) throw new DerError('truncated element header');
  const tag = buf[offset] as number;
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte tags are not used in these structures');
  let len = buf[offset + 1] as number;
  let valueStart = offset + 2;
  if (len === 0x80) throw new DerError('indefinite length (BER) is not DER');
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n > 4) throw new DerError('length field too long');
    if (valueStart + n > buf.length) throw new DerError('truncated length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (buf[valueStart + i] as number);
    valueStart += n;
  }
  const end = valueStart + len;
  if (end > buf.length) throw new DerError(`element of ${len} bytes runs past the end of the data`);
  return { tag, valueStart, end };
}

/** Reads the element at `offset`. */
export function readDer(buf: Buffer, offset = 0): Der {
  const h = readHeader(buf, offset);
  return {
    tag: h.tag,
    constructed: (h.tag & 0x20) !== 0,
    bytes: buf.subarray(offset, h.end),
    value: buf.subarray(h.valueStart, h.end),
  };
}

/** Reads exactly one element that spans all of `buf` (trailing bytes are an error). */
export function readDerExact(buf: Buffer): Der {
  const d = readDer(buf, 0);
  if (d.bytes.length !== buf.length)
    throw new DerError(`${buf.length - d.bytes.length} trailing byte(s) after the structure`);
  return d;
}

/** The children of a constructed element (at most `max`, to bound work on hostile input). */
export function children(d: Der | undefined, max = 10_000): Der[] {
  if (!d) return [];
  if (!d.constructed) throw new DerError(`element with tag 0x${d.tag.toString(16)} is not constructed`);
  const out: Der[] = [];
  let off = 0;
  while (off < d.value.length) {
    if (out.length >= max) throw new DerError(`more than ${max} elements`);
    const c = readDer(d.value, off);
    out.push(c);
    off += c.bytes.length;
  }
  return out;
}

/** Asserts the tag of an element. */
export function expectTag(d: Der | undefined, tag: number, what: string): Der {
  if (!d) throw new DerError(`${what} is missing`);
  if (d.tag !== tag) throw new DerError(`${what} has tag 0x${d.tag.toString(16)}, expected 0x${tag.toString(16)}`);
  return d;
}

export function decodeOid(d: Der | undefined): string {
  const v = expectTag(d, TAG.oid, 'OBJECT IDENTIFIER').value;
  if (v.length === 0) throw new DerError('empty OBJECT IDENTIFIER');
  const parts: number[] = [];
  let n = 0;
  for (const b of v) {
    n = n * 128 + (b & 0x7f);
    if (n > Number.MAX_SAFE_INTEGER / 128) throw new DerError('OBJECT IDENTIFIER arc too large');
    if ((b & 0x80) === 0) {
      parts.push(n);
      n = 0;
    }
  }
  const first = parts.shift() ?? 0;
  const a = first < 80 ? Math.floor(first / 40) : 2;
  return [a, first - a * 40, ...parts].join('.');
}

/** An INTEGER as unsigned lower-case hex without leading zero bytes (how serial numbers are compared). */
export function integerHex(d: Der | undefined): string {
  const v = expectTag(d, TAG.integer, 'INTEGER').value;
  let i = 0;
  while (i < v.length - 1 && v[i] === 0) i++;
  return v.subarray(i).toString('hex');
}

export function decodeTime(d: Der | undefined): Date {
  if (!d) throw new DerError('time is missing');
  const s = d.value.toString('latin1');
  let m: RegExpExecArray | null;
  if (d.tag === TAG.utcTime) {
    m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s);
    if (!m) throw new DerError(`UTCTime "${s.slice(0, 20)}" is not YYMMDDHHMMSSZ`);
    const yy = Number(m[1]);
    return new Date(
      Date.UTC(
        yy < 50 ? 2000 + yy : 1900 + yy,
        Number(m[2]) - 1,
        Number(m[3]),
        Number(m[4]),
        Number(m[5]),
        Number(m[6]),
      ),
    );
  }
  if (d.tag === TAG.generalizedTime) {
    m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d{1,9}))?Z$/.exec(s);
    if (!m) throw new DerError(`GeneralizedTime "${s.slice(0, 24)}" is not YYYYMMDDHHMMSS[.f]Z`);
    const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
    return new Date(
      Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms),
    );
  }
  throw new DerError(`tag 0x${d.tag.toString(16)} is not a time`);
}

// ---------------------------------------------------------------------------------------------- writing

function lengthBytes(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** Encodes one TLV. */
export function tlv(tag: number, ...content: Buffer[]): Buffer {
  const value = content.length === 1 ? (content[0] as Buffer) : Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), lengthBytes(value.length), value]);
}

export const seq = (...items: Buffer[]): Buffer => tlv(TAG.sequence, ...items);

/** SET OF in DER order (elements sorted by their encodings, X.690 §11.6). */
export const setOf = (...items: Buffer[]): Buffer => tlv(TAG.set, ...[...items].sort(Buffer.compare));

/** Context-specific tag `[n]`, constructed (EXPLICIT, or IMPLICIT of a constructed type). */
export const ctx = (n: number, ...items: Buffer[]): Buffer => tlv(0xa0 | n, ...items);

/** Context-specific primitive tag `[n]` (IMPLICIT of a primitive type). */
export const ctxPrimitive = (n: number, value: Buffer): Buffer => tlv(0x80 | n, value);

export const octets = (b: Uint8Array): Buffer => tlv(TAG.octetString, Buffer.from(b));
export const nullValue = (): Buffer => Buffer.from([TAG.null, 0]);
export const bool = (v: boolean): Buffer => Buffer.from([TAG.boolean, 1, v ? 0xff : 0]);

export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  if (arcs.length < 2 || arcs.some((a) => !Number.isSafeInteger(a) || a < 0)) throw new DerError(`bad OID ${dotted}`);
  const out: number[] = [];
  const push = (n: number) => {
    const chunk: number[] = [n & 0x7f];
    for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  };
  push((arcs[0] as number) * 40 + (arcs[1] as number));
  for (const a of arcs.slice(2)) push(a);
  return tlv(TAG.oid, Buffer.from(out));
}

/** An INTEGER from unsigned big-endian bytes or a non-negative number. */
export function integer(v: Uint8Array | number | bigint): Buffer {
  let bytes: Buffer;
  if (typeof v === 'number' || typeof v === 'bigint') {
    let hex = BigInt(v).toString(16);
    if (hex.length % 2) hex = `0${hex}`;
    bytes = Buffer.from(hex, 'hex');
  } else bytes = Buffer.from(v);
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0 && ((bytes[i + 1] as number) & 0x80) === 0) i++;
  bytes = bytes.subarray(i);
  if (bytes.length === 0) bytes = Buffer.from([0]);
  if (((bytes[0] as number) & 0x80) !== 0) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(TAG.integer, bytes);
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** UTCTime through 2049, GeneralizedTime from 2050 (RFC 5652 §11.3 signing-time rule). */
export function signingTime(d: Date): Buffer {
  if (d.getUTCFullYear() >= 2050 || d.getUTCFullYear() < 1950) return generalizedTime(d, false);
  const s = `${pad(d.getUTCFullYear() % 100)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
  return tlv(TAG.utcTime, Buffer.from(s, 'latin1'));
}

/** GeneralizedTime, with milliseconds (no trailing zeros, RFC 3161 §2.4.2) when `fraction` and non-zero. */
export function generalizedTime(d: Date, fraction = true): Buffer {
  let s = `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
  const ms = d.getUTCMilliseconds();
  if (fraction && ms !== 0) s += `.${pad(ms, 3).replace(/0+$/, '')}`;
  return tlv(TAG.generalizedTime, Buffer.from(`${s}Z`, 'latin1'));
}
