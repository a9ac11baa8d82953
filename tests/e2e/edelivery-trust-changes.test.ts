import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, json, startTestFederation, type TestFederation } from '../support/federation.ts';

interface MessageView {
  messageId: string;
  status: string;
  lastError: string | null;
}

/**
 * The trust view changes after a first successful message (issue 15: a node's trust store remembers the verdicts
 * of the peer certificates that come with every message): a revocation decided at the hub after DE and JP have
 * exchanged a message is refused on the very next one — at submission (JP's certificate, as discovery returns it)
 * and at reception (DE's signing certificate) — and taking it back lets messages through again.
 */
describe('eDelivery: a revocation after a first successful message is not hidden by remembered verdicts', () => {
  let f: TestFederation;
  let de: string;
  let jp: string;
  const adminJson = { ...ADMIN, 'content-type': 'application/json' };

  beforeAll(async () => {
    f = await startTestFederation({ countries: ['DE', 'JP'] });
    de = f.urls.nodes.DE as string;
    jp = f.urls.nodes.JP as string;
  });
  afterAll(async () => {
    await f?.dispose();
  });

  const submit = (content: string) =>
    json<MessageView & { code?: string; detail?: string }>(
      f.fetch(`${de}/edelivery/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          service: 'urn:kakehashi:service:evidence',
          action: 'ExecuteQueryRequest',
          originalSender: 'urn:kakehashi:participant:de:bzst',
          finalRecipient: 'urn:kakehashi:participant:jp:national-tax-agency',
          payloads: [{ mimeType: 'text/plain', content: Buffer.from(content).toString('base64') }],
        }),
      }),
    );
  const pump = async () =>
    expect((await f.fetch(`${de}/admin/edelivery/pump`, { method: 'POST', headers: ADMIN })).status).toBe(200);
  const sent = async (id: string) =>
    (await json<MessageView>(f.fetch(`${de}/edelivery/messages/${encodeURIComponent(id)}?direction=out`))).body;
  /** Submits, pumps and returns the sender's final view of the message. */
  const exchange = async (content: string) => {
    const r = await submit(content);
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    await pump();
    return sent(r.body.messageId);
  };
  const revoke = async (name: string) => {
    const r = await json<{ serialHex: string }>(
      f.fetch(`${f.urls.hub}/admin/trust/revoke`, {
        method: 'POST',
        headers: adminJson,
        body: JSON.stringify({ name, reason: 'keyCompromise' }),
      }),
    );
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body.serialHex;
  };
  const unrevoke = async (serialHex: string) =>
    expect(
      (await f.fetch(`${f.urls.hub}/admin/trust/revocations/${serialHex}`, { method: 'DELETE', headers: ADMIN }))
        .status,
    ).toBe(200);

  it("JP's certificate revoked after an acknowledged message: DE refuses the next submission; taken back, it passes", async () => {
    expect((await exchange('before the revocation')).status).toBe('ACKNOWLEDGED');
    expect((await exchange('again, verdicts remembered')).status).toBe('ACKNOWLEDGED');
    const serial = await revoke('JP-signing');
    try {
      const refused = await submit('after the revocation');
      expect(refused.status).toBeGreaterThanOrEqual(400);
      expect(refused.body.code).toBe('edelivery-peer-untrusted');
      expect(refused.body.detail).toMatch(/was revoked by/);
    } finally {
      await unrevoke(serial);
    }
    expect((await exchange('after taking it back')).status).toBe('ACKNOWLEDGED');
  });

  it("DE's signing certificate revoked after an acknowledged message: JP refuses the next one (EBMS:0101)", async () => {
    expect((await exchange('before the revocation')).status).toBe('ACKNOWLEDGED');
    const serial = await revoke('DE-signing');
    try {
      const s = await exchange('signed with a revoked certificate');
      expect(s.status).toBe('SEND_FAILURE');
      expect(s.lastError?.startsWith('EBMS:0101 '), s.lastError ?? '').toBe(true);
      expect(s.lastError).toContain('revoked');
      const r = await f.fetch(`${jp}/edelivery/messages/${encodeURIComponent(s.messageId)}?direction=in`);
      expect(r.status).toBe(404);
    } finally {
      await unrevoke(serial);
    }
    expect((await exchange('after taking it back')).status).toBe('ACKNOWLEDGED');
  });
});
