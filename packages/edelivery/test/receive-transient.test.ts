import { KakehashiError, type Store } from '@kakehashi/core';
import { afterAll, describe, expect, it } from 'vitest';
import { inboundMessage, receiver as jpReceiver } from './receiver-fixture.ts';

const receiver = () => jpReceiver('edelivery-receive-transient');

/** The same bytes on a resend. */
const message = () => inboundMessage(Buffer.from('a payload'));

/**
 * A receiving access point whose dependencies are down (502 `upstream-unavailable`) or slow (504
 * `upstream-timeout`, what the typed hub client throws when the hub answers too late) answers a 503 SOAP Fault
 * `Receiver`, stores nothing and logs no error: the sender's reception awareness resends, and the resend of the
 * same message is received once the dependency is back. Only a bug is a logged 500.
 */
describe('AS4 receiver: a hub that is down or slow is a transient failure', () => {
  const stores: Store[] = [];
  afterAll(() => {
    for (const s of stores) s.close();
  });
  const setup = () => {
    const r = receiver();
    stores.push(r.store);
    return r;
  };
  const post = async (app: ReturnType<typeof receiver>['app'], mime: { contentType: string; body: Buffer }) => {
    const res = await app.request('/as4', {
      method: 'POST',
      headers: { 'content-type': mime.contentType },
      body: new Uint8Array(mime.body),
    });
    return { status: res.status, text: await res.text() };
  };
  const down = (code: 'upstream-unavailable' | 'upstream-timeout') =>
    new KakehashiError(code, code === 'upstream-timeout' ? 'The hub did not answer in time.' : 'The hub is down.');

  for (const code of ['upstream-unavailable', 'upstream-timeout'] as const) {
    it(`${code} looking up the sender's registered certificate: 503 Receiver fault, then received on the resend`, async () => {
      const { app, messages, logger, failing } = setup();
      const msg = message();
      failing.registry = down(code);
      const first = await post(app, msg.mime);
      expect(first.status).toBe(503);
      expect(first.text).toContain('Receiver');
      expect(first.text).toContain('The registry (hub) is unreachable');
      expect(messages.get(msg.messageId, 'in')).toBeUndefined();

      failing.registry = undefined;
      const resend = await post(app, msg.mime);
      expect(resend.status).toBe(200);
      expect(resend.text).toContain('Receipt');
      expect(messages.get(msg.messageId, 'in')?.status).toBe('RECEIVED');
      expect(logger.lines.filter((l) => l.level === 'error')).toEqual([]);
    });

    it(`${code} from the trust view: 503 Receiver fault ("not ready"), then received on the resend`, async () => {
      const { app, messages, logger, failing } = setup();
      const msg = message();
      failing.trust = down(code);
      const first = await post(app, msg.mime);
      expect(first.status).toBe(503);
      expect(first.text).toContain('Receiver');
      expect(first.text).toContain('The receiving access point is not ready');
      expect(messages.get(msg.messageId, 'in')).toBeUndefined();

      failing.trust = undefined;
      const resend = await post(app, msg.mime);
      expect(resend.status).toBe(200);
      expect(resend.text).toContain('Receipt');
      expect(messages.get(msg.messageId, 'in')?.status).toBe('RECEIVED');
      expect(logger.lines.filter((l) => l.level === 'error')).toEqual([]);
    });
  }

  it('a bug (any other error) is a logged 500 Receiver fault, not a transient one', async () => {
    const { app, logger, failing } = setup();
    failing.registry = new Error('a bug in discovery');
    const res = await post(app, message().mime);
    expect(res.status).toBe(500);
    expect(res.text).toContain('failed to process the message');
    expect(logger.lines.filter((l) => l.level === 'error')).toHaveLength(1);
  });
});
