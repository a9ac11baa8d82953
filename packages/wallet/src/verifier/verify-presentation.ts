import { type KeyObject, X509Certificate } from 'node:crypto';
import { type FaultSwitchboard, x5cToPem } from '@kakehashi/core';
import type { DcqlQuery } from 'dcql';
import { sha256b64url } from '../crypto/oid4vc-callbacks.ts';
import { b64urlJson, holderKey, jwsHeader, verifyEs256 } from '../crypto/verify-es256.ts';
import { PID_VCT } from '../issuer/pid-claims.ts';
import type { WalletDeps } from '../wallet-deps.ts';
import { checkStatus } from './check-status.ts';
import type { LenientWalletFault } from './faults.ts';
import { createCheckRecorder, type PresentationRuleId, type PresentationVerdict } from './rules.ts';
import { satisfiesDcql } from './satisfies-dcql.ts';
import { own, type ParsedDisclosure, unpackClaims } from './unpack-claims.ts';

/** What the verifier expects of one presentation (from its request). */
export interface ExpectedPresentation {
  nonce: string;
  /** The verifier's full client_id (with its prefix): the KB-JWT's aud (OpenID4VP §14.8, B.3.6). */
  clientId: string;
  /** The DCQL query and the id of the credential query this presentation answers. */
  dcql?: { query: DcqlQuery; credentialQueryId: string } | undefined;
  /** Accepted vct values; default: the query's vct_values, else urn:eudi:pid:1. */
  vctValues?: string[] | undefined;
}

/** What the verification reads from the node. */
export type VerifyContext = Pick<WalletDeps, 'clock' | 'validateCertificate' | 'resolveIssuer'> & {
  fetcher: typeof fetch;
  /** Tolerance for clock differences (seconds). */
  skewSeconds: number;
  /** The oldest key binding accepted (seconds). */
  kbMaxAgeSeconds: number;
  /** The node's fault switches: a `lenient.wallet.*` fault that is on lets its defect through (the weak node). */
  faults?: Pick<FaultSwitchboard, 'fire'> | undefined;
};

/** Claims an issuer may never make selectively disclosable (SD-JWT VC §3.2.2.2, RFC 9901 §4.2). */
const NEVER_DISCLOSED = new Set(['iss', 'nbf', 'exp', 'cnf', 'vct', 'status', '_sd', '_sd_alg', '...']);
/** The members of the claims that say what the credential is, not who: left out of the disclosed claims. */
const NOT_CLAIMS = new Set(['iss', 'iat', 'nbf', 'exp', 'vct', 'cnf', 'status']);

const b64json = b64urlJson;

/** A leaf certificate of an `x5c` header as the verifier reads it: its PEM, parsed form and public key. */
interface Leaf {
  pem: string;
  cert: X509Certificate;
  key: KeyObject;
}
/** Parsed leaves and PEMs by their `x5c` entry (each emptied when it holds this many: a flood costs what it did). */
const LEAVES_MAX = 64;
const LEAVES = new Map<string, Leaf>();
const PEMS = new Map<unknown, string | undefined>();

/** An `x5c` entry as PEM (`x5cToPem`), once per entry: an issuer's chain is the same in every credential. */
function pemOf(c: unknown): string | undefined {
  let pem = PEMS.get(c);
  if (pem === undefined && !PEMS.has(c)) {
    pem = x5cToPem(c);
    if (typeof c === 'string') {
      if (PEMS.size >= LEAVES_MAX) PEMS.clear();
      PEMS.set(c, pem);
    }
  }
  return pem;
}

/**
 * The leaf of an `x5c` header parsed once per certificate (base64 DER): an issuer signs every credential with the
 * same few certificates. Only the parsing is kept: the path is validated against the trust view for every
 * presentation (W2). Undefined when the entry is no certificate.
 */
