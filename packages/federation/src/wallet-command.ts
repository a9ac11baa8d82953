import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger, LayeredConfig } from '@kakehashi/core';
import { HolderWallet, pickPersonaLogin, SETAGAYA_PATH, trustThroughNode, type WalletState } from '@kakehashi/wallet';
import { createFederation } from './create-federation.ts';
import { FEDERATION_OPTIONS } from './options.ts';
import { SCENARIOS } from './scenarios.ts';

const USAGE = `usage:
  kakehashi wallet receive --country CC --persona ID [--format dc+sd-jwt|mso_mdoc] [--flow pre-authorized_code|authorization_code] [--json] [--hub URL] [--wallet-dir D]
  kakehashi wallet present --verifier CC --persona ID [--format dc+sd-jwt|mso_mdoc] [--json] [--hub URL] [--wallet-dir D]

A headless EUDI wallet per persona (TEST ONLY: its device key is kept in a file, <wallet-dir>/<persona>.json,
default .kakehashi/wallets). receive runs the OpenID4VCI pre-authorised flow at the country's PID provider and
prints { "credential": … }; present answers the verifier's OpenID4VP request (DCQL, direct_post), receiving the
persona's PID first when the wallet holds none of the format, and prints the verifier's verdict (exit 0 only when
valid). --format (default dc+sd-jwt) is the PID's format: mso_mdoc receives the ISO mdoc, and presents it to a
verifier asking for mso_mdoc (a DeviceResponse over the OpenID4VP SessionTranscript). The request is signed (x509_hash) and the answer
encrypted (direct_post.jwt); the wallet judges the verifier's certificate by its home node's trusted lists.
--flow authorization_code logs the persona in at the node's own eID (PAR, PKCE S256, the persona picker's form
posted headlessly) instead of the pre-authorised code (the default). --country JP receives Setagaya City's
certificate of residence (dc+sd-jwt, vct urn:kakehashi:jp:setagaya:residence:1) for a resident of Setagaya
(either flow: its authorization code flow logs the resident in at Japan's eID).
With --hub URL it talks to the federation running there; otherwise it starts one in process for the command.`;

/** The query `present --format mso_mdoc` has the verifier ask: the PID mdoc's names and birth date (DCQL §6). */
const PID_NS = 'eu.europa.ec.eudi.pid.1';
const PID_MDOC_QUERY = {
  credentials: [
    {
      id: 'pid-mdoc',
      format: 'mso_mdoc',
      meta: { doctype_value: PID_NS },
      claims: [{ path: [PID_NS, 'family_name'] }, { path: [PID_NS, 'given_name'] }, { path: [PID_NS, 'birth_date'] }],
    },
  ],
};

/** Where the command reaches the federation: its node origins, a fetch, the virtual clock, and a way out. */
interface Target {
  nodes: Record<string, string>;
  fetch: typeof fetch;
  clock: { now(): Date };
  close(): Promise<void>;
}

