import { describe, expect, it } from 'vitest';
import { certificateBytes } from '../src/common/certificates.ts';

/**
 * The decoded certificates are found by a short key of their base64 text (its length and end), never used for
 * another text: two texts that share the key each decode to their own bytes (issue 15).
 */
describe('certificateBytes', () => {
  const tail = 'A'.repeat(48);
  const one = `MIIB${'q'.repeat(100)}${tail}`;
  const other = `MIIC${'r'.repeat(100)}${tail}`;

  it('decodes a text once and gives the same bytes for an equal text read again', () => {
    const first = certificateBytes(one);
    expect(certificateBytes(`${one.slice(0, 10)}${one.slice(10)}`)).toBe(first);
    expect(first.der.equals(Buffer.from(one, 'base64'))).toBe(true);
  });

  it('never gives the bytes of another text with the same length and end', () => {
    expect(one.length).toBe(other.length);
    const a = certificateBytes(one);
    const b = certificateBytes(other);
    expect(b.der.equals(Buffer.from(other, 'base64'))).toBe(true);
    expect(b.der.equals(a.der)).toBe(false);
    expect(certificateBytes(one).der.equals(Buffer.from(one, 'base64'))).toBe(true);
  });
});
