import { openStore } from '@kakehashi/core';
import { describe, expect, it } from 'vitest';
import { RegistryStore } from '../src/registry/registry-store.ts';

const meta = (country: string, participants: { id: string; services: string[] }[]) => ({
  country,
  name: `node ${country}`,
  url: `http://127.0.0.1:7001`,
  iat: 1,
  endpoints: {
    health: 'http://x/health',
    openapi: 'http://x/openapi.json',
    docs: 'http://x/docs',
    personas: 'http://x/personas',
  },
  capabilities: [],
  services: [],
  participants: participants.map((p) => ({ ...p, name: p.id })),
  certificates: { signing: 's', tls: 't', encryption: 'e' },
});

describe('RegistryStore', () => {
  it('registers, updates and indexes participants; an update replaces the old index entries', () => {
    const r = new RegistryStore(openStore({ name: 'reg' }));
    expect(
      r.upsert(meta('DE', [{ id: 'p:de:a', services: ['s1', 's2'] }]), 'jws1', 'aa', '2026-01-01T00:00:00Z'),
    ).toEqual({ created: true });
    expect(r.findParticipant('p:de:a', 's2')).toBe('DE');
    expect(r.upsert(meta('DE', [{ id: 'p:de:b', services: ['s1'] }]), 'jws2', 'bb', '2026-01-02T00:00:00Z')).toEqual({
      created: false,
    });
    expect(r.findParticipant('p:de:a', 's2')).toBeUndefined();
    expect(r.findParticipant('p:de:b', 's1')).toBe('DE');
    const node = r.get('DE');
    expect(node).toMatchObject({
      registeredAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-02T00:00:00Z',
      signerSerial: 'bb',
    });
    expect(r.signedMetadata('DE')).toBe('jws2');
    expect(node?.health.status).toBe('unknown');
  });

  it('records health and removes nodes with their index', () => {
    const r = new RegistryStore(openStore({ name: 'reg2' }));
    r.upsert(meta('JP', [{ id: 'p:jp:x', services: ['s'] }]), 'jws', 'cc', 't');
    r.setHealth('JP', 'unreachable', 't2', 'HTTP 500');
    expect(r.get('JP')?.health).toEqual({ status: 'unreachable', checkedAt: 't2', detail: 'HTTP 500' });
    expect(r.remove('JP')).toBe(true);
    expect(r.findParticipant('p:jp:x', 's')).toBeUndefined();
    expect(r.list()).toEqual([]);
  });

  it('a failure inside an update leaves the previous registration intact (one transaction)', () => {
    const store = openStore({ name: 'reg3' });
    const r = new RegistryStore(store);
    r.upsert(meta('EE', [{ id: 'p:ee:a', services: ['s'] }]), 'jws', 'dd', 't');
    // Make the participant index refuse one insert, halfway through the update.
    store.exec(
      "CREATE TRIGGER fail_insert BEFORE INSERT ON registry_participants WHEN NEW.participant_id = 'boom' BEGIN SELECT RAISE(ABORT, 'boom'); END",
    );
    expect(() => r.upsert(meta('EE', [{ id: 'boom', services: ['s'] }]), 'jws2', 'ee', 't2')).toThrow(/boom/);
    expect(r.signedMetadata('EE')).toBe('jws');
    expect(r.findParticipant('p:ee:a', 's')).toBe('EE');
  });
});
