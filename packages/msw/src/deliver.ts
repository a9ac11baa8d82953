import type { Call } from './admin-api.ts';

/** A message as the access point's backend API shows it (`GET /edelivery/messages/{id}`). */
export interface DeliveredMessage {
  messageId: string;
  direction: 'out' | 'in';
  status: string;
  pmodeId: string;
  service: string;
  action: string;
  conversationId: string;
  originalSender: string | null;
  finalRecipient: string | null;
  fromParty: string;
  toParty: string;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  payloads: { cid: string; mimeType: string; size: number }[];
  history: { status: string; at: string; detail: string | null }[];
  receipt: { nonRepudiationInformation: { uri: string; digestMethod: string; digestValue: string }[] } | null;
  links: Record<string, string>;
}

export interface DeliverOptions {
  /** The sending node (corner 2): its backend API takes the submission. */
  from: string;
  /** The recipient: a participant id (`urn:kakehashi:participant:jp:nta`), or a country (its first participant). */
  to: string;
  /** The sender (corner 1); default the sending node's first participant. */
  originalSender?: string;
  /** Default `urn:kakehashi:service:notification`, action `Notify` (a default P-Mode between every pair of nodes). */
  service?: string;
  action?: string;
  conversationId?: string;
  messageId?: string;
  properties?: { name: string; value: string }[];
  /** One or more payloads: text (UTF-8) or bytes. */
  payloads: { content: string | Uint8Array; mimeType: string; cid?: string }[];
}

export interface Delivery {
  /** The message at the sender, after its access point ran the sender loop once (`ACKNOWLEDGED` when it went through). */
  sent: DeliveredMessage;
  /** The message at the recipient's access point, when it arrived. */
  received: DeliveredMessage | undefined;
}

const ADMIN = { admin: true } as const;

/**
 * Sends an AS4 message through eDelivery as a backend would: submits it to the sender's backend API
 * (`POST /edelivery/messages`), runs the sender's loop once (`POST /admin/edelivery/pump`) so the AS4 exchange —
 * signed, encrypted, discovered through the hub, receipt verified — happens before this returns, and reads the
 * message on both sides. Faults (`fed.faults.edelivery`) apply as to any sender.
 */
export async function deliverThrough(call: Call, nodes: Record<string, string>, o: DeliverOptions): Promise<Delivery> {
  const fromUrl = nodeOf(nodes, o.from);
  const service = o.service ?? 'urn:kakehashi:service:notification';
  const originalSender = o.originalSender ?? (await participantOf(call, fromUrl, service));
  const finalRecipient = /^[A-Za-z]{2}$/.test(o.to) ? await participantOf(call, nodeOf(nodes, o.to), service) : o.to;
  const submitted = await call<DeliveredMessage>('POST', `${fromUrl}/edelivery/messages`, {
    ...(o.messageId ? { messageId: o.messageId } : {}),
    ...(o.conversationId ? { conversationId: o.conversationId } : {}),
    ...(o.properties ? { properties: o.properties } : {}),
    service,
    action: o.action ?? 'Notify',
    originalSender,
    finalRecipient,
    payloads: o.payloads.map((p) => ({
      mimeType: p.mimeType,
      content: Buffer.from(typeof p.content === 'string' ? Buffer.from(p.content, 'utf8') : p.content).toString(
        'base64',
      ),
      ...(p.cid ? { cid: p.cid } : {}),
    })),
  });
  await call('POST', `${fromUrl}/admin/edelivery/pump`, undefined, ADMIN);
  const id = encodeURIComponent(submitted.messageId);
  const sent = await call<DeliveredMessage>('GET', `${fromUrl}/edelivery/messages/${id}?direction=out`);
  let received: DeliveredMessage | undefined;
  for (const url of Object.values(nodes)) {
    if (received) break;
    received = await call<DeliveredMessage>('GET', `${url}/edelivery/messages/${id}?direction=in`).catch(
      () => undefined,
    );
  }
  return { sent, received };
}

function nodeOf(nodes: Record<string, string>, country: string): string {
  const url = nodes[country.toUpperCase()];
  if (!url) throw new Error(`No node ${country} in this test federation (it runs ${Object.keys(nodes).join(', ')}).`);
  return url;
}

/** The node's first participant that accepts `service` (its metadata lists them). */
async function participantOf(call: Call, nodeUrl: string, service: string): Promise<string> {
  const { metadata } = await call<{ metadata: { participants: { id: string; services: string[] }[] } }>(
    'GET',
    `${nodeUrl}/metadata`,
  );
  const { participants } = metadata;
  const p = participants.find((x) => x.services.includes(service)) ?? participants[0];
  if (!p) throw new Error(`${nodeUrl} has no eDelivery participant`);
  return p.id;
}
