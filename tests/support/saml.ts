import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAuthnRequest, DEMO_SP_ENTITY_ID, encodeRedirectRequest } from '@kakehashi/eid';
import type { TestFederation } from './federation.ts';

export const SCHEMAS = join(import.meta.dirname, '..', '..', '..', 'shared', 'schemas');
export const LOA_LOW = 'http://eidas.europa.eu/LoA/low' as const;
export const LOA_SUBSTANTIAL = 'http://eidas.europa.eu/LoA/substantial' as const;
export const LOA_HIGH = 'http://eidas.europa.eu/LoA/high' as const;
export const DEMO_ACS = 'http://127.0.0.1:53124/saml/acs';

const tools = new Map<string, boolean>();
/**
 * True when an independent verifier is installed; says so LOUDLY when not (CI installs them: a skip there is a
 * configuration error), and fails when KAKEHASHI_REQUIRE_TOOLS=1.
 */
export function hasTool(name: 'xmllint' | 'xmlsec1' | 'python3-onelogin'): boolean {
  let ok = tools.get(name);
  if (ok === undefined) {
    ok =
      name === 'python3-onelogin'
        ? spawnSync('/usr/bin/python3', ['-c', 'import onelogin.saml2.response']).status === 0
        : spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
    tools.set(name, ok);
    if (!ok && process.env.KAKEHASHI_REQUIRE_TOOLS === '1')
      throw new Error(`[kakehashi/saml] ${name} is required (KAKEHASHI_REQUIRE_TOOLS=1) but not installed`);
    if (!ok)
      console.warn(
        `\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n[kakehashi/saml] ${name} is NOT INSTALLED: the tests that check our SAML with it are SKIPPED.\nInstall libxml2-utils xmlsec1 python3-onelogin-saml2 — CI must never skip these.\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n`,
      );
  }
  return ok;
}

export function run(cmd: string, args: string[], input?: string): { status: number; output: string } {
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    input,
    env: { ...process.env, XML_CATALOG_FILES: join(SCHEMAS, 'catalog.xml') },
  });
  return { status: r.status ?? -1, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

export function tempFiles(files: Record<string, string>): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'kakehashi-saml-'));
  const out: Record<string, string> = {};
  for (const [n, c] of Object.entries(files)) {
    out[n] = join(dir, n);
    writeFileSync(out[n] as string, c);
  }
  return out;
}

/** xmllint against the eIDAS SAML schema driver; returns the failure lines ('' when valid). */
export function schemaErrors(xml: string): string {
  const f = tempFiles({ 'doc.xml': xml });
  const r = run('xmllint', ['--noout', '--nonet', '--schema', join(SCHEMAS, 'saml-eidas.xsd'), f['doc.xml'] as string]);
  return r.status === 0
    ? ''
    : r.output
        .split('\n')
        .filter((l) => !/parser warning|validates$/.test(l))
        .join('\n');
}

/** The SAMLResponse of an auto-submitting HTTP-POST form. */
export function formValue(html: string, name: 'SAMLResponse' | 'RelayState'): string | undefined {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  return m?.[1]
    ?.replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&apos;/g, "'");
}

/** A headless demo-SP login at a node: returns the Response XML (base64 too) and the request ID. */
export async function demoLogin(
  f: TestFederation,
  cc: string,
  opts: {
    persona?: string;
    loa?: string;
    acs?: string;
    attributes?: Parameters<typeof buildAuthnRequest>[0]['requestedAttributes'];
  } = {},
): Promise<{ id: string; b64: string; xml: string; html: string }> {
  const node = f.urls.nodes[cc] as string;
  const { id, xml } = buildAuthnRequest({
    issuer: DEMO_SP_ENTITY_ID,
    destination: `${node}/saml/idp/sso`,
    acsUrl: opts.acs ?? DEMO_ACS,
    requestedLoa: (opts.loa ?? LOA_LOW) as typeof LOA_LOW,
    nowMs: f.clock.nowMs(),
    ...(opts.attributes ? { requestedAttributes: opts.attributes } : {}),
  });
  const res = await f.fetch(
    encodeRedirectRequest(`${node}/saml/idp/sso`, xml, {
      relayState: 'state-1',
      extraParams: { kakehashi_persona: opts.persona ?? `${cc.toLowerCase()}-001` },
    }),
  );
  const html = await res.text();
  const b64 = formValue(html, 'SAMLResponse');
  if (res.status !== 200 || !b64) throw new Error(`login at ${cc} failed: ${res.status} ${html.slice(0, 300)}`);
  return { id, b64, xml: Buffer.from(b64, 'base64').toString('utf8'), html };
}
