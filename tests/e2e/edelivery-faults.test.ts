import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, json, startTestFederation, type TestFederation } from '../support/federation.ts';
import { poll } from '../support/wait.ts';

interface FaultState {
  name: string;
  block: string;
  kind: string;
  rule?: string;
  perRequest?: boolean;
  enabled: boolean;
}
interface MessageView {
  messageId: string;
  status: string;
  attempts: number;
  lastError: string | null;
  duplicatesEliminated: number;
}
interface TraceEvent {
  component: string;
  country?: string;
  operation: string;
  faults?: string[];
  artefact?: { messageId?: string; action?: string };
}

/**
 * eDelivery's faults on the one fault surface (`GET`/`PUT /admin/faults`): the sending access point (DE) sends a
 * UserMessage bad in exactly one way — asked for by one submission with `X-Kakehashi-Fault`, or switched on — and the
 * receiving access point (JP, strict) refuses it with the ebMS error the attack catalogue names (E3–E7). The
 * receiving side's switches (receipts, outage) live on the same surface.
 */
describe('eDelivery faults: a sending access point that misbehaves on purpose, refused by a strict receiver', () => {
  let f: TestFederation;
  let de: string;
  let jp: string;
  const RECIPIENT = 'urn:kakehashi:participant:jp:national-tax-agency';
  const adminJson = { ...ADMIN, 'content-type': 'application/json' };

  beforeAll(async () => {
    f = await startTestFederation({ countries: ['DE', 'JP'] });
    de = f.urls.nodes.DE as string;
    jp = f.urls.nodes.JP as string;
  });
  afterAll(async () => {
    await f?.dispose();
  });

  const switchFaults = (url: string, body: { enable?: string[]; disable?: string[] }) =>
    json<{ faults: FaultState[] }>(
      f.fetch(`${url}/admin/faults`, { method: 'PUT', headers: adminJson, body: JSON.stringify(body) }),
    );
  const pump = async (url: string) =>
    expect((await f.fetch(`${url}/admin/edelivery/pump`, { method: 'POST', headers: ADMIN })).status).toBe(200);
  /** Submits a message at DE for JP (optionally asking for one fault); returns its id and trace id. */
  const submit = async (content: string, fault?: string) => {
    const traceId = randomBytes(16).toString('hex');
    const r = await json<MessageView & { code?: string }>(
      f.fetch(`${de}/edelivery/messages`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
          ...(fault ? { 'x-kakehashi-fault': fault } : {}),
        },
        body: JSON.stringify({
          service: 'urn:kakehashi:service:evidence',
          action: 'ExecuteQueryRequest',
          originalSender: 'urn:kakehashi:participant:de:bzst',
          finalRecipient: RECIPIENT,
          payloads: [{ mimeType: 'text/plain', content: Buffer.from(content).toString('base64') }],
        }),
      }),
    );
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    return { id: r.body.messageId, traceId };
  };
  const sent = async (id: string) =>
    (await json<MessageView>(f.fetch(`${de}/edelivery/messages/${encodeURIComponent(id)}?direction=out`))).body;
  const received = (id: string) =>
    json<MessageView>(f.fetch(`${jp}/edelivery/messages/${encodeURIComponent(id)}?direction=in`));
  /** The send hops of a trace (forwarded to the hub asynchronously: waited for). */
  const sendHops = async (traceId: string) => {
    const isSend = (e: TraceEvent) => e.country === 'DE' && e.operation.startsWith('edelivery: send');
    const t = await poll(
      () => json<{ events: TraceEvent[] }>(f.fetch(`${f.urls.hub}/traces/${traceId}`)),
      (r) => r.status === 200 && r.body.events.some(isSend),
    );
    return t.body.events.filter(isSend);
  };

  it('lists the access point’s faults on GET /admin/faults, all off, sending ones per request', async () => {
    const r = await json<{ faults: FaultState[] }>(f.fetch(`${de}/admin/faults`, { headers: ADMIN }));
    const mine = r.body.faults.filter((x) => x.block === 'edelivery');
    expect(mine.map((x) => x.name).sort()).toEqual(
      [
        'edelivery.no-receipt',
        'edelivery.receipt-unsigned',
        'edelivery.receipt-wrong-digest',
        'edelivery.receipt-wrong-ref',
        'edelivery.receipt-wrong-signer',
        'edelivery.receiver-unavailable',
        'edelivery.replayed-message-id',
        'edelivery.tampered-attachment',
        'edelivery.tampered-header',
        'edelivery.unsigned-message',
        'edelivery.wrong-party',
      ].sort(),
    );
    expect(mine.every((x) => !x.enabled)).toBe(true);
    expect(mine.filter((x) => x.perRequest).map((x) => x.name)).toEqual([
      'edelivery.unsigned-message',
      'edelivery.wrong-party',
      'edelivery.replayed-message-id',
      'edelivery.tampered-attachment',
      'edelivery.tampered-header',
    ]);
    expect(mine.find((x) => x.name === 'edelivery.tampered-header')).toMatchObject({
      kind: 'forge',
      rule: 'E4 EBMS:0101',
    });
    expect(mine.find((x) => x.name === 'edelivery.receiver-unavailable')?.kind).toBe('outage');
  });

  it.each([
    ['edelivery.unsigned-message', 'EBMS:0103', /no wsse:Security header/],
    ['edelivery.wrong-party', 'EBMS:0010', /not the one registered for kakehashi-ap-de/],
    ['edelivery.tampered-attachment', 'EBMS:0101', /digest of cid:/],
    ['edelivery.tampered-header', 'EBMS:0101', /digest of #_msg-/],
  ])(
    '%s asked for by one submission: JP refuses it with %s, nothing is delivered, the next message goes through',
    async (fault, code, why) => {
      const bad = await submit(`bad: ${fault}`, fault);
      const good = await submit(`good after ${fault}`);
      await pump(de);
      const s = await sent(bad.id);
      expect(s.status).toBe('SEND_FAILURE');
      expect(s.lastError?.startsWith(`${code} `), s.lastError ?? '').toBe(true);
      expect(s.lastError).toMatch(why);
      expect((await received(bad.id)).status).toBe(404);
      // One request asked: the switch stayed off for everyone else.
      expect((await sent(good.id)).status).toBe('ACKNOWLEDGED');
      expect((await received(good.id)).body.status).toBe('RECEIVED');
      // Never silent: the send hop names the fault, the log line too.
      const hops = await sendHops(bad.traceId);
      expect(hops[0]?.faults).toEqual([fault]);
      if (fault === 'edelivery.tampered-header') expect(hops[0]?.artefact?.action).not.toBe('ExecuteQueryRequest');
      expect(f.logs.some((l) => l.msg === 'fault fired' && l.fault === fault && l.messageId === bad.id)).toBe(true);
      expect((await sendHops(good.traceId))[0]?.faults).toBeUndefined();
    },
  );

  it('edelivery.replayed-message-id: the earlier MessageId with new content is never delivered; the original receipt comes back and the sender rejects it (E3)', async () => {
    const first = await submit('the original');
    await pump(de);
    expect((await sent(first.id)).status).toBe('ACKNOWLEDGED');
    const replay = await submit('a replay with other content', 'edelivery.replayed-message-id');
    await pump(de);
    const s = await sent(replay.id);
    expect(s.status).toBe('WAITING_FOR_RETRY');
    expect(s.lastError).toContain(`The receipt refers to ${first.id}, not to ${replay.id}`);
    const original = await received(first.id);
    expect(original.body.duplicatesEliminated).toBe(1);
    expect((await received(replay.id)).status).toBe(404);
    const payloads = await json<{ payloads: { cid: string }[] }>(
      f.fetch(`${jp}/edelivery/messages/${encodeURIComponent(first.id)}?direction=in`),
    );
    const cid = payloads.body.payloads[0]?.cid as string;
    const body = await f.fetch(
      `${jp}/edelivery/messages/${encodeURIComponent(first.id)}/payloads/${encodeURIComponent(cid)}`,
    );
    expect(await body.text()).toBe('the original');
    const hop = (await sendHops(replay.traceId))[0];
    expect(hop?.faults).toEqual(['edelivery.replayed-message-id']);
    expect(hop?.artefact?.messageId).toBe(first.id);
  });

  it('a sending fault switched on (PUT /admin/faults) applies to every message until switched off', async () => {
    expect((await switchFaults(de, { enable: ['edelivery.tampered-header'] })).status).toBe(200);
    const config = await json<{ faults: string[] }>(f.fetch(`${de}/admin/config`, { headers: ADMIN }));
    expect(config.body.faults).toEqual(['edelivery.tampered-header']);
    try {
      const a = await submit('switched on');
      await pump(de);
      expect((await sent(a.id)).lastError).toMatch(/^EBMS:0101 /);
    } finally {
      await switchFaults(de, { disable: ['edelivery.tampered-header'] });
    }
    const b = await submit('switched off');
    await pump(de);
    expect((await sent(b.id)).status).toBe('ACKNOWLEDGED');
  });

  it('a submission may ask only for a sending fault: receipt faults are switches, unknown names are refused', async () => {
    const ask = (fault: string) =>
      json<{ code: string }>(
        f.fetch(`${de}/edelivery/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-kakehashi-fault': fault },
          body: JSON.stringify({
            service: 'urn:kakehashi:service:evidence',
            action: 'ExecuteQueryRequest',
            originalSender: 'urn:kakehashi:participant:de:bzst',
            finalRecipient: RECIPIENT,
            payloads: [{ mimeType: 'text/plain', content: 'eA==' }],
          }),
        }),
      );
    const notPerRequest = await ask('edelivery.no-receipt');
    expect([notPerRequest.status, notPerRequest.body.code]).toEqual([400, 'fault-not-per-request']);
    const unknown = await ask('edelivery.make-it-rain');
    expect([unknown.status, unknown.body.code]).toEqual([400, 'fault-unknown']);
  });

  it('edelivery.no-receipt at the receiver: the sender retries, then gives up with EBMS:0301 MissingReceipt; the /as4 hop names the fault', async () => {
    await switchFaults(jp, { enable: ['edelivery.no-receipt'] });
    try {
      const m = await submit('no receipt for this one');
      await pump(de);
      let s = await sent(m.id);
      expect([s.status, s.attempts]).toEqual(['WAITING_FOR_RETRY', 1]);
      expect(s.lastError).toMatch(/neither a Receipt nor an Error/);
      f.clock.advance(11_000);
      await pump(de);
      s = await sent(m.id);
      expect(s.status).toBe('SEND_FAILURE');
      expect(s.lastError).toMatch(/^EBMS:0301 MissingReceipt/);
      const t = await poll(
        () => json<{ events: TraceEvent[] }>(f.fetch(`${f.urls.hub}/traces/${m.traceId}`)),
        (r) => r.status === 200 && r.body.events.some((e) => e.country === 'JP' && e.faults?.length),
      );
      const jpHops = t.body.events.filter((e) => e.country === 'JP' && e.faults);
      expect(jpHops.map((e) => e.faults)).toContainEqual(['edelivery.no-receipt']);
    } finally {
      await switchFaults(jp, { disable: ['edelivery.no-receipt'] });
    }
  });
});
