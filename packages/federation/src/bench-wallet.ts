/**
 * EUDI wallet figures for `kakehashi bench` (issue 17): SD-JWT VC presentations validated per second against the raw
 * verify ceiling of one presentation, in the same run.
 *
 * The ceiling, honestly: validating one presentation needs two ECDSA P-256 (ES256) signature verifications every
 * time — the issuer's signature on the credential (W4) and the KB-JWT by the credential's cnf key (W9). The Token
 * Status List token (W15) is fetched for every presentation but verified once per token text and certificate (its
 * `sub` and `exp` are checked every time), and the certificate path of the issuer key (W2) is verified once per
 * certificate by the trust view, which keeps the result: after the first presentation neither costs a signature
 * check, so the ceiling counts neither (the path validation rate is reported beside, `pathValidationsPerSecond`).
 * The ceiling is the raw ES256 verify rate ÷ 2, node:crypto's fastest form (a bare KeyObject, the signature as
 * DER — the form the verifier uses), measured in alternating slices with the validations (`interleavedRates`).
 *
 * The presentation is validated as a function (`verifyPresentation`: every W rule, the DCQL query, the trust view of
 * the federation's material) with the status list served from memory as the issuer published it, so that the
 * issuer's signing of the list is not counted as the verifier's work — in the light response an in-process answer
 * is (`lightResponse`), as the federation's fetch hands the verifier the issuer's answer in process: a WHATWG
 * `Response` built for each fetch (~20 µs, a web stream) was the bench's own work, counted as the verifier's. Through the validation service
 * (`POST /wallet/validate/presentation`, in-process HTTP, 8 in flight) the issuer node signs the list for each fetch
 * in the same process: `serviceInProcessPerSecond` shows that whole path.
 */
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { lightResponse, openStore } from '@kakehashi/core';
import { createHubTrust } from '@kakehashi/hub';
import { expectedPresentationOf, HolderWallet, type VerifyContext, verifyPresentation } from '@kakehashi/wallet';
import { interleavedRates, load, rate } from './bench-measure.ts';
import type { Federation } from './create-federation.ts';
import type { LoadedMaterial } from './trust-material.ts';

const r3 = (x: number) => Math.round(x * 1000) / 1000;
/** The ES256 verifications every presentation needs (issuer signature, KB-JWT; the status list token's is kept). */
export const ES256_VERIFIES_PER_PRESENTATION = 2;
/** Untimed presentations validated before the rate is measured: the verifier at V8's steady state (see below). */
const VALIDATION_WARM_UP = 3000;

async function json<T>(res: Promise<Response>): Promise<T> {
  const r = await res;
  const text = await r.text();
  if (!r.ok) throw new Error(`${r.url} answered ${r.status}: ${text.slice(0, 200)}`);
  return JSON.parse(text) as T;
}

