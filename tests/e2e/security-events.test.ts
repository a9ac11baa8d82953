import { generateKeyPairSync } from 'node:crypto';
import { jwkThumbprint } from '@kakehashi/core';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, json, startTestFederation, type TestFederation } from '../support/federation.ts';
import { type PersonaData as Persona, personalValues } from '../support/personal-data.ts';

interface SecurityEvent {
  rule: string;
  severity: string;
  component: string;
  country?: string;
  peer?: string;
  traceId?: string;
  artefactHash?: string;
  detail: Record<string, unknown>;
}

/**
 * The blocks' refusals reach `GET /security/events` through core's mechanism (a refused verdict on a trace hop, a
 * refusal thrown with a rule), in a real in-process federation: a forged ID token at DE's validation service, a
 * forged registration at the hub, an admin-token probe; and no event carries a persona's personal data.
 */
describe('security events from the blocks, end to end', () => {
  let f: TestFederation;
  let personasJp: Persona[];
  const attacker = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const attackerJwk = attacker.publicKey.export({ format: 'jwk' });
  const events = async (origin: string, query = '') =>
    (await json<{ events: SecurityEvent[] }>(f.fetch(`${origin}/security/events${query}`, { headers: ADMIN }))).body
      .events;

  beforeAll(async () => {
    f = await startTestFederation({ countries: ['DE', 'JP'] });
    personasJp = (await json<Persona[]>(f.fetch(`${f.urls.nodes.JP}/personas`))).body;
  }, 180_000);
  afterAll(() => f?.dispose());

  it('a forged ID token (embedded attacker key, J4) at DE becomes one high event naming the key, not the person', async () => {
    const victim = personasJp[0] as Persona;
    const now = Math.floor(f.clock.now().getTime() / 1000);
    const token = await new SignJWT({
      nonce: 'n-1',
      acr: 'http://eidas.europa.eu/LoA/high',
      family_name: victim.familyName,
      given_name: victim.givenName,
      birthdate: victim.dateOfBirth,
      eidas_person_identifier: `JP/DE/${victim.nationalId.value}`,
    })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT', jwk: attackerJwk })
      .setIssuer(f.urls.nodes.JP as string)
      .setSubject('attacker-chosen')
      .setAudience('kakehashi-demo-rp')
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .sign(attacker.privateKey);
    const res = await json<{ valid: boolean; failure?: { rule: string } }>(
      f.fetch(`${f.urls.nodes.DE}/eid/validate/id-token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token, expected: { issuer: f.urls.nodes.JP, audience: 'kakehashi-demo-rp' } }),
      }),
    );
    expect(res.body.valid).toBe(false);
    const rule = res.body.failure?.rule as string;
    const de = await events(f.urls.nodes.DE as string, `?rule=${encodeURIComponent(rule)}`);
    expect(de).toHaveLength(1);
    expect(de[0]).toMatchObject({
      component: 'node',
      country: 'DE',
      rule,
      peer: f.urls.nodes.JP,
      detail: { keyThumbprint: jwkThumbprint(attackerJwk), issuer: f.urls.nodes.JP },
    });
    expect(de[0]?.artefactHash).toMatch(/^[0-9a-f]{64}$/);
    expect(de[0]?.traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('a forged registration at the hub is a registration event of the hub', async () => {
    const res = await f.fetch(`${f.urls.hub}/registry/nodes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ signedMetadata: 'eyJhbGciOiJFUzI1NiJ9.eyJjb3VudHJ5IjoiREUifQ.AAAA' }),
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    const code = ((await res.json()) as { code: string }).code;
    const hub = await events(f.urls.hub);
    expect(hub.some((e) => e.detail.code === code && e.component === 'hub')).toBe(true);
  });

  it('an admin-token probe is an event; a burst of them from one caller raises a rate pattern', async () => {
    for (let i = 0; i < 10; i++)
      await f.fetch(`${f.urls.nodes.JP}/admin/config`, {
        headers: { authorization: `Bearer guess-${i}`, 'x-kakehashi-caller': 'node:XX' },
      });
    const jp = await events(f.urls.nodes.JP as string);
    expect(jp.filter((e) => e.rule === 'unauthorized' && e.peer === 'node:XX')).toHaveLength(10);
    expect(jp.filter((e) => e.rule.startsWith('rate-pattern'))).toEqual([
      expect.objectContaining({ severity: 'high', peer: 'node:XX', detail: expect.objectContaining({ count: 10 }) }),
    ]);
  });

  it('no event of any component carries a persona’s name, birth date, national identifier or My Number', async () => {
    const all = [
      ...(await events(f.urls.hub)),
      ...(await events(f.urls.nodes.DE as string)),
      ...(await events(f.urls.nodes.JP as string)),
    ];
    expect(all.length).toBeGreaterThan(3);
    const text = JSON.stringify(all);
    const personas = [...personasJp, ...(await json<Persona[]>(f.fetch(`${f.urls.nodes.DE}/personas`))).body];
    expect(personalValues(personas).filter((v) => text.includes(v))).toEqual([]);
  });
});
