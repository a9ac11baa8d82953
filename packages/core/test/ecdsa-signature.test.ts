import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { p1363ToDer } from '../src/protocol/ecdsa-signature.ts';

describe('p1363ToDer', () => {
  it('gives the DER signature node:crypto verifies with a bare key, for P-256 and P-384 (r and s of every length)', () => {
    for (const [curve, len] of [
      ['P-256', 64],
      ['P-384', 96],
    ] as const) {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
      for (let i = 0; i < 100; i++) {
        const data = Buffer.from(`message ${i}`);
        const jose = sign(curve === 'P-256' ? 'sha256' : 'sha384', data, {
          key: privateKey,
          dsaEncoding: 'ieee-p1363',
        });
        expect(jose).toHaveLength(len);
        const der = p1363ToDer(jose);
        expect(verify(curve === 'P-256' ? 'sha256' : 'sha384', data, publicKey, der)).toBe(true);
        // the same DER node:crypto makes itself (minimal integers)
        expect(verify(curve === 'P-256' ? 'sha256' : 'sha384', data, { key: publicKey, dsaEncoding: 'der' }, der)).toBe(
          true,
        );
      }
    }
  });

  it('keeps a zero as a zero (so r = 0 or s = 0 still fails verification) and refuses impossible lengths', () => {
    expect(p1363ToDer(new Uint8Array(64))).toEqual(Buffer.from([0x30, 6, 2, 1, 0, 2, 1, 0]));
    expect(p1363ToDer(Uint8Array.from([0x80, 1]))).toEqual(Buffer.from([0x30, 7, 2, 2, 0, 0x80, 2, 1, 1]));
    for (const n of [0, 63, 134]) expect(() => p1363ToDer(new Uint8Array(n))).toThrow(RangeError);
  });
});
