import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { type Persona, validateMyNumber } from '@kakehashi/personas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestFederation, type TestFederation } from '../support/federation.ts';

/**
 * Japan's Cooperation Network through the federation: a full run (staff exchanges, portal login with the card,
 * own data and records, kiosk, key rotation), then a grep of every agency store, the network's stores, the
 * logs and every payload between the parties for a valid My Number or a resident record code.
 */
describe('Japan Cooperation Network end to end', () => {
  let f: TestFederation;
  let url: string;
  let personas: Persona[];
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await f.fetch(`${url}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    // biome-ignore lint/suspicious/noExplicitAny: free-form JSON read member by member
    return { status: res.status, body: (await res.json()) as any };
  };

  beforeAll(async () => {
    f = await startTestFederation({ countries: ['JP'], clockStart: '2026-06-01T00:00:00Z' });
    url = f.urls.nodes.JP as string;
    personas = (await (await f.fetch(`${url}/personas`)).json()) as Persona[];
  }, 180_000);
  afterAll(() => f?.dispose());

  it('runs every kind of exchange and keeps the records verifiable', async () => {
    const subjects = (await call('GET', '/admin/jp/agencies/setagaya-city/subjects', undefined, ADMIN)).body
      .subjects as { internal_id: string; name: string }[];
    expect(subjects).toHaveLength(personas.length);
    const asks = [
      ['setagaya-city', 'child-allowance', 'national-tax-agency', ['income']],
      ['setagaya-city', 'national-health-insurance', 'kyokai-kenpo', ['health-insurance-eligibility']],
      ['setagaya-city', 'public-housing', 'japan-pension-service', ['pension-benefit-amount']],
    ] as const;
    for (const s of subjects.slice(0, 3))
      for (const [agency, procedure, provider, items] of asks) {
        const r = await call(
          'POST',
          `/admin/jp/agencies/${agency}/queries`,
          { internalId: s.internal_id, procedure, provider, items },
          ADMIN,
        );
        expect(r.body.outcome).toBe('provided');
      }
    const nenkin = (await call('GET', '/admin/jp/agencies/japan-pension-service/subjects', undefined, ADMIN)).body
      .subjects;
    const r = await call(
      'POST',
      '/admin/jp/agencies/japan-pension-service/queries',
      {
        internalId: nenkin[0].internal_id,
        procedure: 'national-pension-exemption',
        provider: 'setagaya-city',
        items: ['local-tax-income', 'household-composition'],
      },
      ADMIN,
    );
    expect(r.body.outcome).toBe('provided');
    const refused = await call(
      'POST',
      '/admin/jp/agencies/japan-pension-service/queries',
      {
        internalId: nenkin[0].internal_id,
        procedure: 'child-allowance',
        provider: 'setagaya-city',
        items: ['local-tax-income'],
      },
      ADMIN,
    );
    expect(refused.body.refusal.code).toBe('jp-not-authorised');

    // the citizen: card login through the simulated reader, own data, records
    for (const p of personas.slice(0, 2)) {
      const ch = (await call('POST', '/jp/portal/login/challenge', { purpose: 'login' })).body;
      const card = (await call('POST', '/jp/portal/test-card-reader', { personaId: p.id, challenge: ch.challenge }))
        .body;
      const login = await call('POST', '/jp/portal/login', { challengeId: ch.challengeId, ...card });
      expect(login.status).toBe(200);
      const auth = { authorization: `Bearer ${login.body.sessionToken}` };
      const data = (await call('GET', '/jp/portal/me/data', undefined, auth)).body.providers;
      expect(data.every((d: { outcome: string }) => d.outcome === 'provided')).toBe(true);
      const records = (await call('GET', '/jp/portal/me/records', undefined, auth)).body.records;
      expect(records.length).toBeGreaterThanOrEqual(4);
      const kiosk = (await call('POST', '/jp/agencies/setagaya-city/kiosk/challenge', {})).body;
      const kcard = (await call('POST', '/jp/portal/test-card-reader', { personaId: p.id, challenge: kiosk.challenge }))
        .body;
      const cert = await call('POST', '/jp/agencies/setagaya-city/kiosk/certificates', {
        challengeId: kiosk.challengeId,
        ...kcard,
      });
      expect(cert.body.name).toBe(p.fourFacts?.name);
    }

    const rotated = await call('POST', '/admin/jp/network/agencies/national-tax-agency/rotate', {}, ADMIN);
    expect(rotated.body.version).toBe(2);
    const after = await call(
      'POST',
      `/admin/jp/agencies/setagaya-city/queries`,
      {
        internalId: subjects[0]!.internal_id,
        procedure: 'child-allowance',
        provider: 'national-tax-agency',
        items: ['income'],
      },
      ADMIN,
    );
    expect(after.body.outcome).toBe('provided');

    const verify = (await call('GET', '/jp/records/verify')).body;
    expect(verify.valid).toBe(true);
    expect(verify.network.count).toBeGreaterThanOrEqual(20);

    const xb = (
      await call('GET', `/admin/jp/xborder/${personas[0]!.id}?destination=DE&sector=rp.example`, undefined, ADMIN)
    ).body;
    expect(xb.personIdentifier).toMatch(/^JP\/DE\/[A-Za-z0-9_-]{43}$/);
    expect(xb.pairwiseSubject).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(f.nodes.get('JP')?.jpNetwork?.xborderIdentifiers.personIdentifier(personas[0]!.id, 'de')).toBe(
      xb.personIdentifier,
    );
  }, 120_000);

  it('finds no valid My Number and no resident record code in any agency store, the network, the logs or a payload', () => {
    const scan = (text: string) => {
      const hits: string[] = [];
      for (const p of personas) {
        if (p.myNumber && text.includes(p.myNumber)) hits.push(`myNumber ${p.id}`);
        if (p.residentRecordCode && text.includes(p.residentRecordCode)) hits.push(`residentRecordCode ${p.id}`);
      }
      // A standalone 12-digit number with a valid check digit (inside a hex hash or a base64url token, 12 decimal
      // digits in a row are chance, not a My Number).
      for (const m of text.matchAll(/(?<![0-9A-Za-z_-])\d{12}(?![0-9A-Za-z_-])/g))
        if (validateMyNumber(m[0])) hits.push(`valid My Number ${m[0]}`);
      return hits;
    };
    const files = readdirSync(f.dataDir).filter((n) =>
      /^node-jp-(agency-[a-z-]+|network|custodian)\.sqlite(-wal)?$/.test(n),
    );
    expect(files.filter((n) => n.startsWith('node-jp-agency-')).length).toBeGreaterThanOrEqual(10); // 5 agencies, file + wal
    for (const n of files)
      expect({ file: n, hits: scan(readFileSync(join(f.dataDir, n)).toString('utf8')) }).toEqual({ file: n, hits: [] });
    expect(scan(JSON.stringify(f.logs))).toEqual([]);
    const db = new DatabaseSync(join(f.dataDir, 'hub.sqlite'), { readOnly: true });
    const payloads = db.prepare("SELECT event FROM trace_events WHERE operation LIKE 'jp-network:%'").all() as {
      event: string;
    }[];
    db.close();
    expect(payloads.length).toBeGreaterThan(50);
    expect(payloads.some((p) => p.event.includes('sealedRequest'))).toBe(true);
    expect(scan(payloads.map((p) => p.event).join('\n'))).toEqual([]);
    // positive control: the resident register (J-LIS) does hold them, and the scan finds them there
    const jlis = readdirSync(f.dataDir).filter((n) => /^node-jp-jlis\.sqlite(-wal)?$/.test(n));
    expect(jlis.flatMap((n) => scan(readFileSync(join(f.dataDir, n)).toString('utf8'))).length).toBeGreaterThanOrEqual(
      personas.length,
    );
  });

  it('documents its routes and answers bad input with problem+json', async () => {
    const doc = (await (await f.fetch(`${url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    for (const p of [
      '/jp/network/queries',
      '/jp/jlis/code-requests',
      '/jp/portal',
      '/jp/portal/login',
      '/jp/records/verify',
      '/admin/faults',
      '/admin/jp/incidents/network-key-leak',
      '/jp/agencies/{agencyId}/intermediary/provision',
    ])
      expect(Object.keys(doc.paths)).toContain(p);
    const res = await f.fetch(`${url}/jp/network/queries`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x',
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    const reset = await f.fetch(`${url}/admin/reset`, { method: 'POST', headers: ADMIN });
    expect(reset.status).toBe(200);
    expect((await call('GET', '/jp/records/verify')).body.network.count).toBe(0);
    const again = (await call('GET', '/admin/jp/agencies/setagaya-city/subjects', undefined, ADMIN)).body.subjects;
    expect(again).toHaveLength(personas.length);
  });
});
