import { createMemoryLogger, openStore, SecurityEvents, type Store, VirtualClock } from '@kakehashi/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CsirtNetwork,
  NationalCsirt,
  nis2Deadlines,
  oneMonthAfter,
  readIndicatorPattern,
  type StixBundle,
  TLP_MARKING_IDS,
} from '../src/index.ts';

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});
const THUMB = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';
const ATTACKER = 'http://127.0.0.1:7009';

function node(country: string, shared: { from: string; bundle: StixBundle; tlp: string }[] = []) {
  const store = openStore({ name: `csirt-${country}` });
  stores.push(store);
  const clock = new VirtualClock();
  clock.freeze(new Date('2027-03-01T09:00:00Z'));
  const security = new SecurityEvents({ store, clock, component: 'node', country });
  const csirt = new NationalCsirt({
    store,
    clock,
    logger: createMemoryLogger(),
    country,
    security,
    share: async (b) => {
      shared.push(b);
    },
    originCountries: async () => ({ [ATTACKER]: 'JP' }),
  });
  return { store, clock, security, csirt, shared };
}

const forged = (security: SecurityEvents, n = 1, extra: Record<string, unknown> = {}) => {
  for (let i = 0; i < n; i++)
    security.record({
      rule: 'J4',
      severity: 'high',
      peer: ATTACKER,
      detail: { keyThumbprint: THUMB, issuer: ATTACKER, code: 'jwt-embedded-key', ...extra },
    });
};

describe('national CSIRT inbox: events grouped into incidents by the policy', () => {
  it('groups events sharing a key into one incident, keeps low events out, opens a new one for another key', () => {
    const { security, csirt, clock } = node('DE');
    security.record({ rule: 'J8', severity: 'low', peer: ATTACKER });
    expect(csirt.incidents.list()).toEqual([]);
    forged(security, 3);
    clock.advance(3_600_000);
    security.record({ rule: 'J6', severity: 'high', detail: { keyThumbprint: THUMB } });
    security.record({ rule: 'E4', severity: 'high', detail: { participant: '0088:other' } });
    const list = csirt.incidents.list();
    expect(list).toHaveLength(2);
    const byKey = list.find((i) => i.identifiers.keyThumbprint?.includes(THUMB));
    expect(byKey).toMatchObject({
      eventCount: 4,
      severity: 'high',
      rules: ['J4', 'J6'],
      awareAt: '2027-03-01T09:00:00.000Z',
      significantBecause: ['malicious-access'],
    });
  });

  it('groups after the request, never inside it: recording an event writes no incident until the inbox is read', () => {
    const { security, csirt, store } = node('DE');
    forged(security);
    expect(store.get<{ n: number }>('SELECT COUNT(*) AS n FROM csirt_incidents')?.n).toBe(0);
    expect(csirt.incidents.list()).toHaveLength(1);
    expect(store.get<{ n: number }>('SELECT COUNT(*) AS n FROM csirt_incidents')?.n).toBe(1);
  });

  it('takes the significance criteria as data: a policy without them opens no reporting process', async () => {
    const { security, csirt } = node('DE');
    csirt.setPolicy({ ...csirt.policy, significant: [{ id: 'ten', because: 'ten events', minEvents: 10 }] });
    forged(security, 9);
    const [incident] = csirt.incidents.list();
    expect(incident?.awareAt).toBeUndefined();
    expect(csirt.view(incident as never).process.map((s) => s.status)).toEqual(['pending', 'pending', 'pending']);
    await expect(csirt.report(incident?.id as string, { kind: 'early-warning' })).rejects.toMatchObject({
      code: 'csirt-report-not-applicable',
    });
    forged(security, 1);
    expect(csirt.incidents.get(incident?.id as string)?.significantBecause).toEqual(['ten']);
  });
});