function leafOf(x5c0: unknown): Leaf | undefined {
  if (typeof x5c0 !== 'string') return undefined;
  let leaf = LEAVES.get(x5c0);
  if (!leaf) {
    const pem = pemOf(x5c0);
    if (!pem) return undefined;
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(pem);
    } catch {
      return undefined;
    }
    leaf = { pem, cert, key: cert.publicKey };
    if (LEAVES.size >= LEAVES_MAX) LEAVES.clear();
    LEAVES.set(x5c0, leaf);
  }
  return leaf;
}

/** The digests a credential refers to, each once, and whether one was referred to twice (RFC 9901 §7.1 step 4). */
interface Referenced {
  digests: Set<string>;
  repeated: boolean;
}

function refer(to: Referenced, digest: string): void {
  if (to.digests.has(digest)) to.repeated = true;
  else to.digests.add(digest);
}

/** Every digest the payload (or a disclosed value) refers to: `_sd` entries and array `{"...": d}` elements. */
function collectDigests(value: unknown, out: Referenced): void {
  if (Array.isArray(value)) {
    for (const v of value) {
      if (
        v &&
        typeof v === 'object' &&
        !Array.isArray(v) &&
        Object.keys(v).length === 1 &&
        typeof (v as Record<string, unknown>)['...'] === 'string'
      )
        refer(out, (v as Record<string, string>)['...'] as string);
      else collectDigests(v, out);
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '_sd' && Array.isArray(v)) {
        for (const d of v) if (typeof d === 'string') refer(out, d);
      } else collectDigests(v, out);
    }
  }
}

/**
 * Validates one SD-JWT VC presentation, every rule named (W1–W15), the first failure stopping the run. What
 * @sd-jwt/sd-jwt-vc 0.19 lets through is checked here (shared/design eudi-wallet.md §9): foreign and duplicate
 * disclosures, the KB-JWT's aud and age, a KB-JWT that is only checked when a nonce is passed; the claims are put
 * together from the disclosures decoded and hashed once (`unpackClaims`, as that library's `getClaims` does). The
 * issuer key comes only from `x5c`, validated by the node's trust view; each part is parsed once and each signature
 * verified by node:crypto in line (`verifyEs256`).
 * @see https://www.rfc-editor.org/rfc/rfc9901#section-7 (verification)
 * @see https://openid.net/specs/openid-4-verifiable-presentations-1_0-final.html#appendix-B.3.6
 */