/** `kakehashi wallet receive|present`: the headless holder of @kakehashi/wallet from the command line. */
export async function runWalletCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      country: { type: 'string' },
      verifier: { type: 'string' },
      persona: { type: 'string' },
      format: { type: 'string', default: 'dc+sd-jwt' },
      flow: { type: 'string', default: 'pre-authorized_code' },
      json: { type: 'boolean', default: false },
      hub: { type: 'string' },
      'wallet-dir': { type: 'string' },
      seed: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const sub = positionals[0];
  const persona = values.persona;
  if (values.help || (sub !== 'receive' && sub !== 'present') || !persona || !/^[a-z]{2}-\d{3,}$/.test(persona)) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const format = values.format;
  if (format !== 'dc+sd-jwt' && format !== 'mso_mdoc') {
    process.stderr.write(`--format ${format} is not offered (dc+sd-jwt or mso_mdoc)\n`);
    return 2;
  }
  const flow = values.flow;
  if (flow !== 'pre-authorized_code' && flow !== 'authorization_code') {
    process.stderr.write(`--flow ${flow} is not offered (pre-authorized_code or authorization_code)\n`);
    return 2;
  }
  const country = (sub === 'receive' ? values.country : persona.slice(0, 2))?.toUpperCase();
  const verifier = values.verifier?.toUpperCase();
  if (!country || (sub === 'present' && !verifier)) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const dir = values['wallet-dir'] ?? join('.kakehashi', 'wallets');
  const file = join(dir, `${persona}.json`);
  const target = values.hub ? await runningFederation(values.hub) : await inProcessFederation(values.seed);
  try {
    const node = (cc: string) => {
      const url = target.nodes[cc];
      if (!url) throw new Error(`no node ${cc} in the federation (${Object.keys(target.nodes).join(', ')})`);
      return url;
    };
    // The wallet judges a verifier's access certificate by its home node's view of the trusted lists.
    const opts = {
      fetch: target.fetch,
      clock: target.clock,
      trustVerifier: trustThroughNode(node(persona.slice(0, 2).toUpperCase()), target.fetch),
      // Japan's Setagaya issuer asks for no wallet-unit attestation (and Japan's node has no wallet provider).
      ...(country === 'JP' ? { walletProvider: false as const } : {}),
    };
    let wallet: HolderWallet;
    try {
      wallet = HolderWallet.restore(JSON.parse(readFileSync(file, 'utf8')) as WalletState, opts);
    } catch {
      wallet = new HolderWallet(opts);
    }
    const receive = async (cc: string) => {
      // Japan issues no PID: Setagaya City's certificate of residence (an attestation of attributes) instead.
      const res = await target.fetch(`${node(cc)}${cc === 'JP' ? SETAGAYA_PATH : '/wallet/issuer'}/offers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        // The authorization code flow's offer names no persona: whoever logs in at the picker gets their PID.
        body: JSON.stringify(flow === 'authorization_code' ? { grant: flow } : { personaId: persona }),
      });
      const body = (await res.json()) as { credential_offer_url?: string; detail?: string };
      if (!res.ok || !body.credential_offer_url)
        throw new Error(`the PID provider of ${cc} refused: ${body.detail ?? res.status}`);
      return wallet.receive(body.credential_offer_url, {
        format,
        ...(flow === 'authorization_code' ? { login: pickPersonaLogin(target.fetch, persona) } : {}),
      });
    };
    const save = () => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(file, `${JSON.stringify(wallet.exportState(), null, 2)}\n`, { mode: 0o600 });
    };
    if (sub === 'receive') {
      const held = await receive(country);
      save();
      process.stdout.write(
        values.json
          ? `${JSON.stringify({ credential: held.credential, format: held.format, vct: held.vct, issuer: held.credentialIssuer })}\n`
          : `Received a PID (${held.format}, ${held.vct}) from ${held.credentialIssuer}; wallet ${file}\n`,
      );
      return 0;
    }
    if (!wallet.credentials.some((c) => c.format === format)) await receive(country);
    save();
    // HAIP's way: a request object signed under x509_hash, the answer encrypted (direct_post.jwt).
    const res = await target.fetch(`${node(verifier as string)}/wallet/verifier/requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        signed: true,
        response_mode: 'direct_post.jwt',
        ...(format === 'mso_mdoc' ? { dcql_query: PID_MDOC_QUERY } : {}),
      }),
    });
    const req = (await res.json()) as { transaction_id: string; request_url: string };
    const answer = await wallet.present(req.request_url);
    const t = await target.fetch(`${node(verifier as string)}/wallet/verifier/transactions/${req.transaction_id}`);
    const { verdict } = (await t.json()) as {
      verdict?: { valid: boolean; failure?: { rule: string; reason: string } };
    };
    if (!verdict) {
      process.stderr.write(
        `the verifier did not judge the presentation (${answer.status}: ${JSON.stringify(answer.body)})\n`,
      );
      return 1;
    }
    process.stdout.write(
      values.json
        ? `${JSON.stringify(verdict)}\n`
        : verdict.valid
          ? `VALID at the verifier of ${verifier}\n`
          : `REFUSED by the verifier of ${verifier}: ${verdict.failure?.rule} ${verdict.failure?.reason}\n`,
    );
    return verdict.valid ? 0 : 1;
  } finally {
    await target.close();
  }
}

/** The federation running at `hubUrl` (its nodes from the registry; the virtual clock from the hub). */
async function runningFederation(hubUrl: string): Promise<Target> {
  const hub = new URL(hubUrl).origin;
  const res = await fetch(`${hub}/registry/nodes`);
  if (!res.ok) throw new Error(`GET ${hub}/registry/nodes answered ${res.status}: is a Kakehashi hub running there?`);
  const { nodes } = (await res.json()) as { nodes: { country: string; metadata: { url: string } }[] };
  const token = process.env.KAKEHASHI_ADMIN_TOKEN ?? 'kakehashi-admin-test-only';
  const clock = await fetch(`${hub}/admin/clock`, { headers: { authorization: `Bearer ${token}` } });
  const offsetMs = clock.ok ? ((await clock.json()) as { offsetMs: number }).offsetMs : 0;
  return {
    nodes: Object.fromEntries(nodes.map((n) => [n.country, n.metadata.url])),
    fetch: (input, init) => fetch(input, init),
    clock: { now: () => new Date(Date.now() + offsetMs) },
    close: async () => {},
  };
}

/** A federation of its own, in process, on a temporary data directory (discarded when the command ends). */
async function inProcessFederation(seed: string | undefined): Promise<Target> {
  const tmp = mkdtempSync(join(tmpdir(), 'kakehashi-wallet-'));
  const config = new LayeredConfig(FEDERATION_OPTIONS, { env: process.env, cli: { seed, dataDir: tmp } });
  const f = await createFederation({
    config,
    mode: 'in-process',
    logger: createLogger({ level: 'warn' }),
    scenarios: SCENARIOS,
  });
  return {
    nodes: f.urls.nodes,
    fetch: f.fetch,
    clock: f.clock,
    close: async () => {
      await f.close();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}
