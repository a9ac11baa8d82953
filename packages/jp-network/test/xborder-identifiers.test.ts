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

  it('gives what the two methods give, with one link id computed and every key use audited', () => {
    const { custodian, ids, reads } = make();
    const separate = {
      personIdentifier: ids.personIdentifier('jp-001', 'de'),
      pairwiseSubject: ids.pairwiseSubject('jp-001', 'RP.Example'),
    };
    const used = (action: string) => custodian.audit.list({ limit: 1000 }).filter((e) => e.action === action);
    const [linkUses, macUses, readsBefore] = [
      used('hmac').filter((e) => e.subject === 'link/v1').length,
      used('hmac').length,
      reads(),
    ];
    expect(ids.identifiersOf('jp-001', 'de', 'RP.Example')).toEqual(separate);
    expect(separate.personIdentifier).toMatch(/^JP\/DE\/[A-Za-z0-9_-]{43}$/);
    expect(reads() - readsBefore).toBe(1);
    expect(used('hmac').filter((e) => e.subject === 'link/v1').length - linkUses).toBe(1);
    // The link id, the xborder MAC and the pairwise MAC: three audited uses.
    expect(used('hmac').length - macUses).toBe(3);
    expect(custodian.audit.verify().valid).toBe(true);
  });

  it('refuses what the two methods refuse', () => {
    const { ids } = make();
    expect(() => ids.identifiersOf('jp-999', 'DE', 'rp')).toThrow(/No Japanese resident/);
    expect(() => ids.identifiersOf('jp-001', 'DEU', 'rp')).toThrow(/two-letter/);
    expect(() => ids.identifiersOf('jp-001', 'DE', '')).toThrow(/1-255/);
  });
});