export async function verifyPresentation(
  presentation: string,
  expected: ExpectedPresentation,
  ctx: VerifyContext,
): Promise<PresentationVerdict> {
  const rec = createCheckRecorder();
  const done = (extra: Partial<PresentationVerdict> = {}): PresentationVerdict => {
    const checks = rec.finish();
    const failed = checks.find((c) => c.outcome === 'failed');
    return failed
      ? { valid: false, checks, failure: { rule: failed.rule, code: failed.code as never, reason: failed.reason } }
      : { valid: true, checks, ...extra };
  };
  const now = ctx.clock.now();
  const nowS = Math.floor(now.getTime() / 1000);
  /** Fails the rule, unless the weak node's fault lets the defect through (then true: go on). */
  const letThrough = (id: PresentationRuleId, fault: LenientWalletFault, reason: string): boolean => {
    if (ctx.faults?.fire(fault, undefined, { check: id })) {
      rec.letThrough(id, fault, reason);
      return true;
    }
    rec.fail(id, reason);
    return false;
  };

  // W1 structure
  const parts = presentation.split('~');
  if (parts.length < 2) {
    rec.fail('structure', 'Not an SD-JWT: no "~" separator (RFC 9901 §4).');
    return done();
  }
  const issuerJwt = parts[0] as string;
  const kbJwt = parts[parts.length - 1] as string;
  const disclosures = parts.slice(1, -1);
  let header: Readonly<Record<string, unknown>>;
  let payload: Record<string, unknown>;
  try {
    header = jwsHeader(issuerJwt);
    payload = b64json(issuerJwt.split('.')[1] ?? '') as Record<string, unknown>;
    if (!payload || typeof payload !== 'object' || Array.isArray(payload)) throw new Error('payload');
  } catch {
    rec.fail('structure', 'The issuer-signed JWT cannot be decoded.');
    return done();
  }
  const x5c = Array.isArray(header.x5c) ? (header.x5c as unknown[]) : [];
  const pems = x5c.map(pemOf);
  if (header.typ !== 'dc+sd-jwt' && header.typ !== 'vc+sd-jwt') {
    rec.fail('structure', `typ is ${JSON.stringify(header.typ)}, not dc+sd-jwt (SD-JWT VC §3.2.1).`);
    return done();
  }
  if (header.alg !== 'ES256') {
    rec.fail('structure', `alg ${JSON.stringify(header.alg)} is not accepted (ES256, HAIP §7).`);
    return done();
  }
  if (pems.length === 0 || pems.some((p) => p === undefined)) {
    rec.fail('structure', 'The issuer key must come from an x5c header (SD-JWT VC key discovery; HAIP §6.1.1).');
    return done();
  }
  if (payload._sd_alg !== undefined && payload._sd_alg !== 'sha-256') {
    rec.fail('structure', `_sd_alg ${JSON.stringify(payload._sd_alg)} is not accepted (sha-256).`);
    return done();
  }
  rec.pass('structure', `dc+sd-jwt, ES256, ${disclosures.length} disclosure(s), x5c of ${pems.length}.`);

  // W2 chain through the trusted lists
  const [leafPem, ...chainPems] = pems as string[];
  const parsedLeaf = leafOf(x5c[0]);
  if (!parsedLeaf) {
    rec.fail('chain', 'The x5c leaf is not a certificate.');
    return done();
  }
  const leaf = parsedLeaf.cert;
  // An attestation of attributes other than the PID is anchored in its issuer's trusted list, not the PID-provider list.
  const cert = ctx.validateCertificate(leafPem as string, chainPems, {
    at: now,
    usage: ['digitalSignature'],
    credentialType: payload.vct === PID_VCT ? 'pid' : 'attestation',
  });
  let certCountry = cert.country;
  if (!cert.valid) {
    const why = `The issuer's certificate "${leaf.subject.split('\n').pop()}" does not validate against the trusted lists: ${cert.failure?.reason ?? 'refused'}`;
    if (!letThrough('chain', 'lenient.wallet.untrusted-issuer', why)) return done();
    certCountry = /^C=(.+)$/m.exec(leaf.subject)?.[1];
  } else
    rec.pass(
      'chain',
      `Issuer certificate validated against the trusted list of ${cert.country ?? '?'} (anchor ${cert.anchor ?? '?'}).`,
    );

  // W3 issuer binding
  const iss = typeof payload.iss === 'string' ? payload.iss : '';
  const registered = iss ? await ctx.resolveIssuer(iss, ctx.fetcher) : undefined;
  if (!registered || registered.country !== certCountry) {
    rec.fail(
      'issuer',
      registered
        ? `iss ${iss} is node ${registered.country}, but the certificate is of ${certCountry}.`
        : `iss ${JSON.stringify(iss).slice(0, 80)} is not a registered node.`,
    );
    return done();
  }
  rec.pass('issuer', `iss ${iss} is the node of ${registered.country}.`);

  // W4 issuer signature
  if (await verifyEs256(issuerJwt, parsedLeaf.key))
    rec.pass('signature', 'ES256 signature verified with the x5c leaf key.');
  else {
    rec.fail('signature', "The issuer's signature does not verify with the x5c leaf key.");
    return done();
  }

  // W5 validity
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const exp = num(payload.exp);
  const nbf = num(payload.nbf);
  const issued = num(payload.iat);
  if (issued !== undefined && issued - ctx.skewSeconds > nowS) {
    rec.fail('validity', `iat ${new Date(issued * 1000).toISOString()} is in the future; it is ${now.toISOString()}.`);
    return done();
  }
  if (exp === undefined || exp + ctx.skewSeconds < nowS || (nbf !== undefined && nbf - ctx.skewSeconds > nowS)) {
    rec.fail(
      'validity',
      exp === undefined
        ? 'exp is missing.'
        : `Valid ${nbf ? new Date(nbf * 1000).toISOString() : '?'} – ${new Date(exp * 1000).toISOString()}; it is ${now.toISOString()}.`,
    );
    return done();
  }
  rec.pass('validity', `Valid until ${new Date(exp * 1000).toISOString()}.`);

  // W6 vct
  const vcts = expected.vctValues ?? ['urn:eudi:pid:1'];
  if (typeof payload.vct !== 'string' || !vcts.includes(payload.vct)) {
    rec.fail('vct', `vct ${JSON.stringify(payload.vct)} is not one of ${vcts.join(', ')}.`);
    return done();
  }
  rec.pass('vct', `vct ${payload.vct}.`);

  // W7 disclosures: well formed, never a reserved name, presented once, each reached from the signed payload
  // through digests (a nested disclosure may come before its parent: digests are followed to a fixed point)
  const referenced: Referenced = { digests: new Set(), repeated: false };
  collectDigests(payload, referenced);
  const parsed: { digest: string; name: unknown; value: unknown }[] = [];
  const seen = new Set<string>();
  let disclosuresLetThrough = false;
  const defective = (defect: string) => {
    if (disclosuresLetThrough || !letThrough('disclosures', 'lenient.wallet.disclosures', defect)) return true;
    disclosuresLetThrough = true;
    return false;
  };
  for (const d of disclosures) {
    let arr: unknown;
    try {
      arr = b64json(d);
    } catch {
      arr = undefined;
    }
    const name = Array.isArray(arr) && arr.length === 3 ? arr[1] : undefined;
    if (
      !Array.isArray(arr) ||
      (arr.length !== 3 && arr.length !== 2) ||
      typeof arr[0] !== 'string' ||
      (arr.length === 3 && typeof name !== 'string')
    ) {
      rec.fail('disclosures', 'A disclosure is not a JSON array [salt, name, value] or [salt, value] (RFC 9901 §4.2).');
      return done();
    }
    if (typeof name === 'string' && NEVER_DISCLOSED.has(name)) {
      rec.fail('disclosures', `A disclosure names "${name}", which is never selectively disclosable.`);
      return done();
    }
    const digest = sha256b64url(d);
    if (seen.has(digest)) {
      if (defective('A disclosure is presented twice (RFC 9901 §7.1 step 4).')) return done();
      continue;
    }
    seen.add(digest);
    parsed.push({ digest, name, value: arr[arr.length - 1] });
  }
  const reached = new Set<string>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of parsed) {
      if (reached.has(p.digest) || !referenced.digests.has(p.digest)) continue;
      reached.add(p.digest);
      collectDigests(p.value, referenced);
      grew = true;
    }
  }
  for (const p of parsed.filter((x) => !reached.has(x.digest))) {
    const what = typeof p.name === 'string' ? ` of "${p.name}"` : '';
    if (
      defective(
        `The disclosure${what} is referenced by no digest of the credential: added or tampered (RFC 9901 §7.1 step 5).`,
      )
    )
      return done();
  }
  if (referenced.repeated) {
    rec.fail('disclosures', 'The credential repeats a digest (RFC 9901 §4, §7.1 step 4).');
    return done();
  }
  if (!disclosuresLetThrough) rec.pass('disclosures', `${disclosures.length} disclosure(s), each referenced once.`);

  // W8–W13 key binding
  if (!kbJwt) {
    rec.fail(
      'kb-present',
      'No key binding JWT: the credential is bound (cnf), so the holder must prove the key (RFC 9901 §7.3).',
    );
    return done();
  }
  let kbHeader: Readonly<Record<string, unknown>>;
  let kbPayload: Record<string, unknown>;
  try {
    kbHeader = jwsHeader(kbJwt);
    kbPayload = b64json(kbJwt.split('.')[1] ?? '') as Record<string, unknown>;
  } catch {
    rec.fail('kb-present', 'The key binding JWT cannot be decoded.');
    return done();
  }
  if (kbHeader.typ !== 'kb+jwt') {
    rec.fail('kb-present', `The last part has typ ${JSON.stringify(kbHeader.typ)}, not kb+jwt.`);
    return done();
  }
  rec.pass('kb-present', 'kb+jwt present.');
  const cnfJwk = (payload.cnf as { jwk?: unknown } | undefined)?.jwk;
  try {
    if (!cnfJwk || kbHeader.alg !== 'ES256' || !(await verifyEs256(kbJwt, holderKey(cnfJwk))))
      throw new Error('not signed by cnf');
    rec.pass('kb-signature', 'Signed by the cnf.jwk key.');
  } catch {
    rec.fail(
      'kb-signature',
      "The key binding JWT is not signed (ES256) by the credential's cnf.jwk key: another key holds it.",
    );
    return done();
  }
  if (kbPayload.nonce !== expected.nonce) {
    const why = "The key binding nonce is not this request's nonce: a replay or an answer to another request.";
    if (!letThrough('kb-nonce', 'lenient.wallet.kb-nonce', why)) return done();
  } else rec.pass('kb-nonce', 'nonce matches the request.');
  if (kbPayload.aud !== expected.clientId) {
    const why = `aud ${JSON.stringify(kbPayload.aud).slice(0, 120)} is not this verifier's client_id ${expected.clientId}.`;
    if (!letThrough('kb-aud', 'lenient.wallet.kb-audience', why)) return done();
  } else rec.pass('kb-aud', 'aud is the client_id.');
  const iat = num(kbPayload.iat);
  if (iat === undefined || iat > nowS + ctx.skewSeconds || iat < nowS - ctx.kbMaxAgeSeconds) {
    const why =
      iat === undefined
        ? 'iat is missing.'
        : `iat ${new Date(iat * 1000).toISOString()} is outside [now − ${ctx.kbMaxAgeSeconds} s, now + ${ctx.skewSeconds} s].`;
    if (!letThrough('kb-iat', 'lenient.wallet.kb-stale', why)) return done();
  } else rec.pass('kb-iat', `iat ${nowS - iat} s ago.`);
  const sdHash = sha256b64url(presentation.slice(0, presentation.length - kbJwt.length));
  if (kbPayload.sd_hash !== sdHash) {
    rec.fail('sd-hash', 'sd_hash is not the hash of the presented issuer JWT and disclosures.');
    return done();
  }
  rec.pass('sd-hash', 'sd_hash matches.');

  // W14 the query: the claims with the disclosures (decoded and hashed once, in W7) in place
  const byDigest = new Map<string, ParsedDisclosure>();
  for (const p of parsed) byDigest.set(p.digest, p);
  const claims = unpackClaims(payload, byDigest);
  if (expected.dcql) {
    const satisfied = satisfiesDcql(expected.dcql.query, expected.dcql.credentialQueryId, {
      credential_format: header.typ as string,
      vct: payload.vct as string,
      claims,
      cryptographic_holder_binding: true,
    });
    if (!satisfied) {
      rec.fail('dcql', 'The disclosed claims do not satisfy the DCQL query.');
      return done();
    }
  }
  rec.pass('dcql', expected.dcql ? 'The DCQL query is satisfied.' : 'No query given.');

  // W15 status, last: it is the one rule that fetches
  const revoked = await checkStatus({
    payload,
    issuer: iss,
    leaf: parsedLeaf.key,
    x5cLeaf: x5c[0] as string,
    nowS,
    skewSeconds: ctx.skewSeconds,
    fetcher: ctx.fetcher,
  });
  if (revoked) {
    if (!letThrough('status', 'lenient.wallet.status', revoked)) return done();
  } else rec.pass('status', payload.status ? 'The status list says valid.' : 'Short-lived credential without status.');
  const disclosed: Record<string, unknown> = {};
  for (const k in claims) if (!NOT_CLAIMS.has(k)) own(disclosed, k, claims[k]);
  return done({
    credential: { issuer: iss, country: registered.country, vct: payload.vct as string, claims: disclosed },
  });
}
