/** One unsigned big-endian integer of an ECDSA signature as a DER INTEGER (minimal, a 0 before a high bit). */
function derInteger(v: Uint8Array): Buffer {
  let i = 0;
  while (i < v.length - 1 && v[i] === 0) i++;
  const pad = ((v[i] as number) & 0x80) !== 0 ? 1 : 0;
  const out = Buffer.allocUnsafe(2 + pad + v.length - i);
  out[0] = 0x02;
  out[1] = pad + v.length - i;
  if (pad) out[2] = 0;
  out.set(v.subarray(i), 2 + pad);
  return out;
}

/**
 * A JOSE ECDSA signature (r ‖ s, each as long as the curve's order: 64 bytes for P-256, 96 for P-384) as the DER
 * `Ecdsa-Sig-Value` node:crypto verifies by default. The key then goes to `verify` as a bare KeyObject: given as
 * `{ key, dsaEncoding: 'ieee-p1363' }` node:crypto takes a slower path to recognise it (measured on Node 24: ~75 µs
 * per P-256 verification against ~54 µs with the bare key and this conversion, which costs ~0.5 µs). Throws a
 * RangeError for an empty or odd length, or one longer than P-521's.
 * @see https://www.rfc-editor.org/rfc/rfc7518#section-3.4 (the JWS form)
 * @see https://www.rfc-editor.org/rfc/rfc3279#section-2.2.3 (Ecdsa-Sig-Value)
 */
export function p1363ToDer(sig: Uint8Array): Buffer {
  // Up to P-521 (2 × 66 bytes), so that every length fits DER's one-byte form.
  if (sig.length === 0 || sig.length % 2 !== 0 || sig.length > 132)
    throw new RangeError(`An ECDSA signature r ‖ s of ${sig.length} bytes.`);
  const half = sig.length >> 1;
  const r = derInteger(sig.subarray(0, half));
  const s = derInteger(sig.subarray(half));
  const out = Buffer.allocUnsafe(2 + r.length + s.length);
  out[0] = 0x30;
  out[1] = r.length + s.length;
  out.set(r, 2);
  out.set(s, 2 + r.length);
  return out;
}
