import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FaultSwitchboard, openStore, VirtualClock } from '@kakehashi/core';
import { validateMyNumber } from '@kakehashi/personas';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { JpFaults } from '../src/faults/faults.ts';
import { JlisRegistry } from '../src/registry/jlis-registry.ts';
import {
  ADMIN,
  buildTestNetwork,
  dumpStore,
  findIdentifiers,
  type Json,
  PROVIDERS,
  type TestNetwork,
} from './helpers.ts';

/** The eleven properties of shared/design/jp-cooperation-network.md, as tests. */

const codeBody = (code: string) => code.slice(code.indexOf('.') + 1);
function longestCommonSubstring(a: string, b: string): number {
  let best = 0;
  for (let i = 0; i < a.length; i++)
    for (let j = 0; j < b.length; j++) {
      let k = 0;
      while (i + k < a.length && j + k < b.length && a[i + k] === b[j + k]) k++;
      if (k > best) best = k;
    }
  return best;
}

describe('property 1 — determinism', () => {
  it('the same person and agency give the same code across restarts (file stores reopened) and in a fresh network from the same seed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kakehashi-jp-'));
    try {
      const first = await buildTestNetwork({ dataDir: dir });
      const codes = (t: TestNetwork) =>
        PROVIDERS.flatMap((a) => t.personas.map((p) => `${a}:${p.id}:${t.codeOf(a, p)}`));
      const before = codes(first);
      first.net.close();
      first.deps.store.close();
      const restarted = await buildTestNetwork({ dataDir: dir });
      expect(codes(restarted)).toEqual(before);
      // nothing was issued twice: each agency still has exactly one code per person
      expect(restarted.net.network.store.get<{ n: number }>('SELECT COUNT(*) AS n FROM nws_code_index')?.n).toBe(
        PROVIDERS.length * 8,
      );
      restarted.net.close();
      const fresh = await buildTestNetwork();
      expect(codes(fresh)).toEqual(before);
      expect(before.every((c) => /:v1\.[A-Za-z0-9_-]{43}$/.test(c))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('property 2 — uniqueness (property-based, 100,000 people per run)', () => {
  it('different people never share a code at one agency', async () => {
    const t = await buildTestNetwork({ personas: 1 });
    const custodian = t.net.custodian;
    fc.assert(
      fc.property(
        fc.constantFrom(...PROVIDERS),
        fc.uniqueArray(fc.integer({ min: 0, max: 99_999_999_999 }), { minLength: 100_000, maxLength: 100_000 }),
        (agency, numbers) => {
          const rrcs = numbers.map((n) => String(n).padStart(11, '0'));
          const version = custodian.currentAgencyVersion(agency, 'test');
          const codes = custodian.agencyCodes(agency, version, custodian.linkIds(rrcs, 'test'), 'test');
          return new Set(codes).size === rrcs.length;
        },
      ),
      { numRuns: 2 },
    );
  }, 120_000);
});

describe('properties 3 and 4 — unlinkability and no identifier leakage', () => {
  let t: TestNetwork;
  beforeAll(async () => {
    t = await buildTestNetwork();
    // a full run: exchanges in every direction, portal logins, self-information
    for (const p of t.personas.slice(0, 4)) {
      await t.req(
        'POST',
        '/admin/jp/agencies/setagaya-city/queries',
        {
          internalId: t.internalIdOf('setagaya-city', p),
          procedure: 'local-tax-assessment',
          provider: 'japan-pension-service',
          items: ['pension-benefit-amount'],
        },
        ADMIN,
      );
      await t.req(
        'POST',
        '/admin/jp/agencies/kyokai-kenpo/queries',
        {
          internalId: t.internalIdOf('kyokai-kenpo', p),
          procedure: 'high-cost-medical-care',
          provider: 'setagaya-city',
          items: ['local-tax-income'],
        },
        ADMIN,
      );
    }
  });

  it("a person's codes differ at every agency, and look random (no shared substring past the version prefix)", () => {
    let longest = 0;
    for (const p of t.personas) {
      const codes = PROVIDERS.map((a) => t.codeOf(a, p));
      expect(new Set(codes).size).toBe(PROVIDERS.length);
      for (let i = 0; i < codes.length; i++)
        for (let j = i + 1; j < codes.length; j++)
          longest = Math.max(longest, longestCommonSubstring(codeBody(codes[i]!), codeBody(codes[j]!)));
    }
    // 43 random base64url characters: a shared run of 6+ between two codes would be a 1-in-10^5 event
    expect(longest).toBeLessThan(6);
  });

  it('joining any two agency tables on any field finds nothing but shared facts, never a code', () => {
    const values = (id: string) =>
      new Set(
        t.net.servers
          .get(id)!
          .subjects()
          .flatMap((s) => [s.internal_id, s.code]),
      );
    for (const a of PROVIDERS)
      for (const b of PROVIDERS) if (a !== b) expect([...values(a)].filter((v) => values(b).has(v))).toEqual([]);
  });

  it('no agency store, network store, log or payload holds a My Number or a resident record code', () => {
    for (const [name, store] of Object.entries(t.net.stores)) {
      if (name === 'jlis') continue; // the resident register holds both by role
      expect({ name, hits: findIdentifiers(dumpStore(store), t.personas) }).toEqual({ name, hits: [] });
    }
    expect(findIdentifiers(JSON.stringify(t.logs), t.personas)).toEqual([]);
    expect(findIdentifiers(JSON.stringify(t.traces.events), t.personas)).toEqual([]);
    // and the register does hold them (the grep would find them if they were there)
    expect(findIdentifiers(dumpStore(t.net.stores.jlis!), t.personas).length).toBe(16);
  });

  it('codes cannot be recomputed from the identifiers without the custodian, and no API returns a raw key', async () => {
    const p = t.personas[0]!;
    const code = codeBody(t.codeOf('setagaya-city', p));
    const guesses = [p.myNumber!, p.residentRecordCode!, `link/v1/${p.residentRecordCode}`];
    for (const g of guesses) {
      for (const c of [
        createHash('sha256').update(g).digest('base64url'),
        createHmac('sha256', '').update(g).digest('base64url'),
        createHmac('sha256', 'setagaya-city').update(g).digest('base64url'),
      ])
        expect(c).not.toBe(code);
    }
    const leak = await t.req('GET', '/admin/jp/incidents/network-key-leak', undefined, ADMIN);
    expect(leak.status).toBe(403);
    expect(leak.body.code).toBe('jp-fault-off');
    expect(() => t.net.custodian.exportForIncidentSimulation('test', false)).toThrow(/No API returns a raw key/);
  });
});

describe('property 5 — acquisition numbers', () => {
  it('are single-use, expire, and are gone from every store after issuance; the network keeps no resident record code', async () => {
    const t = await buildTestNetwork();
    const p = t.personas[2]!;
    const an = await t.signed('kyokai-kenpo', 'POST', '/jp/network/acquisition-numbers', {});
    expect(an.status).toBe(200);
    const number = an.body.acquisitionNumber as string;
    expect(number).not.toMatch(/^\d{11,12}$/);
    const first = await t.signed('kyokai-kenpo', 'POST', '/jp/jlis/code-requests', {
      acquisitionNumber: number,
      fourFacts: p.fourFacts,
    });
    expect(first.status).toBe(200);
    const replay = await t.signed('kyokai-kenpo', 'POST', '/jp/jlis/code-requests', {
      acquisitionNumber: number,
      fourFacts: p.fourFacts,
    });
    expect(replay.status).toBe(422);
    expect(replay.body.code).toBe('jp-acquisition-number-invalid');
    for (const store of Object.values(t.net.stores)) expect(dumpStore(store)).not.toContain(number);
    expect(t.net.network.store.get<{ n: number }>('SELECT COUNT(*) AS n FROM nws_acquisition_numbers')?.n).toBe(0);

    const late = (await t.signed('kyokai-kenpo', 'POST', '/jp/network/acquisition-numbers', {})).body.acquisitionNumber;
    t.clock.advance(10 * 60_000 + 1);
    const expired = await t.signed('kyokai-kenpo', 'POST', '/jp/jlis/code-requests', {
      acquisitionNumber: late,
      fourFacts: p.fourFacts,
    });
    expect(expired.body.code).toBe('jp-acquisition-number-invalid');
    expect(t.net.network.store.get<{ n: number }>('SELECT COUNT(*) AS n FROM nws_acquisition_numbers')?.n).toBe(0);

    const other = (await t.signed('kyokai-kenpo', 'POST', '/jp/network/acquisition-numbers', {})).body
      .acquisitionNumber;
    const stolen = await t.signed('national-tax-agency', 'POST', '/jp/jlis/code-requests', {
      acquisitionNumber: other,
      fourFacts: p.fourFacts,
    });
    expect(stolen.body.code).toBe('jp-acquisition-number-invalid');
    expect(findIdentifiers(dumpStore(t.net.network.store), t.personas)).toEqual([]);
  });
});

describe('properties 6, 7, 8 — authorised-only mediation, complete audit, correct translation', () => {
  let t: TestNetwork;
  beforeAll(async () => {
    t = await buildTestNetwork();
  });
  const ask = (
    agency: string,
    personaIdx: number,
    procedure: string,
    provider: string,
    items: string[],
    extra: Record<string, unknown> = {},
  ) =>
    t.req(
      'POST',
      `/admin/jp/agencies/${agency}/queries`,
      { internalId: t.internalIdOf(agency, t.personas[personaIdx]!), procedure, provider, items, ...extra },
      ADMIN,
    );

  it('anything outside the matrix, a foreign or unknown or revoked code, or a lapsed impact assessment is refused', async () => {
    const cases: [Promise<{ body: Json }>, string][] = [
      [
        ask('setagaya-city', 0, 'child-allowance', 'kyokai-kenpo', ['health-insurance-eligibility']),
        'jp-not-authorised',
      ],
      [
        ask('setagaya-city', 0, 'child-allowance', 'national-tax-agency', ['income-tax-return-filed']),
        'jp-not-authorised',
      ],
      [ask('kyokai-kenpo', 0, 'child-allowance', 'national-tax-agency', ['income']), 'jp-not-authorised'],
      [
        ask('setagaya-city', 0, 'special-cash-benefit-2020', 'japan-pension-service', ['pension-benefit-status']),
        'jp-not-authorised',
      ],
    ];
    for (const [p, code] of cases) expect((await p).body.refusal?.code).toBe(code);

    const unknown = await t.signed('setagaya-city', 'POST', '/jp/network/queries', query('v1.' + 'A'.repeat(43)));
    expect(unknown.body.code).toBe('jp-code-unknown');

    const victim = t.personas[5]!;
    const code = t.codeOf('setagaya-city', victim);
    await t.req('POST', '/admin/jp/network/codes/revoke', { agencyId: 'setagaya-city', code }, ADMIN);
    expect(
      (await ask('setagaya-city', 5, 'child-allowance', 'national-tax-agency', ['income'])).body.refusal.code,
    ).toBe('jp-code-unknown');

    await t.req('PUT', '/admin/jp/network/impact-assessments/setagaya-city', { status: 'lapsed' }, ADMIN);
    expect(
      (await ask('setagaya-city', 0, 'child-allowance', 'national-tax-agency', ['income'])).body.refusal.code,
    ).toBe('jp-impact-assessment-lapsed');
    await t.req('PUT', '/admin/jp/network/impact-assessments/setagaya-city', { status: 'approved' }, ADMIN);
    // the kyokai-kenpo assessment lapses by date (reviewBy 2028-11-30) when time moves on
    t.clock.set(new Date('2028-12-01T00:00:00Z'), true);
    expect(
      (await ask('kyokai-kenpo', 0, 'high-cost-medical-care', 'setagaya-city', ['local-tax-income'])).body.refusal.code,
    ).toBe('jp-impact-assessment-lapsed');
    t.clock.set(new Date('2026-06-01T00:00:00Z'), true);
  });

  it('neither side ever receives the other side’s code', async () => {
    const p = t.personas[1]!;
    const r = await ask('setagaya-city', 1, 'public-housing', 'national-tax-agency', ['income']);
    expect(r.body.outcome).toBe('provided');
    const requesterCode = t.codeOf('setagaya-city', p);
    const providerCode = t.codeOf('national-tax-agency', p);
    const hops = t.traces.events.filter((e) => JSON.stringify(e.artefact ?? '').includes(r.body.requestId));
    const provision = hops.find((e) => e.operation.includes('/intermediary/provision'));
    const query = hops.find((e) => e.operation.includes('/jp/network/queries'));
    expect(JSON.stringify(provision?.artefact)).toContain(providerCode);
    expect(JSON.stringify(provision?.artefact)).not.toContain(requesterCode);
    expect(JSON.stringify(query?.artefact)).toContain(requesterCode);
    expect(JSON.stringify(query?.artefact)).not.toContain(providerCode);
    // the network relays the payload without reading it: only sealed data crosses it
    expect(JSON.stringify(query?.artefact)).not.toContain('totalIncomeJpy');
  });

  it('every request yields one network record; those reaching a provider also a requester and a provider record; chains detect tampering; the citizen sees all but non-disclosable ones', async () => {
    const before = t.net.network.records.all().length;
    const ok = await ask('setagaya-city', 3, 'child-allowance', 'japan-pension-service', ['pension-benefit-status']);
    const hidden = await ask('setagaya-city', 3, 'child-allowance', 'national-tax-agency', ['income'], {
      nonDisclosure: true,
    });
    const refused = await ask('setagaya-city', 3, 'child-allowance', 'kyokai-kenpo', ['health-insurance-eligibility']);
    const malformed = await t.signed('setagaya-city', 'POST', '/jp/network/queries', { requestId: 'x', items: 'y' });
    expect(malformed.status).toBe(400);
    expect(t.net.network.records.all().length).toBe(before + 4);
    for (const r of [ok, hidden]) {
      const id = r.body.requestId as string;
      expect(t.net.network.records.byRequest(id)).toHaveLength(1);
      expect(
        t.net.servers
          .get('setagaya-city')!
          .records.byRequest(id)
          .map((x) => x.copy),
      ).toEqual(['requester']);
      const provider = r === ok ? 'japan-pension-service' : 'national-tax-agency';
      const providerCopy = t.net.servers.get(provider)!.records.byRequest(id);
      expect(providerCopy.map((x) => [x.copy, x.outcome])).toEqual([['provider', 'provided']]);
      expect(Object.keys(providerCopy[0]!).sort()).toEqual(
        expect.arrayContaining([
          'requester',
          'provider',
          'requestedAt',
          'providedAt',
          'items',
          'procedure',
          'outcome',
          'nonDisclosure',
        ]),
      );
    }
    expect(t.net.network.records.byRequest(refused.body.requestId)[0]?.outcome).toBe('refused');

    // the citizen's view (through the portal) — every record about them except the non-disclosable one
    const p = t.personas[3]!;
    const ch = (await t.req('POST', '/jp/portal/login/challenge', { purpose: 'login' })).body;
    const card = (await t.req('POST', '/jp/portal/test-card-reader', { personaId: p.id, challenge: ch.challenge }))
      .body;
    const session = (await t.req('POST', '/jp/portal/login', { challengeId: ch.challengeId, ...card })).body
      .sessionToken;
    const seen = (await t.req('GET', '/jp/portal/me/records', undefined, { authorization: `Bearer ${session}` })).body
      .records as { requestId: string }[];
    const ids = seen.map((r) => r.requestId);
    expect(ids).toContain(ok.body.requestId);
    expect(ids).toContain(refused.body.requestId);
    expect(ids).not.toContain(hidden.body.requestId);

    expect((await t.req('GET', '/jp/records/verify')).body.valid).toBe(true);
    t.net.network.store.run(
      "UPDATE nws_access_records SET details = replace(details, 'child-allowance', 'public-housing') WHERE seq = 1",
    );
    const v = (await t.req('GET', '/jp/records/verify')).body;
    expect(v.valid).toBe(false);
    expect(v.network.brokenAt).toBe(1);
    t.net.servers
      .get('japan-pension-service')!
      .store.run('UPDATE access_records SET details = replace(details, \'"provided"\', \'"refused"\')');
    expect((await t.req('GET', '/jp/records/verify')).body.agencies['japan-pension-service'].valid).toBe(false);
  });

  it('translation resolves the person the requester meant; a fault-injected wrong mapping is caught by reconciliation', async () => {
    const { agencyDataFor } = await import('../src/agencies/agency-data.ts');
    for (const [i, p] of t.personas.entries()) {
      if (i === 5) continue; // revoked above
      const r = await ask('setagaya-city', i, 'child-allowance', 'japan-pension-service', ['pension-benefit-amount']);
      expect(r.body.data).toEqual(
        agencyDataFor(t.deps.seed, p, 'pension')['pension-benefit-amount'] === undefined
          ? {}
          : { 'pension-benefit-amount': agencyDataFor(t.deps.seed, p, 'pension')['pension-benefit-amount'] },
      );
    }
    t.deps.faults.set({ enable: ['jp.index-wrong-mapping'] });
    const wrong = await ask('setagaya-city', 0, 'child-allowance', 'japan-pension-service', ['pension-benefit-amount']);
    t.deps.faults.set({ disable: ['jp.index-wrong-mapping'] });
    expect(wrong.body.refusal.code).toBe('jp-reconciliation-failed');
    expect(t.net.servers.get('japan-pension-service')!.records.byRequest(wrong.body.requestId)).toEqual([]);
  });

  function query(code: string) {
    return {
      requestId: crypto.randomUUID(),
      code,
      procedure: 'child-allowance',
      provider: 'national-tax-agency',
      items: ['income'],
      sealedRequest: 'e2e1.AAAA.AAAA.AAAA.AAAA',
    };
  }
});

describe('property 9 — rotation', () => {
  it('old codes fail after the grace window, new ones are deterministic, other agencies are unchanged, the list reaches that agency only', async () => {
    const t = await buildTestNetwork();
    const p = t.personas[0]!;
    const oldCode = t.codeOf('setagaya-city', p);
    const others = PROVIDERS.filter((a) => a !== 'setagaya-city').map((a) => t.codeOf(a, p));
    const r = await t.req('POST', '/admin/jp/network/agencies/setagaya-city/rotate', { graceDays: 7 }, ADMIN);
    expect(r.status).toBe(200);
    expect(r.body.reissued).toBe(8);
    const newCode = t.codeOf('setagaya-city', p);
    expect(newCode).toMatch(/^v2\./);
    expect(newCode).not.toBe(oldCode);
    expect(PROVIDERS.filter((a) => a !== 'setagaya-city').map((a) => t.codeOf(a, p))).toEqual(others);
    // another agency collects nothing: the list was for setagaya-city only (and is gone once delivered)
    expect(
      (await t.signed('national-tax-agency', 'POST', '/jp/network/migrations/collect', {})).body.migrations,
    ).toEqual([]);
    expect(t.net.network.store.get<{ n: number }>('SELECT COUNT(*) AS n FROM nws_migrations')?.n).toBe(0);

    const q = (code: string) => ({
      requestId: crypto.randomUUID(),
      code,
      procedure: 'child-allowance',
      provider: 'national-tax-agency',
      items: ['income'],
      sealedRequest: 'e2e1.AAAA.AAAA.AAAA.AAAA',
    });
    // within the grace window the old code still resolves (the sealed request is then refused by the provider)
    expect((await t.signed('setagaya-city', 'POST', '/jp/network/queries', q(oldCode))).body.code).toBe(
      'jp-e2e-failed',
    );
    t.clock.advance(7 * 86_400_000 + 1000);
    expect((await t.signed('setagaya-city', 'POST', '/jp/network/queries', q(oldCode))).body.code).toBe(
      'jp-code-retired',
    );
    const ok = await t.req(
      'POST',
      '/admin/jp/agencies/setagaya-city/queries',
      {
        internalId: t.internalIdOf('setagaya-city', p),
        procedure: 'child-allowance',
        provider: 'national-tax-agency',
        items: ['income'],
      },
      ADMIN,
    );
    expect(ok.body.outcome).toBe('provided');

    const again = await buildTestNetwork();
    await again.req('POST', '/admin/jp/network/agencies/setagaya-city/rotate', {}, ADMIN);
    expect(again.codeOf('setagaya-city', p)).toBe(newCode);
  });
});

describe('property 10 — My Number', () => {
  it('check-digit vectors', () => {
    for (const v of ['621498320257', '123456789018', '123456789000', '123456789050', '000000000019', '999999999996'])
      expect(validateMyNumber(v)).toBe(true);
    expect(validateMyNumber('621498320258')).toBe(false);
  });

  it('generated numbers are valid, unique, and not a function of the resident record code', () => {
    const registry = new JlisRegistry({
      store: openStore({ name: 'jlis' }),
      clock: new VirtualClock(),
      seed: 'p10',
      faults: new JpFaults(new FaultSwitchboard()),
    });
    const n = 5000;
    const rows: { rrc: string; mn: string }[] = [];
    for (let i = 0; i < n; i++) {
      const r = registry.enrol({
        name: `テスト ${i}`,
        dateOfBirth: '1980-01-01',
        gender: 'female',
        address: `東京都世田谷区 ${i}`,
      });
      rows.push({ rrc: r.residentRecordCode, mn: r.myNumber });
    }
    expect(rows.every((r) => validateMyNumber(r.mn))).toBe(true);
    expect(new Set(rows.map((r) => r.mn)).size).toBe(n);
    // independence: digits agree position by position about 1 time in 10, and the values are uncorrelated
    let same = 0;
    for (const r of rows) for (let k = 0; k < 11; k++) if (r.rrc[k] === r.mn[k]) same++;
    expect(same / (n * 11)).toBeGreaterThan(0.09);
    expect(same / (n * 11)).toBeLessThan(0.11);
    const xs = rows.map((r) => Number(r.rrc));
    const ys = rows.map((r) => Number(r.mn.slice(0, 11)));
    const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
    const mx = mean(xs);
    const my = mean(ys);
    const cov = xs.reduce((s, x, i) => s + (x - mx) * ((ys[i] as number) - my), 0);
    const corr = cov / Math.sqrt(xs.reduce((s, x) => s + (x - mx) ** 2, 0) * ys.reduce((s, y) => s + (y - my) ** 2, 0));
    expect(Math.abs(corr)).toBeLessThan(0.05);
    // the same resident record code enrolled in another register gets another My Number
    const other = new JlisRegistry({
      store: openStore({ name: 'jlis2' }),
      clock: new VirtualClock(),
      seed: 'p10-other',
      faults: new JpFaults(new FaultSwitchboard()),
    });
    const twin = other.enrol(
      { name: 'x', dateOfBirth: '1980-01-01', gender: 'male', address: 'y' },
      { residentRecordCode: rows[0]!.rrc, myNumber: '123456789018', personaId: 'jp-999' },
    );
    expect(twin.myNumber).not.toBe(rows[0]!.mn);
  });
});
