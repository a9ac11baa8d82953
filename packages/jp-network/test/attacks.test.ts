import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signChallengeWithCard } from '../src/crypto/card-auth.ts';
import { SIGNATURE_HEADER } from '../src/crypto/request-auth.ts';
import { computeCodeWithLeakedKeys } from '../src/custodian/key-custodian.ts';
import { ADMIN, buildTestNetwork, cardOf, findIdentifiers, type Json, PROVIDERS } from './helpers.ts';

/** Attack entries P1–P8 of shared/design/attack-catalogue.md, and the incidents of property 11. */

const sealedStub = 'e2e1.AAAA.AAAA.AAAA.AAAA';

describe('attack catalogue P1–P8', () => {
  it("P1 — an agency querying with another agency's code is refused and recorded", async () => {
    const t = await buildTestNetwork();
    const p = t.personas[0]!;
    const foreign = t.codeOf('japan-pension-service', p);
    const requestId = crypto.randomUUID();
    const r = await t.signed('setagaya-city', 'POST', '/jp/network/queries', {
      requestId,
      code: foreign,
      procedure: 'child-allowance',
      provider: 'national-tax-agency',
      items: ['income'],
      sealedRequest: sealedStub,
    });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('jp-code-unknown');
    const rec = t.net.network.records.byRequest(requestId);
    expect(rec.map((x) => [x.outcome, x.refusal?.code, x.requester.id])).toEqual([
      ['refused', 'jp-code-unknown', 'setagaya-city'],
    ]);
    expect(t.net.servers.get('national-tax-agency')!.records.byRequest(requestId)).toEqual([]);
  });

  it('P2 — requests outside the matrix (procedure, item, provider, expired rule) are refused with the reason, and recorded', async () => {
    const t = await buildTestNetwork();
    const internalId = t.internalIdOf('setagaya-city', t.personas[0]!);
    const cases = [
      { procedure: 'tax-audit', provider: 'national-tax-agency', items: ['income'], reason: 'procedure' },
      {
        procedure: 'child-allowance',
        provider: 'national-tax-agency',
        items: ['income', 'income-tax-return-filed'],
        reason: 'item',
      },
      {
        procedure: 'child-allowance',
        provider: 'kyokai-kenpo',
        items: ['health-insurance-eligibility'],
        reason: 'provider',
      },
      {
        procedure: 'special-cash-benefit-2020',
        provider: 'japan-pension-service',
        items: ['pension-benefit-status'],
        reason: 'validity',
      },
    ];
    for (const c of cases) {
      const r = await t.req(
        'POST',
        '/admin/jp/agencies/setagaya-city/queries',
        { internalId, procedure: c.procedure, provider: c.provider, items: c.items },
        ADMIN,
      );
      expect(r.body.outcome).toBe('refused');
      expect(r.body.refusal.code).toBe('jp-not-authorised');
      const rec = t.net.network.records.byRequest(r.body.requestId)[0]!;
      expect(rec.outcome).toBe('refused');
      expect(rec.refusal?.reason).toMatch(
        c.reason === 'validity'
          ? /valid only from 2020-04-30 to 2021-03-31/
          : c.reason === 'item'
            ? /income-tax-return-filed/
            : new RegExp(c.reason === 'provider' ? 'may not ask' : 'no procedure'),
      );
    }
    // the abolished rule was in force in 2020: the same request passes then (validity dates are checked, not the row's existence)
    t.clock.set(new Date('2020-06-01T00:00:00Z'), true);
    const { authorise, loadMatrix } = await import('../src/network/matrix.ts');
    expect(
      authorise(
        loadMatrix(),
        {
          requester: 'setagaya-city',
          procedure: 'special-cash-benefit-2020',
          provider: 'japan-pension-service',
          items: ['pension-benefit-status'],
        },
        t.clock.now(),
      ).id,
    ).toBe('special-benefit-2020/household');
  });

  it('P3 — two agencies joining their tables on codes get zero matches, even colluding with every column', async () => {
    const t = await buildTestNetwork();
    const dump = (id: string) => JSON.stringify(t.net.servers.get(id)!.subjects());
    for (const a of PROVIDERS) {
      const codesA = t.net.servers
        .get(a)!
        .subjects()
        .map((s) => s.code as string);
      expect(codesA).toHaveLength(8);
      for (const b of PROVIDERS.filter((x) => x !== a))
        expect(codesA.filter((c) => dump(b).includes(c.slice(3)))).toEqual([]);
    }
  });

  it('P4 — brute-forcing a code from a guessed My Number or resident record code is impossible without the custodian keys', async () => {
    const t = await buildTestNetwork();
    const p = t.personas[1]!;
    const target = t.codeOf('national-tax-agency', p);
    const candidates = (x: string) => [
      createHash('sha256').update(x).digest('base64url'),
      createHash('sha256').update(`link/v1/${x}`).digest('base64url'),
      createHmac('sha256', t.deps.seed).update(x).digest('base64url'),
      createHmac('sha256', 'national-tax-agency').update(x).digest('base64url'),
    ];
    // an attacker with the right guess and every unkeyed (or guessable-key) construction still misses
    for (const guess of [p.myNumber!, p.residentRecordCode!])
      for (const c of candidates(guess)) expect(`v1.${c}`).not.toBe(target);
    // … while with the custodian's keys (the network-key-leak incident) the guess does give the code
    t.deps.faults.set({ enable: ['jp.network-key-leak'] });
    const leaked = (await t.req('GET', '/admin/jp/incidents/network-key-leak', undefined, ADMIN)).body;
    expect(computeCodeWithLeakedKeys(leaked, p.residentRecordCode!, 'national-tax-agency', 1)).toBe(target);
  });

  it('P5 — a replayed acquisition number is refused', async () => {
    const t = await buildTestNetwork();
    const p = t.personas[0]!;
    const { acquisitionNumber } = (await t.signed('kyokai-kenpo', 'POST', '/jp/network/acquisition-numbers', {})).body;
    expect(
      (await t.signed('kyokai-kenpo', 'POST', '/jp/jlis/code-requests', { acquisitionNumber, fourFacts: p.fourFacts }))
        .status,
    ).toBe(200);
    const replay = await t.signed('kyokai-kenpo', 'POST', '/jp/jlis/code-requests', {
      acquisitionNumber,
      fourFacts: p.fourFacts,
    });
    expect(replay.status).toBe(422);
    expect(replay.body.code).toBe('jp-acquisition-number-invalid');
    expect(replay.body.rule).toMatch(/21-2/);
  });

  it('P6 — partial-match enrolment (name + birth date only) is refused; strict four-fact match (fault reproduces the mis-link)', async () => {
    const t = await buildTestNetwork();
    const victim = {
      name: '山田 花子',
      dateOfBirth: '1985-04-01',
      gender: 'female' as const,
      address: '東京都世田谷区太子堂1-1-1',
    };
    const stranger = { ...victim, address: '大阪府大阪市北区梅田1-1-1' };
    for (const f of [victim, stranger])
      expect((await t.req('POST', '/admin/jp/jlis/residents', { fourFacts: f }, ADMIN)).status).toBe(200);
    const kenpo = t.net.servers.get('kyokai-kenpo')!;
    const personOf = (internalId: string) => {
      const code = kenpo.subject(internalId)?.code as string;
      const row = t.net.network.store.get<{ link_enc: string }>(
        'SELECT link_enc FROM nws_code_index WHERE agency_id = ? AND code = ?',
        'kyokai-kenpo',
        code,
      );
      return t.net.custodian.openIndex(row!.link_enc, `code-index/v1/kyokai-kenpo/${code}`, 'test').toString('hex');
    };
    const linkOf = (f: typeof victim) =>
      t.net.custodian.linkId(t.net.registry.matchFourFacts(f), 'test').toString('hex');

    // a careless member record with only name and birth date: refused
    const partial = await t.req(
      'POST',
      '/admin/jp/agencies/kyokai-kenpo/subjects',
      { internalId: 'KENPO-NEW-1', facts: { name: victim.name, dateOfBirth: victim.dateOfBirth } },
      ADMIN,
    );
    expect(partial.status).toBe(422);
    expect(partial.body.code).toBe('jp-four-facts-mismatch');
    expect(kenpo.subject('KENPO-NEW-1')).toBeUndefined();

    // fault on: the stranger's record is matched on name + birth date and linked to the first such resident — the victim
    t.deps.faults.set({ enable: ['jp.partial-match-enrolment'] });
    expect(
      (
        await t.req(
          'POST',
          '/admin/jp/agencies/kyokai-kenpo/subjects',
          { internalId: 'KENPO-NEW-2', facts: stranger },
          ADMIN,
        )
      ).status,
    ).toBe(200);
    expect(personOf('KENPO-NEW-2')).toBe(linkOf(victim));

    // strict (fault off): the stranger's full facts resolve to the stranger
    t.deps.faults.set({ disable: ['jp.partial-match-enrolment'] });
    kenpo.store.run("DELETE FROM ag_subjects WHERE internal_id = 'KENPO-NEW-2'");
    expect(
      (
        await t.req(
          'POST',
          '/admin/jp/agencies/kyokai-kenpo/subjects',
          { internalId: 'KENPO-NEW-3', facts: stranger },
          ADMIN,
        )
      ).status,
    ).toBe(200);
    expect(personOf('KENPO-NEW-3')).toBe(linkOf(stranger));
    expect(personOf('KENPO-NEW-3')).not.toBe(linkOf(victim));
    // and linking a second record to an already-linked person is detected
    const twice = await t.req(
      'POST',
      '/admin/jp/agencies/kyokai-kenpo/subjects',
      { internalId: 'KENPO-NEW-4', facts: stranger },
      ADMIN,
    );
    expect(twice.body.code).toBe('conflict');
  });

  it('P7 — a write on a stale session of another person is refused; re-authentication is bound to the subject (fault reproduces it)', async () => {
    const t = await buildTestNetwork();
    const [alice, bob] = [t.personas[0]!, t.personas[1]!];
    const login = async (p: typeof alice) => {
      const ch = (await t.req('POST', '/jp/portal/login/challenge', { purpose: 'login' })).body;
      return (
        await t.req('POST', '/jp/portal/login', {
          challengeId: ch.challengeId,
          ...signChallengeWithCard(cardOf(p), ch.challenge),
        })
      ).body.sessionToken as string;
    };
    const aliceSession = await login(alice);
    const bobSession = await login(bob);
    const auth = { authorization: `Bearer ${aliceSession}` };
    const account = {
      bankCode: '0001',
      branchCode: '123',
      accountType: 'ordinary',
      accountNumber: '7654321',
      holderKana: 'ボブ',
    };
    // Bob at the shared terminal, Alice's session still open: without re-authentication → refused
    const noReauth = await t.req('PUT', '/jp/portal/me/bank-account', account, auth);
    expect(noReauth.body.code).toBe('jp-reauth-required');
    // with Bob's card → refused: the card is not the session subject's
    const ch = (await t.req('POST', '/jp/portal/login/challenge', { purpose: 'reauth' }, auth)).body;
    const bobCard = await t.req(
      'PUT',
      '/jp/portal/me/bank-account',
      { ...account, reauth: { challengeId: ch.challengeId, ...signChallengeWithCard(cardOf(bob), ch.challenge) } },
      auth,
    );
    expect(bobCard.status).toBe(403);
    expect(bobCard.body.code).toBe('jp-reauth-subject-mismatch');
    expect((await t.req('GET', '/jp/portal/me/bank-account', undefined, auth)).body.bankAccount).toBeNull();
    // Alice herself re-authenticates → accepted
    const ch2 = (await t.req('POST', '/jp/portal/login/challenge', { purpose: 'reauth' }, auth)).body;
    const own = await t.req(
      'PUT',
      '/jp/portal/me/bank-account',
      {
        ...account,
        holderKana: 'アリス',
        reauth: { challengeId: ch2.challengeId, ...signChallengeWithCard(cardOf(alice), ch2.challenge) },
      },
      auth,
    );
    expect(own.status).toBe(200);
    // a reauth challenge of another session cannot be used
    const bobCh = (
      await t.req(
        'POST',
        '/jp/portal/login/challenge',
        { purpose: 'reauth' },
        { authorization: `Bearer ${bobSession}` },
      )
    ).body;
    const crossed = await t.req(
      'PUT',
      '/jp/portal/me/bank-account',
      {
        ...account,
        reauth: { challengeId: bobCh.challengeId, ...signChallengeWithCard(cardOf(alice), bobCh.challenge) },
      },
      auth,
    );
    expect(crossed.body.code).toBe('jp-challenge-invalid');

    t.deps.faults.set({ enable: ['jp.stale-session-write'] });
    const stale = await t.req('PUT', '/jp/portal/me/bank-account', account, auth);
    expect(stale.status).toBe(200);
    // Bob's account is now registered to Alice: the incident
    expect(
      (await t.req('GET', '/jp/portal/me/bank-account', undefined, auth)).body.bankAccount.account.holderKana,
    ).toBe('ボブ');
  });

  it('P8 — concurrent certificate issuance never crosses subjects (fault reproduces the crossing)', async () => {
    const t = await buildTestNetwork();
    const people = t.personas.slice(0, 4);
    const issueAll = () =>
      Promise.all(
        people.map(async (p) => {
          const ch = (await t.req('POST', '/jp/agencies/setagaya-city/kiosk/challenge', {})).body;
          const r = await t.req('POST', '/jp/agencies/setagaya-city/kiosk/certificates', {
            challengeId: ch.challengeId,
            ...signChallengeWithCard(cardOf(p), ch.challenge),
          });
          return { person: p, status: r.status, cert: r.body };
        }),
      );
    for (const r of await issueAll()) {
      expect(r.status).toBe(200);
      expect(r.cert.name).toBe(r.person.fourFacts!.name);
      expect(r.cert.address).toBe(r.person.fourFacts!.address);
    }
    t.deps.faults.set({ enable: ['jp.concurrent-issuance-crossing'] });
    const crossed = (await issueAll()).filter((r) => r.cert.name !== r.person.fourFacts!.name);
    expect(crossed.length).toBeGreaterThan(0);
  });
});

