/**
 * AS4 for `kakehashi bench`: messages submitted at one access point for another, each followed until the sender
 * records it ACKNOWLEDGED (signed, encrypted, sent, received, decrypted, verified, persisted, receipted, receipt
 * verified). Throughput and p50/p99 submit → ACKNOWLEDGED, with `concurrency` submitters, against the ceiling of one
 * message's RSA private operations measured in the same run: the sender's signature, the receiver's RSA-OAEP
 * (SHA-256) key decryption and the receiver's signed receipt. Measured two ways: two nodes of one in-process
 * federation ({@link benchAs4}), and two nodes each in its own OS process beside a hub process
 * ({@link benchAs4TwoProcesses}, in `bench-as4-processes.ts`).
 *
 * The bench is a backend as a real one would be: it learns of ACKNOWLEDGED from the sender's webhook (a subscription
 * to a loopback HTTP listener of its own, batched notifications), not by polling each message — polling would charge
 * the bench's own reads to the access points. A message whose notification does not come (webhooks are best effort)
 * is polled after a second, so a lost notification slows the run but never hangs it.
 * @see https://docs.oasis-open.org/ebxml-msg/ebms/v3.0/profiles/AS4-profile/v1.0/os/AS4-profile-v1.0-os.html
 */
import { constants, generateKeyPairSync, privateDecrypt, publicEncrypt, randomBytes, sign } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
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

/** Two access points and how to reach them: an in-process federation's, or two node processes'. */
export interface As4Pair {
  fetch: typeof fetch;
  /** The sending node's origin. */
  sender: string;
  from: string;
  to: string;
  /** A participant each node hosts (the sender refuses an originalSender it does not host). */
  originalSender: string;
  finalRecipient: string;
}

/** The figures of one AS4 run. */
export interface As4Figures {
  messagesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  messages: number;
  /** Messages whose webhook notification did not come within a second (followed by polling instead). */
  polled: number;
  /** CPU time of this process per second of wall time during the window (2 = both cores of a 2-core machine). */
  cpuPerWallSecond: number;
  from: string;
  to: string;
}

const FINAL = new Set(['ACKNOWLEDGED', 'ACKNOWLEDGED_WITH_WARNING', 'SEND_FAILURE']);

/** The sending and receiving node of an in-process federation (DE → JP when both are there). */
export function as4PairOf(f: Federation): As4Pair {
  const countries = Object.keys(f.urls.nodes);
  const from = countries.includes('DE') ? 'DE' : (countries[0] as string);
  const to = countries.includes('JP') ? 'JP' : (countries.find((c) => c !== from) as string);
  const participant = (cc: string) => {
    const id = f.nodes.get(cc)?.metadata().participants[0]?.id;
    if (!id) throw new Error(`bench: node ${cc} hosts no participant`);
    return id;
  };
  return {
    fetch: f.fetch,
    sender: f.urls.nodes[from] as string,
    from,
    to,
    originalSender: participant(from),
    finalRecipient: participant(to),
  };
}

/**
 * A loopback listener for the sender's status webhooks: resolves the waiter of each message that reaches a final
 * status (a notification that comes before its waiter is kept for it). Takes single and batched notifications.
 */