describe('NIS2 art. 23(4) deadlines on the virtual clock', () => {
  it('computes 24 h, 72 h and one month after the notification', () => {
    expect(nis2Deadlines('2027-03-01T09:00:00.000Z')).toEqual({
      'early-warning': '2027-03-02T09:00:00.000Z',
      notification: '2027-03-04T09:00:00.000Z',
      final: '2027-04-04T09:00:00.000Z',
      progress: '2027-04-04T09:00:00.000Z',
    });
    expect(nis2Deadlines('2027-03-01T09:00:00.000Z', undefined, '2027-04-01T00:00:00.000Z').final).toBe(
      '2027-05-01T00:00:00.000Z',
    );
    expect(nis2Deadlines('2027-03-01T09:00:00.000Z', '2027-03-02T12:00:00.000Z').final).toBe(
      '2027-04-02T12:00:00.000Z',
    );
    expect(oneMonthAfter('2027-01-31T00:00:00.000Z')).toBe('2027-03-03T00:00:00.000Z');
  });

  it('reports in order, on time: early warning, notification sharing the key as STIX, final report', async () => {
    const { security, csirt, clock, shared } = node('DE');
    forged(security, 2);
    const id = csirt.incidents.list()[0]?.id as string;
    await expect(csirt.report(id, { kind: 'notification' })).rejects.toMatchObject({
      code: 'csirt-report-not-applicable',
    });
    clock.advance(2 * 3_600_000);
    const ew = await csirt.report(id, { kind: 'early-warning' });
    expect(ew).toMatchObject({ late: false, dueAt: '2027-03-02T09:00:00.000Z' });
    expect(ew.document).toMatchObject({
      suspectedUnlawfulOrMalicious: true,
      crossBorderImpactPossible: true,
      memberStatesPossiblyAffected: ['JP'],
      awareAt: '2027-03-01T09:00:00.000Z',
    });
    await expect(csirt.report(id, { kind: 'early-warning' })).rejects.toMatchObject({ code: 'csirt-report-duplicate' });
    clock.advance(24 * 3_600_000);
    const nf = await csirt.report(id, { kind: 'notification', impact: 'No login was accepted.' });
    expect(nf.late).toBe(false);
    expect(nf.document).toMatchObject({ initialAssessment: { severity: 'high', impact: 'No login was accepted.' } });
    expect(shared).toHaveLength(1);
    const indicator = shared[0]?.bundle.objects.find((o) => o.type === 'indicator');
    expect(readIndicatorPattern(indicator?.pattern as string)).toEqual({ kind: 'keyThumbprint', value: THUMB });
    expect(indicator?.object_marking_refs).toEqual([TLP_MARKING_IDS.amber]);
    const steps = csirt.view(csirt.incidents.get(id) as never).process;
    expect(steps.map((s) => s.status)).toEqual(['sent', 'sent', 'due', 'on-request', 'if-ongoing']);
    expect(steps[2]?.dueAt).toBe(oneMonthAfter(nf.sentAt));
    const fin = await csirt.report(id, { kind: 'final', rootCause: 'A forged signing key.' });
    expect(fin.document).toMatchObject({ rootCause: 'A forged signing key.', crossBorderImpact: ['JP'] });
  });

  it('adds the intermediate report (c) on request and the progress report (e), which moves the final deadline', async () => {
    const { security, csirt, clock } = node('IT');
    forged(security);
    const id = csirt.incidents.list()[0]?.id as string;
    await expect(csirt.report(id, { kind: 'progress' })).rejects.toMatchObject({ code: 'csirt-report-not-applicable' });
    await csirt.report(id, { kind: 'early-warning' });
    await csirt.report(id, { kind: 'notification' });
    clock.advance(10 * 86_400_000);
    const intermediate = await csirt.report(id, { kind: 'intermediate', description: 'Still refused; no access.' });
    expect(intermediate.document).toMatchObject({ report: 'intermediate report (art. 23(4)(c))' });
    expect(intermediate.dueAt).toBeUndefined();
    clock.advance(20 * 86_400_000);
    const progress = await csirt.report(id, { kind: 'progress' });
    expect(progress).toMatchObject({ late: false, document: { stillOngoing: true } });
    const steps = csirt.view(csirt.incidents.get(id) as never).process;
    expect(steps.map((s) => [s.kind, s.status])).toEqual([
      ['early-warning', 'sent'],
      ['notification', 'sent'],
      ['final', 'due'],
      ['intermediate', 'sent'],
      ['progress', 'sent'],
    ]);
    // The final report is now due one month after the progress report (the end of the handling, in the mock).
    expect(steps[2]?.dueAt).toBe(oneMonthAfter(progress.sentAt));
  });

  it('shows a missed deadline as such once the clock passes it, and marks the late report', async () => {
    const { security, csirt, clock } = node('FR');
    forged(security);
    const id = csirt.incidents.list()[0]?.id as string;
    clock.advance(23 * 3_600_000);
    expect(csirt.view(csirt.incidents.get(id) as never).process[0]?.status).toBe('due');
    clock.advance(2 * 3_600_000);
    expect(csirt.view(csirt.incidents.get(id) as never).process.map((s) => s.status)).toEqual(['missed', 'due', 'due']);
    const late = await csirt.report(id, { kind: 'early-warning' });
    expect(late.late).toBe(true);
    expect(csirt.view(csirt.incidents.get(id) as never).process[0]?.status).toBe('sent-late');
    clock.advance(48 * 3_600_000);
    expect(csirt.view(csirt.incidents.get(id) as never).process[1]?.status).toBe('missed');
  });
});

