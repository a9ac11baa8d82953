import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, VirtualClock } from '@kakehashi/core';
import { generateTrustMaterial, parseCrl } from '@kakehashi/trust';
import { afterAll, describe, expect, it } from 'vitest';
import { createHubTrust } from '../src/trust/create-hub-trust.ts';

/**
 * A hub restarted on the same data directory serves what it published last while that is current (no signing at
 * every start), and publishes anew whenever what the lists or a CRL are made from changed, or they are not current.
 */
const HUB = 'http://127.0.0.1:7000';
const DAY = 86_400_000;
const m = generateTrustMaterial({
  seed: 'kakehashi-hub-publication-store',
  countries: [{ code: 'AT', name: 'Austria', agencies: [{ id: 'bmf', name: 'Finance' }] }],
  hubUrl: HUB,
  cacheDir: join(import.meta.dirname, '..', 'node_modules', '.cache', 'hub-publication-store'),
  now: new Date('2026-06-01T00:00:00Z'),
});
const dataDir = mkdtempSync(join(tmpdir(), 'kakehashi-hub-publication-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** A hub's trust as one start makes it: its store reopened from the data directory, the clock at `at`. */
function start(at: number, opts: { hubUrl?: string; validityDays?: number } = {}) {
  const store = openStore({ name: 'hub', dataDir });
  const clock = new VirtualClock();
  clock.freeze(new Date(at));
  const trust = createHubTrust(m, {
    clock,
    store,
    hubUrl: opts.hubUrl ?? HUB,
    validityDays: () => opts.validityDays ?? 30,
  });
  return { trust, clock, close: () => store.close() };
}
const T0 = Date.parse('2026-06-02T00:00:00Z');
const crlNumberOf = (der: Uint8Array | undefined) => Number(parseCrl(der as Buffer).crlNumber);
const same = (a: Uint8Array | undefined, b: Uint8Array | undefined) =>
  Buffer.from(a ?? []).equals(Buffer.from(b ?? []));
const sequenceOf = (xml: string) => Number(/TSLSequenceNumber>(\d+)</.exec(xml)?.[1]);

describe('the hub publication across restarts', () => {
  const ca = m.countries.AT?.issuingCa.name as string;
  let first: { lotl: string; tl: string | undefined; crl: Uint8Array | undefined };

  it('serves the same signed lists and CRLs after a restart while they are current', () => {
    const a = start(T0);
    first = { lotl: a.trust.lotlXml(), tl: a.trust.trustedListXml('AT'), crl: a.trust.crlDer(ca) };
    a.close();
    const b = start(T0 + 3 * DAY);
    expect(b.trust.lotlXml()).toBe(first.lotl);
    expect(b.trust.trustedListXml('AT')).toBe(first.tl);
    expect(same(b.trust.crlDer(ca), first.crl)).toBe(true);
    b.close();
  });

  it('makes a new CRL after a revocation, kept for the next start in turn', () => {
    const a = start(T0 + DAY);
    const serialHex = m.countries.AT?.signing.serialHex;
    a.trust.revoke({ serialHex, reason: 'keyCompromise' });
    const after = a.trust.crlDer(ca);
    expect(crlNumberOf(after)).toBeGreaterThan(crlNumberOf(first.crl));
    expect(parseCrl(after as Buffer).revoked.map((r) => r.serialHex)).toContain(serialHex?.toLowerCase());
    // The lists do not depend on revocations: the same signed lists still.
    expect(a.trust.lotlXml()).toBe(first.lotl);
    a.close();
    const b = start(T0 + 2 * DAY);
    expect(same(b.trust.crlDer(ca), after)).toBe(true);
    b.trust.unrevoke();
    b.close();
  });

  it('publishes anew with a higher sequence number once they are no longer current, or the clock is before them', () => {
    const late = start(T0 + 29.5 * DAY);
    const republished = late.trust.lotlXml();
    expect(republished).not.toBe(first.lotl);
    expect(sequenceOf(republished)).toBeGreaterThan(sequenceOf(first.lotl));
    late.close();
    const early = start(T0 - DAY);
    expect(early.trust.lotlXml()).not.toBe(republished);
    early.close();
  });

  it('publishes anew for another hub URL or validity period', () => {
    const a = start(T0 + DAY);
    const now = a.trust.lotlXml();
    a.close();
    const moved = start(T0 + DAY, { hubUrl: 'http://127.0.0.1:7100' });
    const other = moved.trust.lotlXml();
    expect(other).not.toBe(now);
    expect(other).toContain('http://127.0.0.1:7100/trust/');
    moved.close();
    const shorter = start(T0 + DAY, { validityDays: 7 });
    expect(shorter.trust.lotlXml()).not.toBe(now);
    shorter.close();
  });
});
