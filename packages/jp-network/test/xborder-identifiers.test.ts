import { openStore, VirtualClock } from '@kakehashi/core';
import { describe, expect, it } from 'vitest';
import { KeyCustodian } from '../src/custodian/key-custodian.ts';
import type { JlisRegistry } from '../src/registry/jlis-registry.ts';
import { createXborderIdentifiers } from '../src/xborder/xborder-identifiers.ts';

/** Both identifiers of an ID token from one link id (issue 15: one registry read and one K_link use per login). */
describe('cross-border identifiers, both at once', () => {
  const make = () => {
    const custodian = new KeyCustodian('xborder-test', openStore({ name: 'custodian' }), new VirtualClock());
    let reads = 0;
    const registry = {
      residentRecordCodeOfPersona: (id: string) => {
        reads++;
        return id === 'jp-001' ? '123456789012' : undefined;
      },
    } as unknown as JlisRegistry;
    return { custodian, ids: createXborderIdentifiers(registry, custodian), reads: () => reads };
  };

  it('gives what the two methods give, with one link id computed and the three key uses audited as one entry', () => {
    const { custodian, ids, reads } = make();
    const separate = {
      personIdentifier: ids.personIdentifier('jp-001', 'de'),
      pairwiseSubject: ids.pairwiseSubject('jp-001', 'RP.Example'),
    };
    const entries = () => custodian.audit.list({ limit: 1000 });
    // The two methods alone: each its link id and its MAC, each use its own entry.
    expect(
      entries()
        .filter((e) => e.action === 'hmac')
        .map((e) => e.subject),
    ).toEqual(['link/v1', 'xborder/v1', 'link/v1', 'pairwise/v1']);
    const [before, readsBefore] = [entries().length, reads()];
    expect(ids.identifiersOf('jp-001', 'de', 'RP.Example')).toEqual(separate);
    expect(separate.personIdentifier).toMatch(/^JP\/DE\/[A-Za-z0-9_-]{43}$/);
    expect(reads() - readsBefore).toBe(1);
    const added = entries().slice(before);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({
      actor: 'xborder',
      action: 'hmac-batch',
      subject: 'link/v1 xborder/v1 pairwise/v1',
      outcome: 'success',
      details: { purpose: 'eidas-person-identifier, oidc-pairwise-sub', count: 3 },
    });
    expect(custodian.audit.verify().valid).toBe(true);
  });

  it('a batch that throws half-way still audits the uses it made', () => {
    const { custodian } = make();
    expect(() =>
      custodian.hmacBatch('test', 'p', (mac) => {
        mac('link', 'a', 1);
        throw new Error('stop');
      }),
    ).toThrow('stop');
    expect(custodian.audit.list({ limit: 1000 }).at(-1)).toMatchObject({ action: 'hmac-batch', subject: 'link/v1' });
  });

  it('refuses what the two methods refuse', () => {
    const { ids } = make();
    expect(() => ids.identifiersOf('jp-999', 'DE', 'rp')).toThrow(/No Japanese resident/);
    expect(() => ids.identifiersOf('jp-001', 'DEU', 'rp')).toThrow(/two-letter/);
    expect(() => ids.identifiersOf('jp-001', 'DE', '')).toThrow(/1-255/);
  });
});
