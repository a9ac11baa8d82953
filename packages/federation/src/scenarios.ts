import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, FEDERATION_OPTIONS, LayeredConfig } from '@kakehashi/core';
import { createFederation, type Federation } from './create-federation.ts';

interface Step {
  title: string;
  run(f: Federation): Promise<string>;
}

async function getJson<T>(f: Federation, url: string, init?: RequestInit): Promise<T> {
  const res = await f.fetch(url, init);
  const body = (await res.json()) as T;
  if (!res.ok)
    throw new Error(`${init?.method ?? 'GET'} ${url} answered ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
  return body;
}

/** Scenarios: `kakehashi scenario run <name>` prints each step and exits 0 only when all pass. */
const SCENARIOS: Record<string, { description: string; steps: Step[] }> = {
  federation: {
    description: 'The federation in a box: trust fabric, registration, discovery and mutual certificate validation',
    steps: [
      {
        title: 'The hub publishes a signed list of trusted lists pointing at every national list',
        run: async (f) => {
          const res = await f.fetch(`${f.urls.hub}/trust/lotl.xml`);
          const xml = await res.text();
          const pointers = (xml.match(/<(?:\w+:)?TSLLocation>/g) ?? []).length;
          if (!res.ok || !xml.includes('Signature')) throw new Error('the LOTL is missing or unsigned');
          return `LOTL ${xml.length} bytes, signed, ${pointers} pointers to national lists`;
        },
      },
      {
        title: 'Every national node loaded the trust fabric and registered with signed metadata',
        run: async (f) => {
          const { nodes } = await getJson<{ nodes: { country: string }[] }>(f, `${f.urls.hub}/registry/nodes`);
          const missing = [...f.nodes.keys()].filter((cc) => !nodes.some((n) => n.country === cc));
          if (missing.length) throw new Error(`not registered: ${missing.join(', ')}`);
          return `registered: ${nodes.map((n) => n.country).join(', ')}`;
        },
      },
      {
        title:
          'Each node discovers its peers through the hub and validates their certificates against the trust fabric',
        run: async (f) => {
          const ccs = [...f.nodes.keys()];
          let checked = 0;
          for (const a of ccs) {
            for (const b of ccs) {
              if (a === b) continue;
              const v = await getJson<{ trusted: boolean; certificate: { failure?: { reason: string } } }>(
                f,
                `${f.urls.nodes[a]}/peers/${b}`,
              );
              if (!v.trusted)
                throw new Error(
                  `${a} does not trust ${b}: ${v.certificate.failure?.reason ?? 'signature or country mismatch'}`,
                );
              checked++;
            }
          }
          return `${checked} ordered pairs validated (chain, validity, key usage, CRL, signature, country)`;
        },
      },
      {
        title: 'Discovery resolves a participant to its access point and certificate',
        run: async (f) => {
          const { services } = await getJson<{ services: { country: string }[] }>(
            f,
            `${f.urls.hub}/discovery/services`,
          );
          const node = [...f.nodes.values()][0];
          const p = node?.metadata().participants[0];
          if (!p?.services[0]) throw new Error('no participant to resolve');
          const r = await getJson<{ country: string; endpoint: string }>(
            f,
            `${f.urls.hub}/discovery/participants/${encodeURIComponent(p.id)}?service=${encodeURIComponent(p.services[0])}`,
          );
          return `${services.length} services listed; ${p.id} → ${r.country} at ${r.endpoint}`;
        },
      },
      {
        title: 'The hub audit chain verifies',
        run: async (f) => {
          const v = await getJson<{ valid: boolean; count: number }>(f, `${f.urls.hub}/audit/verify`);
          if (!v.valid) throw new Error('audit chain broken');
          return `${v.count} entries, hash chain intact`;
        },
      },
    ],
  },
};

export function listScenarios(): string[] {
  return Object.keys(SCENARIOS);
}

export async function runScenario(name: string, base: LayeredConfig<typeof FEDERATION_OPTIONS>): Promise<number> {
  const scenario = SCENARIOS[name];
  if (!scenario) {
    process.stderr.write(`unknown scenario "${name}"; known: ${listScenarios().join(', ')}\n`);
    return 2;
  }
  const tmp = mkdtempSync(join(tmpdir(), 'kakehashi-scenario-'));
  const config = new LayeredConfig(FEDERATION_OPTIONS, {
    env: process.env,
    cli: { seed: base.get('seed'), dataDir: base.get('dataDir') === '.kakehashi' ? tmp : base.get('dataDir') },
  });
  const out = (s: string) => process.stdout.write(`${s}\n`);
  out(`Scenario ${name}: ${scenario.description}  (TEST ONLY, seed ${config.get('seed')})`);
  const f = await createFederation({ config, mode: 'in-process', logger: createLogger({ level: 'warn' }) });
  let failed = 0;
  try {
    for (const [i, step] of scenario.steps.entries()) {
      try {
        out(`  ${i + 1}. ✔ ${step.title}\n       ${await step.run(f)}`);
      } catch (e) {
        failed++;
        out(`  ${i + 1}. ✘ ${step.title}\n       ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  } finally {
    await f.close();
    rmSync(tmp, { recursive: true, force: true });
  }
  out(failed === 0 ? `PASSED: ${scenario.steps.length} steps` : `FAILED: ${failed} of ${scenario.steps.length} steps`);
  return failed === 0 ? 0 : 1;
}