async function webhookListener() {
  const done = new Map<string, { status: string; detail?: string | undefined }>();
  const waiters = new Map<string, (s: { status: string; detail?: string | undefined }) => void>();
  const settle = (c: { messageId?: unknown; direction?: unknown; status?: unknown; detail?: unknown }) => {
    if (typeof c.messageId !== 'string' || c.direction !== 'out' || typeof c.status !== 'string') return;
    if (!FINAL.has(c.status)) return;
    const v = { status: c.status, detail: typeof c.detail === 'string' ? c.detail : undefined };
    const w = waiters.get(c.messageId);
    if (w) {
      waiters.delete(c.messageId);
      w(v);
    } else done.set(c.messageId, v);
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { changes?: unknown[] };
        for (const c of Array.isArray(body.changes) ? body.changes : [body]) settle(c as never);
      } catch {
        /* not JSON: ignored */
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/as4-bench`;
  return {
    url,
    /** Resolves with the final status of `id`, from its notification or (after `pollAfterMs`) by polling. */
    wait(id: string, poll: () => Promise<MessageView>, pollAfterMs: number) {
      const early = done.get(id);
      if (early) {
        done.delete(id);
        return Promise.resolve({ ...early, polled: false });
      }
      return new Promise<{ status: string; detail?: string | undefined; polled: boolean }>((res, rej) => {
        let timer: NodeJS.Timeout | undefined;
        const finish = (v: { status: string; detail?: string | undefined }, polled: boolean) => {
          if (timer) clearTimeout(timer);
          waiters.delete(id);
          res({ ...v, polled });
        };
        waiters.set(id, (v) => finish(v, false));
        const t0 = performance.now();
        const tick = () => {
          timer = setTimeout(() => {
            poll().then((m) => {
              if (!waiters.has(id)) return;
              if (FINAL.has(m.status)) finish({ status: m.status, detail: m.lastError ?? undefined }, true);
              else if (performance.now() - t0 > 120_000) {
                waiters.delete(id);
                rej(new Error(`AS4 message still ${m.status} after 120 s`));
              } else tick();
            }, rej);
          }, pollAfterMs);
        };
        tick();
      });
    },
    close: () => new Promise<void>((res) => server.close(() => res())),
  };
}

/**
 * One AS4 run between `pair`'s two nodes: `concurrency` submitters for `windowMs` (after 5 warm-up messages), each
 * message followed to ACKNOWLEDGED through the sender's webhook.
 */
export async function benchAs4(
  target: Federation | As4Pair,
  opts: { windowMs: number; concurrency: number },
): Promise<As4Figures> {
  const pair = 'nodes' in target ? as4PairOf(target) : target;
  const { sender } = pair;
  const body = JSON.stringify({
    service: 'urn:kakehashi:service:evidence',
    action: 'ExecuteQueryRequest',
    originalSender: pair.originalSender,
    finalRecipient: pair.finalRecipient,
    payloads: [
      { mimeType: 'application/xml', content: Buffer.from(`<Bench>${'x'.repeat(2000)}</Bench>`).toString('base64') },
    ],
  });
  const hooks = await webhookListener();
  const sub = await pair.fetch(`${sender}/edelivery/webhooks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url: hooks.url, events: [...FINAL], batch: true }),
  });
  const subscription = (await sub.json()) as { id?: string };
  if (sub.status !== 201 || !subscription.id)
    throw new Error(`AS4 bench: webhook subscription answered ${sub.status}: ${JSON.stringify(subscription)}`);
  let polled = 0;
  const one = async (): Promise<number> => {
    const s = performance.now();
    const r = await pair.fetch(`${sender}/edelivery/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const v = (await r.json()) as MessageView;
    if (r.status !== 202) throw new Error(`AS4 submission answered ${r.status}: ${JSON.stringify(v)}`);
    const url = `${sender}/edelivery/messages/${encodeURIComponent(v.messageId)}?direction=out`;
    const end = await hooks.wait(v.messageId, async () => (await (await pair.fetch(url)).json()) as MessageView, 1000);
    if (end.polled) polled++;
    if (end.status === 'SEND_FAILURE') throw new Error(`AS4 message failed: ${end.detail}`);
    return performance.now() - s;
  };
  try {
    for (let i = 0; i < 5; i++) await one();
    polled = 0;
    const latencies: number[] = [];
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    await Promise.all(
      Array.from({ length: opts.concurrency }, async () => {
        while (performance.now() - t0 < opts.windowMs) latencies.push(await one());
      }),
    );
    const cpu = process.cpuUsage(cpu0);
    const elapsedMs = performance.now() - t0;
    return {
      messagesPerSecond: r3(latencies.length / (elapsedMs / 1000)),
      p50Ms: percentile(latencies, 0.5),
      p99Ms: percentile(latencies, 0.99),
      messages: latencies.length,
      polled,
      cpuPerWallSecond: r3((cpu.user + cpu.system) / 1000 / elapsedMs),
      from: pair.from,
      to: pair.to,
    };
  } finally {
    await pair.fetch(`${sender}/edelivery/webhooks/${subscription.id}`, { method: 'DELETE' }).catch(() => undefined);
    await hooks.close();
  }
}
