import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type CountrySpec, generateTrustMaterial, type TrustMaterial } from '@kakehashi/trust';

export const SEED = 'kakehashi-edelivery-test';
export const HUB_URL = 'http://127.0.0.1:7000';
export const COUNTRIES: CountrySpec[] = [
  { code: 'DE', name: 'Germany', agencies: [{ id: 'bzst', name: 'Bundeszentralamt für Steuern' }] },
  { code: 'JP', name: 'Japan', agencies: [{ id: 'nta', name: '国税庁' }] },
  { code: 'FR', name: 'France', agencies: [{ id: 'dgfip', name: 'DGFiP' }] },
];
/** Inside every certificate's validity. */
export const AT = new Date('2026-06-01T00:00:00Z');
export const SCHEMAS = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'schemas');
const CACHE = join(import.meta.dirname, '..', '..', '..', 'node_modules', '.cache', 'kakehashi-edelivery-test');

let cached: TrustMaterial | undefined;
/** Test PKI for DE, JP and FR (cached on disk: generation is the slow part). */
export function material(): TrustMaterial {
  if (!cached) {
    mkdirSync(CACHE, { recursive: true });
    cached = generateTrustMaterial({ seed: SEED, countries: COUNTRIES, hubUrl: HUB_URL, cacheDir: CACHE, now: AT });
  }
  return cached;
}

const tools = new Map<string, boolean>();
/**
 * True when an independent verifier is installed; says so LOUDLY when it is not, and fails instead when
 * KAKEHASHI_REQUIRE_TOOLS=1 (CI must never skip these).
 */
export function hasTool(name: 'openssl' | 'xmllint' | 'xmlsec1'): boolean {
  let ok = tools.get(name);
  if (ok === undefined) {
    ok = spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
    tools.set(name, ok);
    if (!ok && process.env.KAKEHASHI_REQUIRE_TOOLS === '1')
      throw new Error(`[kakehashi/edelivery] ${name} is required (KAKEHASHI_REQUIRE_TOOLS=1) but not installed`);
    if (!ok)
      console.warn(
        `\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n[kakehashi/edelivery] ${name} is NOT INSTALLED: the tests that check our output with it are SKIPPED.\nInstall it (apt-get install libxml2-utils xmlsec1 openssl) — CI must never skip these.\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n`,
      );
  }
  return ok;
}

export function run(cmd: string, args: string[], env: Record<string, string> = {}, input?: string | Buffer) {
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    ...(input !== undefined ? { input } : {}),
  });
  return { status: r.status ?? -1, output: `${r.stdout ?? ''}${r.stderr ?? ''}`, stdout: r.stdout ?? '' };
}
