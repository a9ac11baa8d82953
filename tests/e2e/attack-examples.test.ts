import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildAuthnRequest, DEMO_SP_ENTITY_ID } from '@kakehashi/eid';
import { type AttackReport, attackCases, runAttack } from '@kakehashi/federation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRelyingParty } from '../../examples/relying-party/src/app.ts';
import { createRelyingParty as createWeakRelyingParty } from '../../examples/relying-party-weak/src/app.ts';
import { createServiceProvider } from '../../examples/saml-sp/src/app.ts';
import { createServiceProvider as createWeakServiceProvider } from '../../examples/saml-sp-weak/src/app.ts';
import { startTestFederation, type TestFederation } from '../support/federation.ts';

/**
 * `kakehashi attack run --target oidc-rp | saml-sp` against the examples, in process: the apps are answered by
 * their Hono `fetch`, the federation by its in-process fetch. The correct relying party and service provider refuse
 * every forgery; the weakened copies accept exactly the cases their READMEs name.
 */
const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');
const SUBSTANTIAL = 'http://eidas.europa.eu/LoA/substantial';

/** The cases a weakened example's README says it fails: the list between its `attack-fails` markers. */
function namedFailures(example: string): string[] {
  const readme = readFileSync(join(EXAMPLES, example, 'README.md'), 'utf8');
  const block = /<!-- attack-fails -->([\s\S]*?)<!-- \/attack-fails -->/.exec(readme)?.[1] ?? '';
  return [...block.matchAll(/^- `([a-z0-9.-]+)`/gm)].map((m) => m[1] as string).sort();
}

const failedOf = (r: AttackReport) =>
  r.cases
    .filter((c) => c.status !== 'passed')
    .map((c) => c.id)
    .sort();
const explain = (r: AttackReport) =>
  [...r.baselines, ...r.cases].map((c) => `${c.status} ${c.id}: ${c.detail} | ${c.target.excerpt ?? ''}`).join('\n');

