import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, json, startTestFederation, type TestFederation } from '../support/federation.ts';
import { poll } from '../support/wait.ts';

/**
 * The eDelivery four-corner flow in one process: DE's backend (corner 1) submits to a Japanese participant,
 * DE's access point (corner 2) discovers JP's through the hub, signs, encrypts and sends; JP's access point
 * (corner 3) verifies, stores and receipts; JP's backend (corner 4) lists, downloads and acknowledges.
 */
describe('eDelivery: DE → JP through the hub', () => {
  let f: TestFederation;
  let de: string;
  let jp: string;
  const admin = { ...ADMIN, 'content-type': 'application/json' };
  const hooks: Record<string, unknown>[] = [];
  const hookServer = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => {
      body += d.toString();
    });
    req.on('end', () => {
      hooks.push(JSON.parse(body) as Record<string, unknown>);
      res.end('ok');
    });
  });

  beforeAll(async () => {
    f = await startTestFederation({ countries: ['DE', 'JP'] });
    de = f.urls.nodes.DE as string;
    jp = f.urls.nodes.JP as string;
    await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', () => r()));
  });
  afterAll(async () => {
    hookServer.close();
    await f?.dispose();
  });

  const submit = (body: Record<string, unknown>) =>
    json<Record<string, unknown>>(
      f.fetch(`${de}/edelivery/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    );
  const pump = (url: string) => json(f.fetch(`${url}/admin/edelivery/pump`, { method: 'POST', headers: ADMIN }));
  const payload = '<QueryRequest xmlns="urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0">evidence please</QueryRequest>';
  const message = (extra: Record<string, unknown> = {}) => ({
    service: 'urn:kakehashi:service:evidence',
    action: 'ExecuteQueryRequest',
    originalSender: 'urn:kakehashi:participant:de:bzst',
    finalRecipient: 'urn:kakehashi:participant:jp:national-tax-agency',
    payloads: [{ mimeType: 'application/xml', content: Buffer.from(payload).toString('base64') }],
    ...extra,
  });

  it('node metadata advertises the AS4 endpoint; discovery resolves a participant to it', async () => {
    const meta = await json<{ metadata: { endpoints: { as4?: string }; capabilities: string[] } }>(
      f.fetch(`${jp}/metadata`),
    );
    expect(meta.body.metadata.endpoints.as4).toBe(`${jp}/as4`);
    expect(meta.body.metadata.capabilities).toContain('edelivery');
    const d = await json<{ endpoint: string; country: string }>(
      f.fetch(
        `${f.urls.hub}/discovery/participants/${encodeURIComponent('urn:kakehashi:participant:jp:national-tax-agency')}?service=urn:kakehashi:service:evidence`,
      ),
    );
    expect(d.body).toMatchObject({ endpoint: `${jp}/as4`, country: 'JP' });
  });

  it('submit → send → receipt: ACKNOWLEDGED, delivered once, receipt digests = sent digests, webhooks and traces', async () => {
    const port = (hookServer.address() as AddressInfo).port;
    const sub = await json(
      f.fetch(`${de}/edelivery/webhooks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url: `http://127.0.0.1:${port}/hook` }),
      }),
    );
    expect(sub.status).toBe(201);
    const accepted = await submit(message());
    expect(accepted.status).toBe(202);
    const id = accepted.body.messageId as string;
    expect(accepted.body.status).toMatch(/READY_TO_SEND|SEND_ENQUEUED|WAITING_FOR_RECEIPT|ACKNOWLEDGED/);
    await pump(de);
    const status = await json<Record<string, unknown>>(f.fetch(`${de}/edelivery/messages/${encodeURIComponent(id)}`));
    expect(status.body).toMatchObject({
      status: 'ACKNOWLEDGED',
      attempts: 1,
      direction: 'out',
      toParty: 'kakehashi-ap-jp',
    });
    const history = (status.body.history as { status: string }[]).map((h) => h.status);
    expect(history).toEqual(['READY_TO_SEND', 'SEND_ENQUEUED', 'WAITING_FOR_RECEIPT', 'ACKNOWLEDGED']);

    const inbox = await json<{ messages: Record<string, unknown>[] }>(
      f.fetch(
        `${jp}/edelivery/inbox?finalRecipient=${encodeURIComponent('urn:kakehashi:participant:jp:national-tax-agency')}`,
      ),
    );
    const got = inbox.body.messages.filter((m) => m.messageId === id);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({
      status: 'RECEIVED',
      originalSender: 'urn:kakehashi:participant:de:bzst',
      fromParty: 'kakehashi-ap-de',
    });

    // The receipt's non-repudiation digests are those of the message JP received (and verified).
    const received = await json<{
      receipt: { nonRepudiationInformation: { uri: string; digestValue: string }[] };
      payloads: { cid: string }[];
    }>(f.fetch(`${jp}/edelivery/messages/${encodeURIComponent(id)}?direction=in`));
    const sentNri = (status.body.receipt as { nonRepudiationInformation: { uri: string; digestValue: string }[] })
      .nonRepudiationInformation;
    expect(sentNri.map((r) => r.uri).sort()).toEqual(
      received.body.receipt.nonRepudiationInformation.map((r) => r.uri).sort(),
    );
    for (const r of sentNri) {
      expect(received.body.receipt.nonRepudiationInformation.find((x) => x.uri === r.uri)?.digestValue).toBe(
        r.digestValue,
      );
    }
    expect(sentNri.some((r) => r.uri.startsWith('cid:'))).toBe(true);

    const cid = received.body.payloads[0]?.cid as string;
    const dl = await f.fetch(`${jp}/edelivery/messages/${encodeURIComponent(id)}/payloads/${encodeURIComponent(cid)}`);
    expect(dl.status).toBe(200);
    expect(dl.headers.get('content-type')).toContain('application/xml');
    expect(await dl.text()).toBe(payload);

    const ack = await json(f.fetch(`${jp}/edelivery/messages/${encodeURIComponent(id)}/ack`, { method: 'POST' }));
    expect(ack.body).toMatchObject({ status: 'DOWNLOADED' });
    const after = await json<{ messages: { messageId: string }[] }>(f.fetch(`${jp}/edelivery/inbox`));
    expect(after.body.messages.some((m) => m.messageId === id)).toBe(false);

    const notified = await poll(
      () => hooks.filter((h) => h.messageId === id).map((h) => h.status),
      (statuses) => statuses.length >= 4,
    );
    expect(notified).toEqual(['READY_TO_SEND', 'SEND_ENQUEUED', 'WAITING_FOR_RECEIPT', 'ACKNOWLEDGED']);

    const traces = await json<{ traces: { traceId: string }[] }>(f.fetch(`${f.urls.hub}/traces?limit=200`));
    const all = await Promise.all(
      traces.body.traces.map((t) =>
        json<{ events: { operation: string; artefact?: { messageId?: string } }[] }>(
          f.fetch(`${f.urls.hub}/traces/${t.traceId}`),
        ),
      ),
    );
    const ops = all
      .flatMap((t) => t.body.events ?? [])
      .filter((e) => e.artefact?.messageId === id)
      .map((e) => e.operation);
    expect(ops).toEqual(
      expect.arrayContaining([
        'edelivery: submit ExecuteQueryRequest',
        'edelivery: send ExecuteQueryRequest (attempt 1)',
        'edelivery: received',
      ]),
    );
  });

  it('resubmitting the same MessageId and content is idempotent; other content is a conflict', async () => {
    const body = message({ messageId: 'idem-1@de.example' });
    const first = await submit(body);
    expect(first.status).toBe(202);
    const again = await submit(body);
    expect(again.status).toBe(200);
    expect(again.body.messageId).toBe('idem-1@de.example');
    const other = await submit({ ...body, action: 'ExecuteQueryResponse' });
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('edelivery-message-id-conflict');
    await pump(de);
  });

  it('discovery failure, unknown P-Mode, unknown sender and bad input are clear problems', async () => {
    const nobody = await submit(message({ finalRecipient: 'urn:kakehashi:participant:jp:nobody' }));
    expect(nobody.status).toBe(404);
    expect(nobody.body.code).toBe('participant-not-found');
    expect(String(nobody.body.detail)).toContain('urn:kakehashi:participant:jp:nobody');
    const noPmode = await submit(message({ action: 'Unknown' }));
    expect(noPmode.status).toBe(422);
    expect(noPmode.body.code).toBe('edelivery-no-pmode');
    const stranger = await submit(message({ originalSender: 'urn:kakehashi:participant:de:nobody' }));
    expect(stranger.status).toBe(400);
    const badJson = await json(
      f.fetch(`${de}/edelivery/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"a":',
      }),
    );
    expect(badJson.body.code).toBe('malformed-json');
    const wrongType = await json(
      f.fetch(`${de}/edelivery/messages`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' }),
    );
    expect(wrongType.status).toBe(415);
    const badB64 = await submit(message({ payloads: [{ mimeType: 'text/plain', content: '@@@' }] }));
    expect(badB64.body.code).toBe('edelivery-payload-invalid');
    const missing = await json(f.fetch(`${de}/edelivery/messages/${encodeURIComponent('nope@x')}`));
    expect(missing.status).toBe(404);
    expect(missing.type).toContain('application/problem+json');
  });

  it('P-Modes are validated at load (admin)', async () => {
    const cur = await json<{ pmodes: Record<string, unknown>[] }>(
      f.fetch(`${de}/admin/edelivery/pmodes`, { headers: ADMIN }),
    );
    expect(cur.body.pmodes.map((p) => p.id)).toEqual(['kakehashi-evidence', 'kakehashi-notification']);
    const bad = await json(
      f.fetch(`${de}/admin/edelivery/pmodes`, {
        method: 'PUT',
        headers: admin,
        body: JSON.stringify({
          pmodes: [{ ...cur.body.pmodes[0], receptionAwareness: { retries: 10, retryIntervalMs: 60_000, backoff: 2 } }],
        }),
      }),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('edelivery-pmode-invalid');
    expect(String(bad.body.detail)).toContain('duplicate-detection window');
    const unauth = await f.fetch(`${de}/admin/edelivery/pmodes`);
    expect(unauth.status).toBe(401);
  });
});
