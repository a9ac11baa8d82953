import { X509Certificate } from 'node:crypto';
import { isKakehashiError, VirtualClock } from '@kakehashi/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCrl } from '../src/crl/create-crl.ts';
import { listCertificateAuthorities } from '../src/pki/generate-material.ts';
import type { TrustMaterial } from '../src/pki/types.ts';
import { buildLotl } from '../src/tl/build-lotl.ts';
import { buildTrustedList } from '../src/tl/build-trusted-list.ts';
import { VerificationMemo } from '../src/tl/verification-memo.ts';
import { AT, material } from './fixtures.ts';

const issue = {
  sequenceNumber: 7,
  issueDate: new Date('2026-05-01T00:00:00Z'),
  nextUpdate: new Date('2026-07-01T00:00:00Z'),
};

function clockAt(d: Date): VirtualClock {
  const c = new VirtualClock();
  c.freeze(d);
  return c;
}

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isKakehashiError(e) ? e.code : String(e);
  }
  return undefined;
}

describe('verification memo', () => {
  let m: TrustMaterial;
  let lotl: string;
  let tl: string;
  beforeAll(() => {
    m = material();
    lotl = buildLotl(m, issue);
    tl = buildTrustedList(m, 'DE', issue);
  });

  it('verifies the same bytes against the same signers once, and again for other signers', () => {
    const memo = new VerificationMemo();
    const clock = clockAt(AT);
    const first = memo.verifyLotl(lotl, { pinnedSignerCerts: [m.hub.signing.certPem], clock });
    expect(first.sequenceNumber).toBe(7);
    expect(memo.verifyLotl(lotl, { pinnedSignerCerts: [m.hub.signing.certPem], clock })).toBe(first);
    // Other pinned signers are another question: the full verification runs (and refuses).
    expect(code(() => memo.verifyLotl(lotl, { pinnedSignerCerts: [m.countries.DE!.signing.certPem], clock }))).toBe(
      'tl-signature-invalid',
    );
    const pointer = first.pointers.find((p) => p.territory === 'DE');
    const list = memo.verifyTrustedList(tl, { signerCerts: pointer!.signerCertsPem, clock, expectedTerritory: 'DE' });
    expect(list.territory).toBe('DE');
    expect(memo.verifyTrustedList(tl, { signerCerts: pointer!.signerCertsPem, clock, expectedTerritory: 'DE' })).toBe(
      list,
    );
  });

  it('never serves a hit that the time or sequence rules refuse: rollback and expiry fail with their codes', () => {
    const memo = new VerificationMemo();
    const pinned = { pinnedSignerCerts: [m.hub.signing.certPem] };
    memo.verifyLotl(lotl, { ...pinned, clock: clockAt(AT) });
    expect(code(() => memo.verifyLotl(lotl, { ...pinned, clock: clockAt(AT), minSequence: 8 }))).toBe('tl-rollback');
    expect(code(() => memo.verifyLotl(lotl, { ...pinned, clock: clockAt(new Date('2026-07-02T00:00:00Z')) }))).toBe(
      'tl-expired',
    );
    expect(memo.verifyLotl(lotl, { ...pinned, clock: clockAt(AT), minSequence: 7 }).sequenceNumber).toBe(7);
  });

  it("refuses a hit outside its signer's validity as a fresh verification does, after hits that took the window", () => {
    const memo = new VerificationMemo();
    const pinned = { pinnedSignerCerts: [m.hub.signing.certPem] };
    const first = memo.verifyLotl(lotl, { ...pinned, clock: clockAt(AT) });
    expect(memo.verifyLotl(lotl, { ...pinned, clock: clockAt(AT) })).toBe(first);
    const before = new Date(Date.parse(new X509Certificate(m.hub.signing.certPem).validFrom) - 86_400_000);
    const fresh = code(() => new VerificationMemo().verifyLotl(lotl, { ...pinned, clock: clockAt(before) }));
    expect(fresh).toBeDefined();
    expect(code(() => memo.verifyLotl(lotl, { ...pinned, clock: clockAt(before) }))).toBe(fresh);
  });

  it('parses a CRL once per distinct DER', () => {
    const memo = new VerificationMemo();
    const ca = listCertificateAuthorities(m)[0]!;
    const der = createCrl(ca, [], new Date('2026-05-01T00:00:00Z'), new Date('2026-07-01T00:00:00Z'), 1);
    const parsed = memo.parseCrl(der);
    expect(memo.parseCrl(new Uint8Array(der))).toBe(parsed);
    const other = createCrl(ca, [], new Date('2026-05-01T00:00:00Z'), new Date('2026-07-01T00:00:00Z'), 2);
    expect(memo.parseCrl(other)).not.toBe(parsed);
  });
});
