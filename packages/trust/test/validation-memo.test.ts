import { VirtualClock } from '@kakehashi/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCrl } from '../src/crl/create-crl.ts';
import { parseCrl } from '../src/crl/parse-crl.ts';
import type { TrustMaterial } from '../src/pki/types.ts';
import { TrustStore } from '../src/store/trust-store.ts';
import { ValidationMemo } from '../src/store/validation-memo.ts';
import { buildLotl } from '../src/tl/build-lotl.ts';
import { buildTrustedList } from '../src/tl/build-trusted-list.ts';
import { verifyLotl, verifyTrustedList } from '../src/tl/verify-trusted-list.ts';
import { AT, material } from './fixtures.ts';

/**
 * A trust store remembers valid verdicts (issue 15: the same peer certificate comes with every AS4 message); these
 * tests show that nothing a fresh validation would refuse is let through from memory after a first success.
 */
let m: TrustMaterial;
let agency: string;
beforeAll(() => {
  m = material();
  agency = m.countries.DE!.agencies.bva!.certPem;
});

const clock = new VirtualClock();
clock.freeze(AT);
const DAY = 86_400_000;
const plus = (days: number) => new Date(AT.getTime() + days * DAY);
const issueOpts = { sequenceNumber: 1, issueDate: new Date('2026-05-01T00:00:00Z'), nextUpdate: plus(180) };

function storeFrom(services?: Parameters<typeof buildTrustedList>[2]['services']): TrustStore {
  const lotl = verifyLotl(buildLotl(m, issueOpts), { pinnedSignerCerts: [m.hub.signing.certPem], clock });
  const lists = lotl.pointers.map((p) =>
    verifyTrustedList(buildTrustedList(m, p.territory, p.territory === 'DE' ? { ...issueOpts, services } : issueOpts), {
      signerCerts: p.signerCerts,
      clock,
    }),
  );
  return TrustStore.fromTrustedLists(lists);
}

const issuingCrl = (revoked: { serialHex: string; revokedAt: Date }[], nextUpdate: Date, n: number) =>
  parseCrl(createCrl(m.countries.DE!.issuingCa, revoked, new Date('2026-05-06Z'), nextUpdate, n));

