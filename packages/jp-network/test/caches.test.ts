import { openStore, VirtualClock } from '@kakehashi/core';
import { describe, expect, it } from 'vitest';
import { KeyCustodian } from '../src/custodian/key-custodian.ts';
import { AccessRecords } from '../src/records/access-records.ts';

/**
 * What the mediated query path keeps in memory instead of reading per request (issue 15): the custodian's key
 * versions, dropped on every rotation and reset, never taken from a transaction that rolls back; and the request
 * id lookup of the access records, served by an index.
 */
describe('custodian key versions, cached', () => {
  const make = () => {
    const store = openStore({ name: 'custodian' });
    return { store, custodian: new KeyCustodian('cache-test', store, new VirtualClock()) };
  };
  const linkId = Buffer.alloc(32, 7);

  it('a rotation is seen at once by the next HMAC and code, the old version still usable', () => {
    const { custodian } = make();
    const before = custodian.hmac('records', linkId, 'test', 'p');
    expect(custodian.currentVersion('records')).toBe(1);
    expect(custodian.rotate('records', 'test')).toBe(2);
    expect(custodian.currentVersion('records')).toBe(2);
    const after = custodian.hmac('records', linkId, 'test', 'p');
    expect(after.equals(before)).toBe(false);
    expect(custodian.hmac('records', linkId, 'test', 'p', 1).equals(before)).toBe(true);

    const v1 = custodian.currentAgencyVersion('city', 'test');
    const code1 = custodian.agencyCode('city', v1, linkId, 'test');
    const v2 = custodian.rotateAgency('city', 'test');
    expect(v2).toBe(v1 + 1);
    expect(custodian.currentAgencyVersion('city', 'test')).toBe(v2);
    expect(custodian.agencyCode('city', v2, linkId, 'test')).not.toBe(code1);
    expect(custodian.agencyCode('city', v1, linkId, 'test')).toBe(code1);
    // Every use is still audited, cached version or not.
    expect(custodian.audit.verify().valid).toBe(true);
    expect(custodian.audit.list({ limit: 1000 }).some((e) => e.action === 'hmac' && e.subject === 'records/v2')).toBe(
      true,
    );
  });

  it('a rotation rolled back leaves no version behind in the cache', () => {
    const { store, custodian } = make();
    expect(custodian.currentAgencyVersion('city', 'test')).toBe(1);
    expect(() =>
      store.transaction(() => {
        custodian.rotateAgency('city', 'test');
        custodian.rotate('master', 'test');
        expect(custodian.currentAgencyVersion('city', 'test')).toBe(2);
        expect(custodian.currentVersion('master')).toBe(2);
        throw new Error('rolled back');
      }),
    ).toThrow('rolled back');
    expect(custodian.currentAgencyVersion('city', 'test')).toBe(1);
    expect(custodian.currentVersion('master')).toBe(1);
    expect(custodian.agencyKeyVersion('city', 2)).toBeUndefined();
  });

  it('a reset (the store emptied, then ensureKeys) starts again from version 1', () => {
    const { store, custodian } = make();
    custodian.rotate('link', 'test');
    custodian.rotateAgency('city', 'test');
    custodian.rotateAgency('city', 'test');
    expect(custodian.currentVersion('link')).toBe(2);
    store.exec('DELETE FROM custodian_keys; DELETE FROM custodian_agency_keys;');
    custodian.ensureKeys();
    expect(custodian.currentVersion('link')).toBe(1);
    expect(custodian.agencyKeyVersion('city', 2)).toBeUndefined();
    expect(custodian.currentAgencyVersion('city', 'test')).toBe(1);
  });
});

describe('access records by request id', () => {
  it('are found through an index on the request id, and a reused id is seen before and after the write', () => {
    const store = openStore({ name: 'records' });
    const records = new AccessRecords(store, new VirtualClock(), 'nws_access_records');
    const plan = store
      .all<{ detail: string }>(
        "EXPLAIN QUERY PLAN SELECT seq FROM nws_access_records WHERE json_extract(details, '$.requestId') = ?",
        'r1',
      )
      .map((r) => r.detail)
      .join(' ');
    expect(plan).toMatch(/USING (COVERING )?INDEX nws_access_records_request_id/);
    const record = {
      requestId: 'r1',
      requester: { id: 'a', name: 'A' },
      provider: { id: 'b', name: 'B' },
      procedure: { id: 'p', name: 'P' },
      items: ['income'],
      requestedAt: '2026-01-01T00:00:00.000Z',
      providedAt: null,
      outcome: 'refused' as const,
      nonDisclosure: false,
    };
    expect(records.byRequest('r1')).toEqual([]);
    records.append('network', 'a', null, record);
    records.append('network', 'a', null, { ...record, requestId: 'r2' });
    expect(records.byRequest('r1').map((r) => r.requestId)).toEqual(['r1']);
    expect(records.byRequest('r2')).toHaveLength(1);
    expect(records.verify().valid).toBe(true);
  });
});
