import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, json, startTestFederation, type TestFederation } from '../support/federation.ts';
import { type PersonaData, personalValues } from '../support/personal-data.ts';

interface SecurityEvent {
  rule: string;
  severity: string;
  peer?: string;
  detail: Record<string, unknown>;
}

/**
 * The refusals of the other blocks reach `GET /security/events` through the same mechanism, with no call site of
 * their own: a Cooperation Network refusal outside the authorisation matrix (Japan), a tampered detached JAdES
 * signature (eSignature, C8), and no event carries a persona's personal data.
 */
describe('security events: the Cooperation Network and eSignature', () => {
  let f: TestFederation;
  let jp: string;
  let at: string;
  const events = async (origin: string) =>
    (await json<{ events: SecurityEvent[] }>(f.fetch(`${origin}/security/events?limit=1000`, { headers: ADMIN }))).body
      .events;
  const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
    f.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    f = await startTestFederation({ countries: ['AT', 'JP'], clockStart: '2026-06-01T00:00:00Z' });
    jp = f.urls.nodes.JP as string;
    at = f.urls.nodes.AT as string;
  }, 180_000);
  afterAll(() => f?.dispose());

  it('a Cooperation Network query outside the authorisation matrix is a security event of Japan’s node (P2)', async () => {
    const nenkin = (
      await json<{ subjects: { internal_id: string }[] }>(
        f.fetch(`${jp}/admin/jp/agencies/japan-pension-service/subjects`, { headers: ADMIN }),
      )
    ).body.subjects;
    const refused = await json<{ refusal?: { code: string } }>(
      post(
        `${jp}/admin/jp/agencies/japan-pension-service/queries`,
        {
          internalId: nenkin[0]?.internal_id,
          procedure: 'child-allowance',
          provider: 'setagaya-city',
          items: ['local-tax-income'],
        },
        ADMIN,
      ),
    );
    expect(refused.body.refusal?.code).toBe('jp-not-authorised');
    const e = (await events(jp)).find((x) => x.detail.code === 'jp-not-authorised');
    expect(e, JSON.stringify(await events(jp))).toBeDefined();
    expect(e?.severity).toMatch(/medium|high/);
  });

  it('a tampered detached signature (C8) is a security event of the validating node', async () => {
    const signers = (await json<{ agencies: { id: string }[] }>(f.fetch(`${at}/esig/signers`))).body;
    const signed = await json<{ signature: string }>(
      post(`${at}/esig/sign`, {
        signer: { type: 'agency', id: signers.agencies[0]?.id },
        format: 'jades',
        level: 'B-B',
        packaging: 'detached',
        document: { content: 'Bescheid 2026/002', name: 'bescheid.txt' },
      }),
    );
    expect(signed.status).toBe(200);
    const report = await json<{ indication: string }>(
      post(`${jp}/esig/validate`, {
        signature: signed.body.signature,
        detachedContent: { content: 'Bescheid 2026/003' },
      }),
    );
    expect(report.body.indication).toBe('TOTAL-FAILED');
    const list = await events(jp);
    expect(
      list.some((e) => /HASH_FAILURE|C8|hash/i.test(`${e.rule} ${e.detail.code ?? ''}`)),
      JSON.stringify(list),
    ).toBe(true);
  });

  it('no event carries a persona’s personal data', async () => {
    const text = JSON.stringify([...(await events(jp)), ...(await events(at)), ...(await events(f.urls.hub))]);
    const personas = [
      ...(await json<PersonaData[]>(f.fetch(`${jp}/personas`))).body,
      ...(await json<PersonaData[]>(f.fetch(`${at}/personas`))).body,
    ];
    expect(personalValues(personas).filter((v) => text.includes(v))).toEqual([]);
  });
});