describe('attack runner against the examples', () => {
  let f: TestFederation;
  let node: string;
  let idpCert: string;
  let demoKey: { entityId: string; privateKeyPem: string };
  beforeAll(async () => {
    f = await startTestFederation({ countries: ['DE', 'JP'] });
    node = f.urls.nodes.DE as string;
    const md = await (await f.fetch(`${node}/saml/idp/metadata`)).text();
    idpCert = (/<md:KeyDescriptor use="signing">[\s\S]*?<ds:X509Certificate>([^<]+)</.exec(md)?.[1] ?? '').replace(
      /\s+/g,
      '',
    );
    demoKey = (await (await f.fetch(`${node}/saml/demo-sp/key`)).json()) as typeof demoKey;
  });
  afterAll(() => f?.dispose());

  /** The federation's fetch, with `origin` answered by `app` (the example under attack). */
  const routed =
    (origin: string, app: { fetch(r: Request): Response | Promise<Response> }): typeof fetch =>
    async (input, init) => {
      const request = new Request(input instanceof URL ? input.href : input, init);
      return new URL(request.url).origin === origin ? app.fetch(request) : f.fetch(request);
    };

  const oidc = (weak: boolean) => {
    const origin = weak ? 'http://127.0.0.1:3001' : 'http://127.0.0.1:3000';
    const options = {
      issuer: node,
      clientId: 'kakehashi-demo-rp',
      clientSecret: 'kakehashi-demo-secret',
      minimumLoa: SUBSTANTIAL,
      fetch: f.fetch,
    };
    const app = weak ? createWeakRelyingParty(options) : createRelyingParty(options);
    return runAttack({ kind: 'oidc-rp', url: `${origin}/login`, node, fetch: routed(origin, app) });
  };
  const saml = (weak: boolean) => {
    const origin = weak ? 'http://127.0.0.1:3003' : 'http://127.0.0.1:3002';
    const options = {
      idpSsoUrl: `${node}/saml/idp/sso`,
      idpEntityId: `${node}/saml/idp/metadata`,
      idpCert,
      entityId: demoKey.entityId,
      privateKeyPem: demoKey.privateKeyPem,
      minimumLoa: SUBSTANTIAL,
    };
    const app = weak ? createWeakServiceProvider(options) : createServiceProvider(options);
    return runAttack({ kind: 'saml-sp', url: `${origin}/login`, node, fetch: routed(origin, app) });
  };

  it('the openid-client relying party refuses every forged ID token', async () => {
    const r = await oidc(false);
    expect(r.cases.length, explain(r)).toBe(attackCases().filter((c) => c.kinds.includes('oidc-rp')).length);
    expect(r.cases.length).toBeGreaterThanOrEqual(14);
    // What was sent, decoded: the same forgery minted for the runner's own login.
    expect(r.cases.find((c) => c.id === 'id-token.alg-none')?.sent.summary).toMatch(/alg=none .*signature=absent/);
    expect(r.cases.find((c) => c.id === 'id-token.embedded-jwk')?.sent.summary).toContain('jwk=embedded');
    expect(failedOf(r), explain(r)).toEqual([]);
    expect(r.verdict).toBe('passed');
  });

  it('the weakened relying party accepts exactly the cases its README names', async () => {
    const r = await oidc(true);
    expect(
      r.baselines.map((b) => b.status),
      explain(r),
    ).toEqual(['passed']);
    expect(failedOf(r), explain(r)).toEqual(namedFailures('relying-party-weak'));
    expect(r.cases.filter((c) => c.status === 'failed').every((c) => c.target.outcome === 'accepted')).toBe(true);
    expect(r.verdict).toBe('failed');
  });

  it('the node-saml service provider with the eIDAS checks refuses every forged Response', async () => {
    const r = await saml(false);
    expect(r.cases.length, explain(r)).toBe(attackCases().filter((c) => c.kinds.includes('saml-sp')).length);
    expect(r.cases.length).toBeGreaterThanOrEqual(12);
    expect(failedOf(r), explain(r)).toEqual([]);
    expect(r.verdict).toBe('passed');
  });

  it('the weakened service provider accepts exactly the cases its README names', async () => {
    const r = await saml(true);
    expect(
      r.baselines.map((b) => b.status),
      explain(r),
    ).toEqual(['passed']);
    expect(failedOf(r), explain(r)).toEqual(namedFailures('saml-sp-weak'));
    expect(r.verdict).toBe('failed');
  });

  it('a target that never answers ends the case as an error (bounded time), and the run as inconclusive', async () => {
    const origin = 'http://127.0.0.1:3009';
    const hanging: typeof fetch = async (input, init) => {
      const request = new Request(input instanceof URL ? input.href : input, init);
      if (new URL(request.url).origin !== origin) return f.fetch(request);
      return new Promise<Response>((_, reject) => {
        const signal = init?.signal;
        signal?.addEventListener('abort', () => reject(signal.reason));
      });
    };
    const r = await runAttack({
      kind: 'oidc-rp',
      url: `${origin}/login`,
      node,
      only: ['J1'],
      caseTimeoutMs: 2_000,
      fetch: hanging,
    });
    expect(r.baselines.map((b) => b.status)).toEqual(['error']);
    expect(r.baselines[0]?.detail).toMatch(/timeout|aborted|longer than/i);
    expect(r.cases.map((c) => [c.id, c.status])).toEqual([['id-token.alg-none', 'skipped']]);
    expect(r.verdict).toBe('inconclusive');
  });

  it('saml-sp over the HTTP-POST binding: the SP page posts the AuthnRequest, the fault rides on the IdP URL', async () => {
    // A minimal SP that sends its AuthnRequest with an auto-submitting form and accepts whatever reaches its ACS:
    // the runner must reach the IdP through the form, and every forgery must arrive (and be "accepted").
    const origin = 'http://127.0.0.1:3010';
    const seen: string[] = [];
    const sp = {
      fetch: async (request: Request): Promise<Response> => {
        const url = new URL(request.url);
        if (url.pathname === '/login') {
          const { xml } = buildAuthnRequest({
            issuer: DEMO_SP_ENTITY_ID,
            destination: `${node}/saml/idp/sso`,
            acsUrl: `${origin}/acs`,
            requestedLoa: SUBSTANTIAL,
            nowMs: f.clock.nowMs(),
          });
          const b64 = Buffer.from(xml).toString('base64');
          return new Response(
            `<!doctype html><form method="post" action="${node}/saml/idp/sso"><input type="hidden" name="SAMLRequest" value="${b64}"><input type="hidden" name="RelayState" value="post-binding"></form>`,
            { headers: { 'content-type': 'text/html' } },
          );
        }
        if (url.pathname === '/acs' && request.method === 'POST') {
          const form = new URLSearchParams(await request.text());
          seen.push(form.get('RelayState') ?? '');
          return new Response('welcome', { status: 200 });
        }
        return new Response('not found', { status: 404 });
      },
    };
    const r = await runAttack({
      kind: 'saml-sp',
      url: `${origin}/login`,
      node,
      only: ['S10', 'S14'],
      fetch: routed(origin, sp),
    });
    expect(
      r.baselines.map((b) => b.status),
      explain(r),
    ).toEqual(['passed']);
    expect(r.cases.map((c) => [c.id, c.status])).toEqual([
      ['saml.unsigned-assertion', 'failed'],
      ['saml.wrong-destination', 'failed'],
      ['saml.tampered-assertion', 'failed'],
    ]);
    expect(seen).toEqual(['post-binding', 'post-binding', 'post-binding', 'post-binding']);
    expect(r.cases.find((c) => c.id === 'saml.wrong-destination')?.sent.artefact?.destination).not.toBe(
      `${origin}/acs`,
    );
  });
});
