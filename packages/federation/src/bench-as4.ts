/**
 * AS4 for `kakehashi bench`: messages submitted at one access point for another (two nodes of one in-process
 * federation), each followed until the sender records it ACKNOWLEDGED (signed, encrypted, sent, received,
 * decrypted, verified, persisted, receipted, receipt verified). Throughput and p50/p99 submit → ACKNOWLEDGED, with
 * `concurrency` submitters, against the ceiling of one message's RSA private operations measured in the same run:
 * the sender's signature, the receiver's RSA-OAEP (SHA-256) key decryption and the receiver's signed receipt.
 * @see https://docs.oasis-open.org/ebxml-msg/ebms/v3.0/profiles/AS4-profile/v1.0/os/AS4-profile-v1.0-os.html
 */
import { constants, generateKeyPairSync, privateDecrypt, publicEncrypt, randomBytes, sign } from 'node:crypto';
import { percentile, rate } from './bench-measure.ts';
import { r3 } from './bench-report.ts';
import type { Federation } from './create-federation.ts';

/** The RSA private operations of one AS4 message, end to end: sign (sender), decrypt + sign receipt (receiver). */
export async function as4CryptoCeiling(
  windowMs: number,
): Promise<{ signs: number; decrypts: number; ceiling: number }> {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const data = randomBytes(1200);
  const signs = await rate(windowMs, () => sign('sha256', data, rsa.privateKey));
  const oaep = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' };
  const wrapped = publicEncrypt({ key: rsa.publicKey, ...oaep }, randomBytes(32));
  const decrypts = await rate(windowMs, () => privateDecrypt({ key: rsa.privateKey, ...oaep }, wrapped));
  return { signs, decrypts, ceiling: 1 / (2 / signs + 1 / decrypts) };
}

interface MessageView {
  messageId: string;
  status: string;
  lastError: string | null;
}

/** One AS4 run: `concurrency` submitters for `ms`; each message is polled until ACKNOWLEDGED. */
export async function benchAs4(
  f: Federation,
  opts: { windowMs: number; concurrency: number },
): Promise<{ messagesPerSecond: number; p50Ms: number; p99Ms: number; messages: number; from: string; to: string }> {
  const countries = Object.keys(f.urls.nodes);
  const from = countries.includes('DE') ? 'DE' : (countries[0] as string);
  const to = countries.includes('JP') ? 'JP' : (countries.find((c) => c !== from) as string);
  const sender = f.urls.nodes[from] as string;
  // Registered participants of each node (the sender refuses an originalSender it does not host).
  const participant = (cc: string) => {
    const id = f.nodes.get(cc)?.metadata().participants[0]?.id;
    if (!id) throw new Error(`bench: node ${cc} hosts no participant`);
    return id;
  };
  const body = JSON.stringify({
    service: 'urn:kakehashi:service:evidence',
    action: 'ExecuteQueryRequest',
    originalSender: participant(from),
    finalRecipient: participant(to),
    payloads: [
      { mimeType: 'application/xml', content: Buffer.from(`<Bench>${'x'.repeat(2000)}</Bench>`).toString('base64') },
    ],
  });
  const one = async (): Promise<number> => {
    const s = performance.now();
    const r = await f.fetch(`${sender}/edelivery/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const v = (await r.json()) as MessageView;
    if (r.status !== 202) throw new Error(`AS4 submission answered ${r.status}: ${JSON.stringify(v)}`);
    const url = `${sender}/edelivery/messages/${encodeURIComponent(v.messageId)}?direction=out`;
    for (let polls = 0; ; polls++) {
      const m = (await (await f.fetch(url)).json()) as MessageView;
      if (m.status === 'ACKNOWLEDGED' || m.status === 'ACKNOWLEDGED_WITH_WARNING') return performance.now() - s;
      if (m.status === 'SEND_FAILURE') throw new Error(`AS4 message failed: ${m.lastError}`);
      if (performance.now() - s > 120_000) throw new Error(`AS4 message still ${m.status} after 120 s`);
      await new Promise((res) => setTimeout(res, polls < 20 ? 2 : 10));
    }
  };
  for (let i = 0; i < 5; i++) await one();
  const latencies: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (performance.now() - t0 < opts.windowMs) latencies.push(await one());
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  return {
    messagesPerSecond: r3(latencies.length / elapsed),
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    messages: latencies.length,
    from,
    to,
  };
}
