import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateTrustMaterial } from '../src/pki/generate-material.ts';
import type { CountrySpec, TrustMaterial } from '../src/pki/types.ts';

export const SEED = 'kakehashi-trust-test-seed';
export const HUB_URL = 'http://127.0.0.1:7000';
export const COUNTRIES: CountrySpec[] = [
  { code: 'DE', name: 'Germany', agencies: [{ id: 'bva', name: 'Bundesverwaltungsamt' }] },
  { code: 'JP', name: 'Japan', agencies: [{ id: 'mhlw', name: '厚生労働省' }], jpki: true },
];
/** Inside every certificate's validity (2025-01-01 … 2030-01-01). */
export const AT = new Date('2026-06-01T00:00:00Z');

/**
 * A cache shared by the test files, so that only the first one pays for key generation. Its directory is
 * keyed by the generator's source, so a change to the PKI code never meets a stale cache.
 */
const PKI_SOURCE = join(import.meta.dirname, '..', 'src', 'pki');
const SHARED_CACHE = join(
  tmpdir(),
  `kakehashi-trust-test-${createHash('sha256')
    .update(
      readdirSync(PKI_SOURCE)
        .sort()
        .map((f) => readFileSync(join(PKI_SOURCE, f), 'utf8'))
        .join('\0'),
    )
    .digest('hex')
    .slice(0, 12)}`,
);

export function material(): TrustMaterial {
  mkdirSync(SHARED_CACHE, { recursive: true });
  return generateTrustMaterial({ seed: SEED, countries: COUNTRIES, hubUrl: HUB_URL, cacheDir: SHARED_CACHE, now: AT });
}

export function tempDir(prefix = 'kakehashi-trust-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeFiles(dir: string, files: Record<string, string | Buffer>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    writeFileSync(path, content);
    out[name] = path;
  }
  return out;
}

const toolCache = new Map<string, boolean>();

/**
 * True when the external verifier is installed. When it is not, says so LOUDLY: CI installs libxml2-utils,
 * xmlsec1 and openssl, so a skip there is a configuration error.
 */
export function hasTool(name: 'openssl' | 'xmllint' | 'xmlsec1'): boolean {
  let ok = toolCache.get(name);
  if (ok === undefined) {
    ok = spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
    toolCache.set(name, ok);
    if (!ok && process.env.KAKEHASHI_REQUIRE_TOOLS === '1') {
      // .ci/run sets this: in CI a missing independent verifier is a failure, never a skip.
      throw new Error(`[kakehashi/trust] ${name} is required (KAKEHASHI_REQUIRE_TOOLS=1) but not installed`);
    }
    if (!ok) {
      console.warn(
        `\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n[kakehashi/trust] ${name} is NOT INSTALLED: the tests that check our output with it are SKIPPED.\nInstall it (apt-get install libxml2-utils xmlsec1 openssl) — CI must never skip these.\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n`,
      );
    }
  }
  return ok;
}

/** Runs a tool; returns exit status and combined output (never throws on a non-zero exit). */
export function run(cmd: string, args: string[], env: Record<string, string> = {}): { status: number; output: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status ?? -1, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

export function opensslText(certPem: string): string {
  return execFileSync('openssl', ['x509', '-noout', '-text'], { input: certPem, encoding: 'utf8' });
}