describe('property 11 — incidents: table leak and key leak, contained by rotation', () => {
  it('agency table leak: the dump holds no identifier and no join key; rotation retires the leaked codes', async () => {
    const t = await buildTestNetwork();
    expect(
      (await t.req('GET', '/admin/jp/incidents/agency-table-leak/setagaya-city', undefined, ADMIN)).body.code,
    ).toBe('jp-fault-off');
    // Switched on the component's one fault surface, where it is listed with the incident it reproduces.
    const listed = (await t.req('GET', '/admin/faults', undefined, ADMIN)).body.faults as Json[];
    expect(listed.find((f) => f.name === 'jp.agency-table-leak')).toMatchObject({
      block: 'jp-network',
      kind: 'incident',
      enabled: false,
      description: expect.stringMatching(/pension breach[\s\S]*While off: the table holds only/),
    });
    const on = await t.req('PUT', '/admin/faults', { enable: ['jp.agency-table-leak'] }, ADMIN);
    expect(on.status).toBe(200);
    expect((await t.req('GET', '/admin/config', undefined, ADMIN)).body.faults).toEqual(['jp.agency-table-leak']);
    const dump = (await t.req('GET', '/admin/jp/incidents/agency-table-leak/setagaya-city', undefined, ADMIN)).body;
    expect(dump.subjects).toHaveLength(8); // the failure: the table is out
    // Never silent: the fault is logged and on the request's trace hop.
    expect(t.logs.some((l) => l.msg === 'fault fired' && l.fault === 'jp.agency-table-leak')).toBe(true);
    expect(
      t.traces.events.some(
        (e) =>
          e.operation?.includes('/admin/jp/incidents/agency-table-leak') && e.faults?.includes('jp.agency-table-leak'),
      ),
    ).toBe(true);
    expect(findIdentifiers(JSON.stringify(dump), t.personas)).toEqual([]);
    const leaked = dump.subjects.map((s: { code: string }) => s.code) as string[];
    for (const other of PROVIDERS.filter((a) => a !== 'setagaya-city'))
      expect(
        t.net.servers
          .get(other)!
          .subjects()
          .filter((s) => leaked.includes(s.code as string)),
      ).toEqual([]);
    await t.req('POST', '/admin/jp/network/agencies/setagaya-city/rotate', { graceDays: 0 }, ADMIN);
    t.clock.advance(1000);
    const q = {
      requestId: crypto.randomUUID(),
      code: leaked[0],
      procedure: 'child-allowance',
      provider: 'national-tax-agency',
      items: ['income'],
      sealedRequest: sealedStub,
    };
    expect((await t.signed('setagaya-city', 'POST', '/jp/network/queries', q)).body.code).toBe('jp-code-retired');
  });

  it('network key leak: leaked keys compute every agency code of a guessed person; rotating the master key contains it', async () => {
    const t = await buildTestNetwork();
    t.deps.faults.set({ enable: ['jp.network-key-leak'] });
    const keys = (await t.req('GET', '/admin/jp/incidents/network-key-leak', undefined, ADMIN)).body;
    const p = t.personas[3]!;
    for (const a of PROVIDERS)
      expect(computeCodeWithLeakedKeys(keys, p.residentRecordCode!, a, 1)).toBe(t.codeOf(a, p));
    expect(t.net.custodian.audit.list({ limit: 1000 }).some((e) => e.action === 'export-raw-keys')).toBe(true); // detected
    const rotated = await t.req('POST', '/admin/jp/network/rotate-master', { graceDays: 0 }, ADMIN);
    expect(rotated.body.masterVersion).toBe(2);
    t.clock.advance(1000);
    for (const a of PROVIDERS) {
      const now = t.codeOf(a, p);
      expect(now).toMatch(/^v2\./);
      expect(computeCodeWithLeakedKeys(keys, p.residentRecordCode!, a, 2)).not.toBe(now);
    }
    const r = await t.req(
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
    expect(r.body.outcome).toBe('provided');
  });

  it('a malformed query body (JSON null, objects that cannot be strings, deep arrays) is refused and recorded, never a 500 (found by kakehashi fuzz)', async () => {
    const t = await buildTestNetwork();
    const deep = `${'['.repeat(50_000)}1${']'.repeat(50_000)}`;
    const bodies = [
      'null',
      '[]',
      '"x"',
      '{"requestId":7,"provider":{"toString":1},"procedure":{"valueOf":1,"toString":1},"items":[{"toString":1}]}',
      `{"provider":${deep},"items":[${deep}]}`,
    ];
    const refusedUnauthenticated = () =>
      t.net.network.records.all().filter((x) => x.requester.id === 'unauthenticated').length;
    const before = refusedUnauthenticated();
    for (const body of bodies) {
      const r = await t.req('POST', '/jp/network/queries', body, { [SIGNATURE_HEADER]: 'not.a.jws' });
      expect([r.status, r.body.code], body.slice(0, 30)).toEqual([400, 'validation-failed']);
    }
    expect(refusedUnauthenticated()).toBe(before + bodies.length);
    expect(t.net.network.records.verify().valid).toBe(true);
  });
});
