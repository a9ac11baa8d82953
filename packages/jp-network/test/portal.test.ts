import { sign } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { signChallengeWithCard } from '../src/crypto/card-auth.ts';
import { ADMIN, buildTestNetwork, cardOf, findIdentifiers, type TestNetwork } from './helpers.ts';

describe('citizen portal: card login, records, own data, page', () => {
  let t: TestNetwork;
  beforeAll(async () => {
    t = await buildTestNetwork();
  });
  const challenge = async () =>
    (await t.req('POST', '/jp/portal/login/challenge', { purpose: 'login' })).body as {
      challengeId: string;
      challenge: string;
    };

  it('logs in with the user-authentication certificate (never My Number) and shows when, who, why, which items', async () => {
    const p = t.personas[4]!;
    const asked = await t.req(
      'POST',
      '/admin/jp/agencies/japan-pension-service/queries',
      {
        internalId: t.internalIdOf('japan-pension-service', p),
        procedure: 'national-pension-exemption',
        provider: 'setagaya-city',
        items: ['local-tax-income'],
      },
      ADMIN,
    );
    expect(asked.body.outcome).toBe('provided');
    const ch = await challenge();
    const res = signChallengeWithCard(cardOf(p), ch.challenge);
    const login = await t.req('POST', '/jp/portal/login', { challengeId: ch.challengeId, ...res });
    expect(login.status).toBe(200);
    const auth = { authorization: `Bearer ${login.body.sessionToken}` };
    const records = (await t.req('GET', '/jp/portal/me/records', undefined, auth)).body.records;
    const r = records.find((x: { requestId: string }) => x.requestId === asked.body.requestId);
    expect(r).toMatchObject({
      who: { requester: 'Japan Pension Service', provider: 'Setagaya City' },
      why: { procedure: 'Exemption from national pension contributions (income check)' },
      items: ['local-tax-income'],
      outcome: 'provided',
    });
    expect(r.when.requestedAt).toBe('2026-06-01T00:00:00.000Z');
    expect(r.why.legalBasis).toMatch(/National Pension Act art. 90/);
    const data = (await t.req('GET', '/jp/portal/me/data', undefined, auth)).body.providers;
    expect(data.map((d: { provider: string; outcome: string }) => [d.provider, d.outcome])).toEqual([
      ['setagaya-city', 'provided'],
      ['japan-pension-service', 'provided'],
      ['national-tax-agency', 'provided'],
      ['kyokai-kenpo', 'provided'],
    ]);
    expect(findIdentifiers(JSON.stringify(data), t.personas)).toEqual([]);
    // the self-information exchanges are themselves on the record
    const after = (await t.req('GET', '/jp/portal/me/records', undefined, auth)).body.records;
    expect(after.filter((x: { why: { procedure: string } }) => x.why.procedure.startsWith('Mynaportal')).length).toBe(
      4,
    );
    // logout ends the session
    await t.req('POST', '/jp/portal/logout', {}, auth);
    expect((await t.req('GET', '/jp/portal/me/records', undefined, auth)).body.code).toBe('jp-session-invalid');
  });

  it('refuses a replayed or expired challenge, a wrong signature, a foreign certificate and a revoked card', async () => {
    const p = t.personas[6]!;
    const ch = await challenge();
    const ok = signChallengeWithCard(cardOf(p), ch.challenge);
    expect((await t.req('POST', '/jp/portal/login', { challengeId: ch.challengeId, ...ok })).status).toBe(200);
    const replay = await t.req('POST', '/jp/portal/login', { challengeId: ch.challengeId, ...ok });
    expect(replay.body.code).toBe('jp-challenge-invalid');

    const late = await challenge();
    t.clock.advance(2 * 60_000 + 1);
    expect(
      (
        await t.req('POST', '/jp/portal/login', {
          challengeId: late.challengeId,
          ...signChallengeWithCard(cardOf(p), late.challenge),
        })
      ).body.code,
    ).toBe('jp-challenge-invalid');

    const c2 = await challenge();
    const other = signChallengeWithCard(cardOf(t.personas[7]!), c2.challenge);
    const mixed = await t.req('POST', '/jp/portal/login', {
      challengeId: c2.challengeId,
      ...ok,
      signature: other.signature,
    });
    expect(mixed.status).toBe(401);
    expect(mixed.body.code).toBe('jp-card-auth-failed');

    // the signature certificate is not a user-authentication certificate
    const c3 = await challenge();
    const sigCert = cardOf(p).certificates.signature;
    const wrongKind = await t.req('POST', '/jp/portal/login', {
      challengeId: c3.challengeId,
      certificate: sigCert.certPem,
      chain: sigCert.chainPem,
      signature: sign('sha256', Buffer.from(c3.challenge), sigCert.privateKey).toString('base64url'),
    });
    expect(wrongKind.body.detail).toMatch(/clientAuth/);

    // an agency certificate is not issued by the JPKI CA
    const c4 = await challenge();
    const agency = t.credOf('setagaya-city');
    const foreign = await t.req('POST', '/jp/portal/login', {
      challengeId: c4.challengeId,
      certificate: agency.certPem,
      chain: agency.chainPem,
      signature: sign('sha256', Buffer.from(c4.challenge), agency.privateKey).toString('base64url'),
    });
    expect(foreign.body.detail).toMatch(/JPKI CA/);

    t.trust.revoke(cardOf(p).certificates.authentication.serialHex);
    const c5 = await challenge();
    const revoked = await t.req('POST', '/jp/portal/login', {
      challengeId: c5.challengeId,
      ...signChallengeWithCard(cardOf(p), c5.challenge),
    });
    expect(revoked.body.code).toBe('jp-card-auth-failed');
    expect(revoked.body.detail).toMatch(/cert-revoked/);
  });

  it('bad input gets problem+json, never a crash', async () => {
    const broken = await t.app.request('http://jp.node.test/jp/portal/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"challengeId":',
    });
    expect(broken.status).toBe(400);
    expect(broken.headers.get('content-type')).toMatch(/problem\+json/);
    expect(((await broken.json()) as { code: string }).code).toBe('malformed-json');
    const noSig = await t.req('POST', '/jp/network/acquisition-numbers', {});
    expect(noSig.status).toBe(401);
    expect(noSig.body.code).toBe('jp-agency-unauthenticated');
    const tampered = await t.signed('setagaya-city', 'POST', '/jp/network/acquisition-numbers', {});
    expect(tampered.status).toBe(200);
    const garbage = await t.req(
      'POST',
      '/jp/network/acquisition-numbers',
      {},
      { 'x-jp-signature': 'eyJhbGciOiJub25lIn0.e30.' },
    );
    expect(garbage.body.code).toBe('jp-agency-unauthenticated');
    const unknownFault = await t.req('PUT', '/admin/faults', { enable: ['jp.make-it-rain'] }, ADMIN);
    expect([unknownFault.status, unknownFault.body.code]).toEqual([400, 'fault-unknown']);
    const noSession = await t.req('GET', '/jp/portal/me/data');
    expect(noSession.body.code).toBe('jp-session-invalid');
  });

  it('serves a watermarked page with data-testid hooks and a clearly labelled test-only card reader', async () => {
    const res = await t.app.request('http://jp.node.test/jp/portal');
    const html = await res.text();
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(html).toContain('data-testid="test-only-banner"');
    expect(html).toMatch(/TEST ONLY/);
    for (const id of ['insert-card', 'persona-select', 'records-table', 'own-data', 'login-status'])
      expect(html).toContain(`data-testid="${id}"`);
    expect(findIdentifiers(html, t.personas)).toEqual([]);
  });
});
