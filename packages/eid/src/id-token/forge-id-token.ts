import { createHmac, createPublicKey, type KeyObject, randomBytes, sign, X509Certificate } from 'node:crypto';
import { type FaultSwitchboard, SeededRandom } from '@kakehashi/core';
import type { Loa } from '@kakehashi/personas';
import { type DnAttribute, generateRsaKeyPair, issueCertificate, TEST_ONLY_OU } from '@kakehashi/trust';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { SigningKey } from '../keys/build-jwks.ts';
import { amrFor, LOA_ORDER, loaRank } from '../loa/loa.ts';
import { ID_TOKEN_FAULT_NAMES, type IdTokenFault, isIdTokenFault } from './faults.ts';

/** The audience of `id-token.wrong-audience`: a relying party that did not log in. */
export const FAULT_OTHER_AUDIENCE = 'urn:kakehashi:fault:another-relying-party';
/** The issuer of `id-token.wrong-issuer`: another country's identity provider. */
export const FAULT_OTHER_ISSUER = 'https://eid.another-country.invalid';
/** The kid of `id-token.unknown-kid`: a path injection no JWKS holds (J6). */
export const FAULT_UNKNOWN_KID = '../../../dev/null';
/** The critical header extension of `id-token.unknown-crit` (no implementation understands it). */
export const FAULT_CRIT_EXTENSION = 'urn:kakehashi:fault:unknown-extension';
/** The family name `id-token.tampered-payload` writes into the signed payload. */
export const FAULT_TAMPERED_FAMILY_NAME = 'Mallory';
/** The acr below `low`: a scheme that is not notified under eIDAS (no eIDAS level at all). */
export const NOT_NOTIFIED_ACR = 'http://eidas.europa.eu/NotNotified/LoA/low';
/** The events claim of a back-channel logout token (`id-token.wrong-typ`). */
export const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** An attacker's RSA key and its self-signed certificate with the node's subject name (TEST ONLY). */
interface AttackerKey {
  privateKey: KeyObject;
  publicJwk: JWK;
  certDerB64: string;
}

const ATTACKERS = new Map<string, AttackerKey>();

/**
 * The attacker of a node: an RSA-2048 key drawn from the seed (the same on every run) and a self-signed
 * certificate that copies the subject of the node's signing certificate — a look-alike no trusted list knows.
 */
function attackerKey(seed: string, country: string, nodeCertPem: string): AttackerKey {
  const cacheKey = `${seed}\u0000${country}`;
  let a = ATTACKERS.get(cacheKey);
  if (!a) {
    const key = generateRsaKeyPair(new SeededRandom(seed, `eid/id-token/fault-attacker/${country}`));
    const serial = new SeededRandom(seed, `eid/id-token/fault-attacker/${country}/serial`).bytes(16);
    serial[0] = (serial[0] as number) & 0x7f;
    const subject = lookAlikeSubject(nodeCertPem, country);
    const { der } = issueCertificate(
      {
        subject,
        serialHex: serial.toString('hex'),
        notBefore: new Date('2025-01-01T00:00:00Z'),
        notAfter: new Date('2045-01-01T00:00:00Z'),
        keyUsage: ['digitalSignature'],
      },
      key.publicKey,
      { selfSigningKey: key.privateKey },
    );
    a = { privateKey: key.privateKey, publicJwk: publicRsaJwk(key.publicKey), certDerB64: der.toString('base64') };
    ATTACKERS.set(cacheKey, a);
  }
  return a;
}

/** A public RSA key as a JWK, synchronously (node:crypto's JWK export; jose's is async). */
function publicRsaJwk(key: KeyObject): JWK {
  const { kty, n, e } = key.export({ format: 'jwk' });
  return { kty, n, e } as JWK;
}

const DN_TYPES: readonly DnAttribute['type'][] = ['C', 'O', 'OU', 'CN', 'L', 'serialNumber'];

