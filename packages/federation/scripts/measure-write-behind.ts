/**
 * Measures what trace events and audit appends cost the request (issue 15, "written behind the request"):
 * the ID-token validation service in-process at the hub (file-backed stores, 8 in flight, RS256 and ES256),
 * and the raw rates of TraceStore.record and AuditLog.append on a file store, each with the CPU time per operation
 * (less at the mercy of other load on the machine than a rate). Not a test: prints one JSON line.
 *
 *   node packages/federation/scripts/measure-write-behind.ts [windowMs]
 */

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog, createLogger, LayeredConfig, openStore, type TraceEvent, VirtualClock } from '@kakehashi/core';
import { buildSigningKeys, deriveEidKeys } from '@kakehashi/eid';
import { SignJWT } from 'jose';
import { TraceStore } from '../../hub/src/traces/trace-store.ts';
import { createFederation } from '../src/create-federation.ts';
import { FEDERATION_OPTIONS } from '../src/options.ts';
import { loadTrustMaterial } from '../src/trust-material.ts';

const windowMs = Number(process.argv[2] ?? 3000);
const CONCURRENCY = 8;

/** CPU time (user + system, µs) of this process since `since`, per operation. */
function cpuMicrosPer(since: NodeJS.CpuUsage, ops: number): number {
  const d = process.cpuUsage(since);
  return Math.round((d.user + d.system) / ops);
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'kakehashi-wb-'));
  const out: Record<string, unknown> = { windowMs, concurrency: CONCURRENCY };
  try {
    // 1. Raw store rates (file store, WAL): what one trace event and one audit append cost.
    const store = openStore({ name: 'raw', dataDir: dir });
    const traces = new TraceStore(store);
    const ev = (i: number): TraceEvent => ({
      traceId: randomBytes(16).toString('hex'),
      spanId: randomBytes(8).toString('hex'),
      time: new Date().toISOString(),
      component: 'hub',
      operation: `POST /eid/validate/id-token ${i}`,
      direction: 'internal',
      artefact: { type: 'id_token', claims: { sub: 'x'.repeat(43), nonce: 'n'.repeat(22) } },
      verdict: { valid: true, checks: Array.from({ length: 17 }, (_, k) => ({ id: `c${k}`, passed: true })) },
    });
    const events = Array.from({ length: 20_000 }, (_, i) => ev(i));
    let t0 = performance.now();
    let cpu = process.cpuUsage();
    let n = 0;
    while (performance.now() - t0 < windowMs / 2 && n < events.length) traces.record(events[n++] as TraceEvent);
    traces.events('0'.repeat(32)); // a read: everything appended before it is written
    out.traceRecordPerSecond = Math.round(n / ((performance.now() - t0) / 1000));
    out.traceRecordCpuMicros = cpuMicrosPer(cpu, n);
    const audit = new AuditLog(store, new VirtualClock());
    t0 = performance.now();
    cpu = process.cpuUsage();
    n = 0;
    while (performance.now() - t0 < windowMs / 2)
      audit.append({ actor: 'bench', action: 'thing.done', outcome: 'success', details: { n: n++ } });
    const v = audit.verify();
    out.auditAppendPerSecond = Math.round(n / ((performance.now() - t0) / 1000));
    out.auditAppendCpuMicros = cpuMicrosPer(cpu, n);
    out.auditChainValid = v.valid && v.count === n;
    store.close();

    // 2. The ID-token validation service at the hub, in-process, stores on files.
    const config = new LayeredConfig(FEDERATION_OPTIONS, {
      cli: { dataDir: join(dir, 'fed') },
      env: { KAKEHASHI_HEALTH_INTERVAL_MS: '0' },
    });
    const f = await createFederation({ config, mode: 'in-process', logger: createLogger({ level: 'error' }) });
    try {
      const cc = Object.keys(f.urls.nodes).includes('EE') ? 'EE' : (Object.keys(f.urls.nodes)[0] as string);
      const issuer = f.urls.nodes[cc] as string;
      const loaded = await loadTrustMaterial({
        seed: config.get('seed'),
        countries: Object.keys(f.urls.nodes),
        cacheDir: join(dir, 'fed', 'trust'),
        hubUrl: f.urls.hub,
        logger: f.logger,
      });
      const keys = await buildSigningKeys(
        loaded.nodeCredentials(cc).signing,
        deriveEidKeys(config.get('seed'), cc).es256,
      );
      for (const key of keys) {
        const now = Math.floor(f.clock.nowMs() / 1000);
        const pool: { token: string; nonce: string }[] = [];
        for (let i = 0; i < 4000; i++) {
          const nonce = randomBytes(16).toString('base64url');
          pool.push({
            nonce,
            token: await new SignJWT({ sub: randomBytes(32).toString('base64url'), nonce, azp: 'kakehashi-demo-rp' })
              .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
              .setIssuer(issuer)
              .setAudience('kakehashi-demo-rp')
              .setIssuedAt(now)
              .setExpirationTime(now + 300)
              .sign(key.privateKey),
          });
        }
        const call = async (p: { token: string; nonce: string }) => {
          const res = await f.fetch(`${f.urls.hub}/eid/validate/id-token`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              token: p.token,
              expected: { issuer, audience: 'kakehashi-demo-rp', nonce: p.nonce },
            }),
          });
          const v = (await res.json()) as { valid: boolean; failure?: { rule: string } };
          if (!v.valid) throw new Error(`refused: ${v.failure?.rule}`);
        };
        let j = 0;
        for (let k = 0; k < 50; k++) await call(pool[j++]!);
        let done = 0;
        const start = performance.now();
        const cpu0 = process.cpuUsage();
        await Promise.all(
          Array.from({ length: CONCURRENCY }, async () => {
            while (j < pool.length && performance.now() - start < windowMs) {
              await call(pool[j++]!);
              done++;
            }
          }),
        );
        out[`idTokenService${key.alg}PerSecond`] = Math.round(done / ((performance.now() - start) / 1000));
        // CPU per validation (this process, both cores): less at the mercy of other load on the machine than a rate.
        out[`idTokenService${key.alg}CpuMicros`] = cpuMicrosPer(cpu0, done);
      }
      // Every validation is a hop the console can read.
      const hops = (await (await f.fetch(`${f.urls.hub}/traces?limit=500`)).json()) as { traces: unknown[] };
      out.tracesListed = hops.traces.length;
    } finally {
      await f.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

await main();