describe('TrustStore: valid verdicts remembered, nothing hidden', () => {
  it('gives the same verdict again, naming the new validation time', () => {
    const store = storeFrom();
    const first = store.validate(agency, { at: AT, requiredKeyUsage: ['nonRepudiation'] });
    expect(first.valid).toBe(true);
    const again = store.validate(agency, { at: plus(1), requiredKeyUsage: ['nonRepudiation'] });
    expect(again.valid).toBe(true);
    expect(again.checks.map((c) => c.check)).toEqual(first.checks.map((c) => c.check));
    expect(again.checks.find((c) => c.check === 'trust-anchor')?.reason).toContain(plus(1).toISOString());
    // Other options are another question: a usage the certificate lacks is refused, not answered from memory.
    expect(store.validate(agency, { at: AT, requiredKeyUsage: ['keyCertSign'] }).failure?.code).toBe('cert-key-usage');
  });

  it('a CRL revoking the certificate after a first success: refused (a new generation)', () => {
    const store = storeFrom();
    store.addCrl(issuingCrl([], plus(60), 1));
    expect(store.validate(agency, { at: AT }).valid).toBe(true);
    const generation = store.generation;
    const serialHex = m.countries.DE!.agencies.bva!.serialHex;
    store.addCrl(issuingCrl([{ serialHex, revokedAt: plus(-1) }], plus(60), 2));
    expect(store.generation).toBeGreaterThan(generation);
    expect(store.validate(agency, { at: AT }).failure?.code).toBe('cert-revoked');
  });

  it('a revocation dated later in the CRL already held: refused once the clock passes it', () => {
    const store = storeFrom();
    const serialHex = m.countries.DE!.agencies.bva!.serialHex;
    store.addCrl(issuingCrl([{ serialHex, revokedAt: plus(10) }], plus(60), 1));
    expect(store.validate(agency, { at: AT }).valid).toBe(true);
    expect(store.validate(agency, { at: plus(9) }).valid).toBe(true);
    expect(store.validate(agency, { at: plus(10) }).failure?.code).toBe('cert-revoked');
  });

  it('time passing a CRL nextUpdate or the notAfter: refused; a stale CRL asks acceptStaleCrl every time', () => {
    const store = storeFrom();
    store.addCrl(issuingCrl([], plus(5), 1));
    expect(store.validate(agency, { at: AT }).valid).toBe(true);
    let asked = 0;
    const acceptStaleCrl = () => ++asked > 0;
    expect(store.validate(agency, { at: plus(6) }).failure?.code).toBe('cert-revocation-unknown');
    expect(store.validate(agency, { at: plus(6), acceptStaleCrl }).valid).toBe(true);
    expect(store.validate(agency, { at: plus(6), acceptStaleCrl }).valid).toBe(true);
    expect(asked).toBe(2);
    expect(store.validate(agency, { at: plus(6) }).failure?.code).toBe('cert-revocation-unknown');
    const fresh = storeFrom();
    expect(fresh.validate(agency, { at: AT }).valid).toBe(true);
    expect(fresh.validate(agency, { at: new Date('2031-01-01T00:00:00Z') }).failure?.code).toBe('cert-expired');
  });

  it('a trusted-list change after a first success: a CA withdrawn, a view replaced, a withdrawal reached in time', () => {
    const store = storeFrom();
    expect(store.validate(agency, { at: AT }).valid).toBe(true);
    const wasGranted = [{ status: 'granted' as const, statusStartingTime: new Date('2025-01-01T00:00:00Z') }];
    const withdrawn = storeFrom({
      'DE-root-ca': { status: 'withdrawn', statusStartingTime: plus(-1), history: wasGranted },
      'DE-issuing-ca': { status: 'withdrawn', statusStartingTime: plus(-1), history: wasGranted },
    });
    store.reset({ anchors: [...withdrawn.anchors] });
    expect(store.validate(agency, { at: AT }).failure?.code).toBe('cert-untrusted-root');
    // The withdrawal dated later in the list held: valid until then, refused from then on.
    const later = storeFrom({
      'DE-root-ca': { status: 'withdrawn', statusStartingTime: plus(3), history: wasGranted },
      'DE-issuing-ca': { status: 'withdrawn', statusStartingTime: plus(3), history: wasGranted },
    });
    expect(later.validate(agency, { at: AT }).valid).toBe(true);
    expect(later.validate(agency, { at: plus(2) }).valid).toBe(true);
    expect(later.validate(agency, { at: plus(3) }).failure?.code).toBe('cert-untrusted-root');
  });
});

describe('ValidationMemo: a verdict is given from memory only for the same certificate, chain and options', () => {
  const valid = () => ({
    valid: true,
    chain: [
      {
        subject: 'CN=x',
        issuer: 'CN=y',
        serial: '01',
        notBefore: '2026-01-01T00:00:00Z',
        notAfter: '2027-01-01T00:00:00Z',
        label: 'x',
        isAnchor: false,
      },
    ],
    checks: [],
  });
  const content = { anchors: [], crls: [] };

  it('computes anew for another chain (order, length, one text) or other options; reuses equal texts', () => {
    const memo = new ValidationMemo();
    let computed = 0;
    const run = (
      cert: string,
      intermediates: string[],
      requiredKeyUsage: ('digitalSignature' | 'keyCertSign')[] = [],
    ) =>
      memo.validate(cert, { at: AT, intermediates, requiredKeyUsage }, content, () => {
        computed++;
        return valid();
      });
    run('leaf', ['a', 'b']);
    expect(computed).toBe(1);
    // Equal texts that are other string objects: from memory.
    run(['le', 'af'].join(''), [['a'].join(''), 'b']);
    expect(computed).toBe(1);
    for (const [cert, chain, usage] of [
      ['leaf', ['b', 'a']],
      ['leaf', ['a']],
      ['leaf', ['a', 'b', 'c']],
      ['leaf', ['a', 'B']],
      ['leaf', ['a\u0001b']],
      ['leaF', ['a', 'b']],
      ['leaf', ['a', 'b'], ['keyCertSign']],
    ] as [string, string[], ('digitalSignature' | 'keyCertSign')[]?][]) {
      const before = computed;
      run(cert, chain, usage);
      expect(computed, `${cert} ${chain.join('|')} ${usage ?? ''}`).toBe(before + 1);
      run(cert, chain, usage);
      expect(computed).toBe(before + 1);
    }
    // The first inputs are still remembered beside the others; clear forgets them.
    run('leaf', ['a', 'b']);
    expect(computed).toBe(8);
    memo.clear();
    run('leaf', ['a', 'b']);
    expect(computed).toBe(9);
  });
});