describe("Japan's voluntary model", () => {
  it('has no deadline; shares under the chosen TLP with a pseudonymous sharer', async () => {
    const { security, csirt, clock, shared } = node('JP');
    forged(security);
    const id = csirt.incidents.list()[0]?.id as string;
    clock.advance(90 * 86_400_000);
    expect(csirt.view(csirt.incidents.get(id) as never).process).toEqual([
      expect.objectContaining({ kind: 'nisc-report', status: 'voluntary' }),
      expect.objectContaining({ kind: 'share', status: 'voluntary' }),
    ]);
    await expect(csirt.report(id, { kind: 'early-warning' })).rejects.toMatchObject({
      code: 'csirt-report-not-applicable',
    });
    const nisc = await csirt.report(id, { kind: 'nisc-report' });
    expect(nisc.document).toMatchObject({ statutoryDeadline: null });
    expect(nisc.dueAt).toBeUndefined();
    const share = await csirt.report(id, { kind: 'share', channel: 'ceptoar', tlp: 'green' });
    expect(share.document).toMatchObject({ anonymisation: 'pseudonymous', tlp: 'green' });
    const identity = shared[0]?.bundle.objects.find((o) => o.type === 'identity');
    expect(identity?.name).toMatch(/^sharer-[0-9a-f]{10}$/);
    expect(JSON.stringify(shared)).not.toContain('CSIRT JP');
  });
});

describe('the CSIRT network: TLP-bound delivery, and a node acting on an indicator', () => {
  it('delivers AMBER to the other members, never back to the sharer, refuses RED; the receiver watches the key', async () => {
    const de = node('DE');
    const jp = node('JP');
    const hubStore = openStore({ name: 'hub-csirt' });
    stores.push(hubStore);
    const network = new CsirtNetwork({
      store: hubStore,
      clock: de.clock,
      logger: createMemoryLogger(),
      members: () => [
        { country: 'DE', url: 'de' },
        { country: 'JP', url: 'jp' },
      ],
      deliver: async (m, body) => {
        if (m.country === 'JP') jp.csirt.receive(body.from, body.bundle);
        return { country: m.country, delivered: true };
      },
    });
    forged(de.security);
    await de.csirt.report(de.csirt.incidents.list()[0]?.id as string, { kind: 'early-warning' });
    await de.csirt.report(de.csirt.incidents.list()[0]?.id as string, { kind: 'notification' });
    const bundle = de.shared[0]?.bundle as StixBundle;
    const result = await network.share({ from: 'DE', shareWith: [], bundle });
    expect(result.deliveries).toEqual([{ country: 'JP', delivered: true }]);
    expect(jp.csirt.received()).toEqual([
      expect.objectContaining({ from: 'DE', tlp: 'amber', acted: true, rule: 'J4' }),
    ]);
    expect(jp.security.watchlist.match({ keyThumbprint: THUMB })).toMatchObject({
      source: 'DE',
      kind: 'keyThumbprint',
    });
    // AMBER with a named recipient list that leaves JP out: not delivered.
    const narrowed = await network.share({ from: 'DE', shareWith: ['FR'], bundle });
    expect(narrowed.deliveries).toEqual([expect.objectContaining({ country: 'JP', delivered: false })]);
    const red = {
      ...bundle,
      objects: bundle.objects.map((o) => ({ ...o, object_marking_refs: [TLP_MARKING_IDS.red] })),
    };
    await expect(network.share({ from: 'DE', shareWith: [], bundle: red })).rejects.toMatchObject({
      code: 'csirt-sharing-refused',
    });
    // The feed by type and country, and what a member may read.
    expect(network.feed({ types: ['indicator'] }).objects.filter((o) => o.type === 'indicator')).toHaveLength(2);
    expect(network.entries({ country: 'JP' })).toEqual([]);
    expect(network.entries({ reader: 'IT' }).every((e) => e.shareWith.length === 0)).toBe(true);
  });
});

describe('national CSIRT inbox: the store closing', () => {
  it('groups what is waiting before its store closes (was: "event not taken (database is not open)" at exit)', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'csirt-close-'));
    try {
      const open = () => {
        const store = openStore({ name: 'csirt-close', dataDir: dir });
        const clock = new VirtualClock();
        clock.freeze(new Date('2027-03-01T09:00:00Z'));
        const security = new SecurityEvents({ store, clock, component: 'node', country: 'DE' });
        const logger = createMemoryLogger();
        const csirt = new NationalCsirt({
          store,
          clock,
          logger,
          country: 'DE',
          security,
          share: async () => {},
          originCountries: async () => ({}),
        });
        return { store, security, csirt, logger };
      };
      const first = open();
      forged(first.security, 2);
      first.store.close(); // before the inbox's own turn of the event loop
      await new Promise((r) => setImmediate(r));
      expect(first.logger.lines.filter((e) => e.level === 'error')).toEqual([]);
      const again = open();
      stores.push(again.store);
      expect(again.csirt.incidents.list()).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