/** One round: a PID from one EU node presented to another's verifier, validated for `windowMs`. */
export async function benchWallet(
  f: Federation,
  loaded: LoadedMaterial,
  opts: { windowMs: number },
): Promise<Record<string, number>> {
  const eu = Object.keys(f.urls.nodes).filter((c) => c !== 'JP');
  const issuerCc = eu.includes('EE') ? 'EE' : (eu[0] as string);
  const verifierCc = eu.find((c) => c !== issuerCc) ?? issuerCc;
  const issuer = f.urls.nodes[issuerCc] as string;
  const verifier = f.urls.nodes[verifierCc] as string;
  if (!issuer) throw new Error('bench: the federation has no EU node with a PID provider');

  const personas = await json<{ id: string }[]>(f.fetch(`${issuer}/personas`));
  const wallet = new HolderWallet({ fetch: f.fetch, clock: f.clock });
  const offer = await json<{ credential_offer_url: string }>(
    f.fetch(`${issuer}/wallet/issuer/offers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ personaId: personas[0]?.id }),
    }),
  );
  await wallet.receive(offer.credential_offer_url);
  const req = await json<{
    request_url: string;
    authorization_request: { nonce: string; client_id: string; dcql_query: unknown };
  }>(
    f.fetch(`${verifier}/wallet/verifier/requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    }),
  );
  const { presentation } = await wallet.createPresentation(req.request_url);
  const expected = expectedPresentationOf(req.authorization_request);

  // The status list as the issuer published it, served from memory to the function.
  const payload = JSON.parse(
    Buffer.from((presentation.split('.')[1] as string).split('~')[0] as string, 'base64url').toString(),
  ) as { status?: { status_list?: { uri?: string } } };
  const listUri = payload.status?.status_list?.uri;
  if (!listUri) throw new Error('bench: the PID names no status list');
  const listToken = await (await f.fetch(listUri)).text();
  const trust = createHubTrust(loaded.material, {
    clock: f.clock,
    store: openStore({ name: 'bench-wallet' }),
    hubUrl: f.urls.hub,
    validityDays: () => 30,
  });
  const ctx: VerifyContext = {
    clock: f.clock,
    validateCertificate: trust.validateCertificate,
    resolveIssuer: async (iss) => (iss === issuer ? { country: issuerCc } : undefined),
    fetcher: async () => lightResponse(listToken, { headers: { 'content-type': 'application/statuslist+jwt' } }),
    skewSeconds: 60,
    kbMaxAgeSeconds: 300,
  };
  const check = await verifyPresentation(presentation, expected, ctx);
  if (!check.valid) throw new Error(`bench: the presentation is not valid: ${JSON.stringify(check.failure)}`);
  const validate = async () => {
    if (!(await verifyPresentation(presentation, expected, ctx)).valid) throw new Error('bench: validation failed');
  };

  // The raw ES256 verify (P-256, SHA-256), in alternating slices with the validations. The validation is measured
  // as a running verifier does it, after VALIDATION_WARM_UP untimed presentations: V8 optimises the verifier's
  // functions only after some thousands of calls (measured: the ratio 0.32–0.48 over the first ~3,000, 0.55–0.64
  // from there on, the raw verify, native code, the same throughout) — 20 calls measured the tiering up.
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const data = Buffer.from(presentation.slice(0, 600), 'ascii');
  const sig = sign('sha256', data, ec.privateKey);
  const r = await interleavedRates(opts.windowMs, {
    fn: { fn: validate, warmUp: VALIDATION_WARM_UP },
    raw: { fn: () => verify('sha256', data, ec.publicKey, sig), warmUp: 50 },
  });
  const fn = r.fn;
  const around = r.raw;
  const ceiling = around / ES256_VERIFIES_PER_PRESENTATION;

  const leaf = (
    JSON.parse(Buffer.from(presentation.split('.')[0] as string, 'base64url').toString()) as { x5c: string[] }
  ).x5c[0] as string;
  const leafPem = `-----BEGIN CERTIFICATE-----\n${leaf.match(/.{1,64}/g)?.join('\n')}\n-----END CERTIFICATE-----\n`;
  const path = await rate(Math.max(100, opts.windowMs / 4), () => {
    if (!trust.validateCertificate(leafPem, [], { at: f.clock.now(), usage: ['digitalSignature'] }).valid)
      throw new Error('bench: the issuer certificate does not validate');
  });
  const service = await load(opts.windowMs, 8, async () => {
    const res = await f.fetch(`${verifier}/wallet/validate/presentation`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        presentation,
        expected: {
          nonce: expected.nonce,
          client_id: expected.clientId,
          dcql_query: req.authorization_request.dcql_query,
        },
      }),
    });
    if (!((await res.json()) as { valid?: boolean }).valid) throw new Error('bench: the service refused');
  });
  return {
    presentationsPerSecondFunction: Math.round(fn),
    es256VerifiesPerSecondAround: Math.round(around),
    es256VerifiesPerPresentation: ES256_VERIFIES_PER_PRESENTATION,
    ceilingPresentationsPerSecond: Math.round(ceiling),
    functionToCeilingRatio: r3(fn / ceiling),
    functionToRawVerifyRatio: r3(fn / around),
    pathValidationsPerSecond: Math.round(path),
    serviceInProcessPerSecond: service.perSecond,
    serviceP50Ms: service.p50Ms,
  };
}
