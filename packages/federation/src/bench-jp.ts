/**
 * Japan's mediated queries for `kakehashi bench`: Setagaya City asks the National Tax Agency for a resident's
 * income through the Cooperation Network (JP node of the in-process federation, admin query API), `concurrency`
 * at a time, against the cryptographic ceiling of one query measured in the same run:
 *
 * - 2 RS256 signatures and 2 verifications: the signed requests requester → network and network → provider;
 * - 2 seals and 2 opens end to end (request to the provider, answer to the requester): an X25519 key pair and
 *   one Diffie–Hellman per seal, one Diffie–Hellman per open, AES-256-GCM each way;
 * - the custodian's work: the code index opened (AES-256-GCM) and 3 HMAC-SHA256 (the provider's code, the
 *   network's record subject, the key-versioned code check).
 */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  diffieHellman,
  generateKeyPairSync,
  randomBytes,
  sign,
  verify,
} from 'node:crypto';
import { percentile, rate } from './bench-measure.ts';
import { r3 } from './bench-report.ts';
import type { Federation } from './create-federation.ts';

/** The crypto of one mediated query (see the module comment), each primitive measured on its own. */
export async function jpQueryCryptoCeiling(windowMs: number): Promise<Record<string, number>> {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const data = randomBytes(1500);
  const sig = sign('sha256', data, rsa.privateKey);
  const signs = await rate(windowMs, () => sign('sha256', data, rsa.privateKey));
  const verifies = await rate(windowMs, () => verify('sha256', data, rsa.publicKey, sig));
  const peer = generateKeyPairSync('x25519');
  const keyPairs = await rate(windowMs, () => generateKeyPairSync('x25519'));
  const dhs = await rate(windowMs, () => diffieHellman({ privateKey: peer.privateKey, publicKey: peer.publicKey }));
  // A key object, as the fastest code holds its keys: node:crypto converts a Buffer key on every use (in Node 24 at
  // several times the cost of an HMAC), which would lower the ceiling.
  const key = createSecretKey(randomBytes(32));
  const plain = randomBytes(600);
  const aes = await rate(windowMs, () => {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', key, iv);
    const ct = Buffer.concat([c.update(plain), c.final()]);
    const d = createDecipheriv('aes-256-gcm', key, iv);
    d.setAuthTag(c.getAuthTag());
    return Buffer.concat([d.update(ct), d.final()]);
  });
  const hmacs = await rate(windowMs, () => createHmac('sha256', key).update(data.subarray(0, 64)).digest());
  // Seconds of crypto per query; aes is one encryption + one decryption (a seal and its open).
  const seconds = 2 / signs + 2 / verifies + 2 / keyPairs + 4 / dhs + 3 / aes + 3 / hmacs;
  return {
    rsa2048SignsPerSecond: Math.round(signs),
    rsa2048VerifiesPerSecond: Math.round(verifies),
    x25519KeyPairsPerSecond: Math.round(keyPairs),
    x25519DhPerSecond: Math.round(dhs),
    aesGcmRoundTripsPerSecond: Math.round(aes),
    hmacPerSecond: Math.round(hmacs),
    ceilingPerSecond: r3(1 / seconds),
  };
}

/** Mediated queries per second with `concurrency` in flight for `windowMs`, p50/p99. */
export async function benchJpQueries(
  f: Federation,
  opts: { windowMs: number; concurrency: number },
): Promise<{ queriesPerSecond: number; p50Ms: number; p99Ms: number; queries: number }> {
  const jp = f.urls.nodes.JP;
  if (!jp) throw new Error('bench: no JP node in the federation');
  const headers = { authorization: `Bearer ${f.config.get('adminToken')}`, 'content-type': 'application/json' };
  const subjects = (
    (await (await f.fetch(`${jp}/admin/jp/agencies/setagaya-city/subjects`, { headers })).json()) as {
      subjects: { internal_id: string }[];
    }
  ).subjects;
  if (subjects.length === 0) throw new Error('bench: Setagaya City has no subjects');
  let k = 0;
  const one = async () => {
    const s = subjects[k++ % subjects.length] as { internal_id: string };
    const t = performance.now();
    const r = await f.fetch(`${jp}/admin/jp/agencies/setagaya-city/queries`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        internalId: s.internal_id,
        procedure: 'child-allowance',
        provider: 'national-tax-agency',
        items: ['income'],
      }),
    });
    const body = (await r.json()) as { outcome?: string; refusal?: unknown };
    if (body.outcome !== 'provided') throw new Error(`JP query not provided: ${r.status} ${JSON.stringify(body)}`);
    return performance.now() - t;
  };
  for (let i = 0; i < 10; i++) await one();
  const latencies: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (performance.now() - t0 < opts.windowMs) latencies.push(await one());
    }),
  );
  return {
    queriesPerSecond: r3(latencies.length / ((performance.now() - t0) / 1000)),
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    queries: latencies.length,
  };
}
