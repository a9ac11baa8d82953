import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Independent PKI verifiers for the conformance lane (openssl, xmlsec1, xmllint): never our code on both ends.
 * A missing tool skips loudly, and fails with KAKEHASHI_REQUIRE_TOOLS=1 (CI never skips).
 */
const tools = new Map<string, boolean>();
export function hasTool(name: 'openssl' | 'xmlsec1' | 'xmllint'): boolean {
  let ok = tools.get(name);
  if (ok === undefined) {
    ok = spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
    tools.set(name, ok);
    if (!ok && process.env.KAKEHASHI_REQUIRE_TOOLS === '1')
      throw new Error(`[kakehashi/pki] ${name} is required (KAKEHASHI_REQUIRE_TOOLS=1) but not installed`);
    if (!ok)
      console.warn(
        `\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n[kakehashi/pki] ${name} is NOT INSTALLED: the tests that check our signatures and trust fabric with it are SKIPPED.\nInstall openssl xmlsec1 libxml2-utils — CI must never skip these.\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n`,
      );
  }
  return ok;
}

/** Runs a tool; stdout and stderr together. */
export function run(cmd: string, args: string[], options: { cwd?: string } = {}): { status: number; output: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...(options.cwd ? { cwd: options.cwd } : {}) });
  return { status: r.status ?? -1, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** Writes files into a fresh temporary directory; returns the directory and each file's path. */
export function tempFiles(files: Record<string, string | Uint8Array>): { dir: string; path: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), 'kakehashi-pki-'));
  const path: Record<string, string> = {};
  for (const [name, content] of Object.entries(files)) {
    path[name] = join(dir, name);
    writeFileSync(path[name], content);
  }
  return { dir, path };
}

/** PEM of a base64 DER certificate. */
export const pemOf = (b64: string) =>
  `-----BEGIN CERTIFICATE-----\n${b64
    .replace(/\s+/g, '')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;

/** Every certificate of an XML document (trusted list, XAdES KeyInfo), as PEM. */
export const certificatesOf = (xml: string): string[] =>
  [...xml.matchAll(/<(?:\w+:)?X509Certificate>([^<]+)<\/(?:\w+:)?X509Certificate>/g)].map((m) => pemOf(m[1] as string));

/** The self-signed CA certificates among `pems` (the roots a trusted list publishes). */
export const rootsOf = (pems: string[]): string[] =>
  pems.filter((p) => {
    const c = new X509Certificate(p);
    return c.ca && c.subject === c.issuer;
  });

/** Seconds since the epoch, as openssl's -attime wants them. */
export const epoch = (ms: number) => String(Math.floor(ms / 1000));