/** The node certificate's subject, attribute by attribute (unknown attribute types dropped), as the look-alike's. */
function lookAlikeSubject(certPem: string, country: string): DnAttribute[] {
  try {
    const attrs = new X509Certificate(certPem).subject
      .split('\n')
      .map((line) => {
        const eq = line.indexOf('=');
        return { type: line.slice(0, eq) as DnAttribute['type'], value: line.slice(eq + 1) };
      })
      .filter((a) => DN_TYPES.includes(a.type) && a.value !== '');
    if (attrs.some((a) => a.type === 'CN')) return attrs;
  } catch {
    // fall through: a plain look-alike name
  }
  return [
    { type: 'C', value: country },
    { type: 'OU', value: TEST_ONLY_OU },
    { type: 'CN', value: `Kakehashi node ${country} (look-alike)` },
  ];
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8').toString('base64url');

/** A compact JWS with exactly the header given, signed by `signer` over `b64(header).b64(payload)`. */
function compact(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  signer: (input: string) => Buffer,
): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${signer(input).toString('base64url')}`;
}

/** RS256 (RSASSA-PKCS1-v1_5 SHA-256) or ES256 (P-256, r ‖ s). */
function asymmetric(alg: 'RS256' | 'ES256', key: KeyObject): (input: string) => Buffer {
  return (input) =>
    alg === 'ES256'
      ? sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' })
      : sign('sha256', Buffer.from(input), key);
}

/** What forging needs: the node's keys and signing certificate, the seed and country for the attacker's key. */
export interface ForgeContext {
  alg: 'RS256' | 'ES256';
  keys: readonly SigningKey[];
  seed: string;
  country: string;
  /** The node's signing certificate (PEM): the look-alike copies its subject. */
  nodeCertPem: string;
  /** Now on the virtual clock (seconds), when the claims carry no `iat` to shift the times from. */
  nowSeconds: number;
}

/** A forged ID token and what it carries (for the trace: never the token itself). */
export interface ForgedIdToken {
  token: string;
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

/**
 * Mints the ID token a correct provider would sign from `claims`, with exactly the defect `fault` names and nothing
 * else wrong (the same claims, the node's real key wherever the defect is not the key). TEST ONLY: the defects are
 * the attacks of the catalogue, for relying parties to refuse.
 * @see https://www.rfc-editor.org/rfc/rfc8725#section-2 (the threats each fault reproduces)
 */
export async function forgeIdToken(
  fault: IdTokenFault,
  claims: Record<string, unknown>,
  ctx: ForgeContext,
): Promise<ForgedIdToken> {
  const key = ctx.keys.find((k) => k.alg === ctx.alg);
  if (!key) throw new Error(`no ${ctx.alg} signing key`);
  const rsaKey = ctx.keys.find((k) => k.alg === 'RS256') ?? key;
  const honest = { alg: ctx.alg, kid: key.kid, typ: 'JWT' };
  const real = asymmetric(ctx.alg, key.privateKey);
  const done = (header: Record<string, unknown>, c: Record<string, unknown>, signer: (i: string) => Buffer) => ({
    token: compact(header, c, signer),
    header,
    claims: c,
  });
  const now = typeof claims.iat === 'number' ? claims.iat : ctx.nowSeconds;
  switch (fault) {
    case 'id-token.alg-none': {
      const header = { alg: 'none', typ: 'JWT' };
      return { token: `${b64(header)}.${b64(claims)}.`, header, claims };
    }
    case 'id-token.hs256-key-confusion': {
      // The classic: the verifier's RSA/EC public key, as PEM text, used as the HMAC secret.
      const pem = createPublicKey(key.privateKey).export({ type: 'spki', format: 'pem' }) as string;
      return done({ alg: 'HS256', kid: key.kid, typ: 'JWT' }, claims, (input) =>
        createHmac('sha256', pem).update(input).digest(),
      );
    }
    case 'id-token.embedded-jwk': {
      const attacker = attackerKey(ctx.seed, ctx.country, ctx.nodeCertPem);
      const kid = await calculateJwkThumbprint(attacker.publicJwk);
      return done({ alg: 'RS256', kid, typ: 'JWT', jwk: { ...attacker.publicJwk, kid } }, claims, (input) =>
        sign('sha256', Buffer.from(input), attacker.privateKey),
      );
    }
    case 'id-token.unknown-kid':
      return done({ ...honest, kid: FAULT_UNKNOWN_KID }, claims, real);
    case 'id-token.untrusted-key': {
      const attacker = attackerKey(ctx.seed, ctx.country, ctx.nodeCertPem);
      return done({ alg: 'RS256', kid: rsaKey.kid, typ: 'JWT', x5c: [attacker.certDerB64] }, claims, (input) =>
        sign('sha256', Buffer.from(input), attacker.privateKey),
      );
    }
    case 'id-token.expired': {
      const iat = now - 900;
      const authTime = typeof claims.auth_time === 'number' ? Math.min(claims.auth_time, iat) : iat;
      return done(honest, { ...claims, iat, exp: now - 600, auth_time: authTime }, real);
    }
    case 'id-token.issued-in-future':
      return done(honest, { ...claims, iat: now + 3600, nbf: now + 3600, exp: now + 3900 }, real);
    case 'id-token.wrong-audience':
      return done(honest, { ...claims, aud: FAULT_OTHER_AUDIENCE, azp: FAULT_OTHER_AUDIENCE }, real);
    case 'id-token.wrong-issuer':
      return done(honest, { ...claims, iss: FAULT_OTHER_ISSUER }, real);
    case 'id-token.nonce-mismatch':
      return done(honest, { ...claims, nonce: randomBytes(16).toString('base64url') }, real);
    case 'id-token.wrong-typ':
      return done({ ...honest, typ: 'logout+jwt' }, { ...claims, events: { [LOGOUT_EVENT]: {} } }, real);
    case 'id-token.unknown-crit':
      return done({ ...honest, crit: [FAULT_CRIT_EXTENSION], [FAULT_CRIT_EXTENSION]: true }, claims, real);
    case 'id-token.tampered-payload': {
      const signed = compact(honest, claims, real);
      const [h, , s] = signed.split('.') as [string, string, string];
      const altered = { ...claims, family_name: FAULT_TAMPERED_FAMILY_NAME };
      return { token: `${h}.${b64(altered)}.${s}`, header: honest, claims: altered };
    }
    case 'id-token.acr-too-low': {
      const rank = typeof claims.acr === 'string' ? loaRank(claims.acr) : 0;
      const lower = rank > 1 ? (LOA_ORDER[rank - 2] as Loa) : undefined;
      return done(
        honest,
        { ...claims, acr: lower ?? NOT_NOTIFIED_ACR, ...(lower ? { amr: amrFor(lower) } : {}) },
        real,
      );
    }
  }
}

/**
 * The ID-token fault in force for one token, reported as fired: the one the login asked for (`requested`, carried
 * from its authorization request) when it is an ID-token fault, else the first switched on, in the catalogue's
 * order (one defect per token). Undefined when none is on.
 */
export function idTokenFaultInForce(
  faults: Pick<FaultSwitchboard, 'isOn' | 'fire'>,
  requested: readonly string[] | undefined,
  detail: Record<string, unknown> = {},
): IdTokenFault | undefined {
  const asked = (requested ?? []).filter(isIdTokenFault);
  const name = [...asked, ...ID_TOKEN_FAULT_NAMES].find((n) => faults.isOn(n, requested));
  if (name) faults.fire(name, requested, detail);
  return name;
}
