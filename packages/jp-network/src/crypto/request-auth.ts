import { randomBytes } from 'node:crypto';
import { type Clock, KakehashiError, type Store, WriteBehindQueue } from '@kakehashi/core';
import type { CertificateValidator, JpCredential } from '../deps.ts';
import { bodyHash, certFingerprint, signJws, verifyJwsSignature } from './jws.ts';

/** The header that carries a request signature between the network, J-LIS and the intermediary servers. */
export const SIGNATURE_HEADER = 'x-jp-signature';
export const REQUEST_TYP = 'jp-request+jwt';
/** Lifetime of a request signature, and the clock skew tolerated (seconds). */
export const REQUEST_LIFETIME_SECONDS = 60;

export const REPLAY_MIGRATIONS = (owner: string) => [
  { id: `jp-network/${owner}/jp_jti/001`, up: 'CREATE TABLE jp_jti (jti TEXT PRIMARY KEY, exp INTEGER NOT NULL)' },
];

/**
 * Signs one HTTP request as party `iss` (an agency id, `network` or `j-lis`): a JWS with the party's certificate
 * chain, bound to the method, path, body hash and audience, short-lived and single-use.
 */
export function signRequest(
  cred: JpCredential,
  iss: string,
  aud: string,
  method: string,
  path: string,
  body: string,
  clock: Clock,
): string {
  const iat = Math.floor(clock.nowMs() / 1000);
  return signJws(
    {
      iss,
      aud,
      htm: method.toUpperCase(),
      htu: path,
      bsh: bodyHash(body),
      iat,
      exp: iat + REQUEST_LIFETIME_SECONDS,
      jti: randomBytes(16).toString('base64url'),
    },
    cred,
    REQUEST_TYP,
  );
}

/**
 * Authenticates signed requests for one receiver: the signature verifies with the `x5c` leaf, the leaf is the
 * certificate pinned for the claimed party (the published agency directory), its chain validates against the
 * trust fabric at the virtual time (not revoked, digitalSignature), and the method, path, body hash, audience,
 * lifetime and single use all match.
 */
export class RequestAuthenticator {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #trust: CertificateValidator;
  readonly #pins: Map<string, string>;
  readonly #audience: string;
  /**
   * The jtis held (→ exp): the answer to every replay check, so that no request waits for a commit of its own. They
   * are written behind to the store (core's `WriteBehindQueue`: batched, before any other transaction on the store
   * and before it closes) and read back when an authenticator opens the store, so a restart still refuses them.
   */
  readonly #jtis = new Map<string, number>();
  readonly #written: WriteBehindQueue<readonly [jti: string, exp: number]>;
  /** The virtual second of the last purge of expired jtis: once per second, not with every request. */
  #purgedAt = Number.NaN;

  constructor(opts: {
    store: Store;
    owner: string;
    clock: Clock;
    trust: CertificateValidator;
    directory: Record<string, string>;
    audience: string;
  }) {
    this.#store = opts.store;
    this.#clock = opts.clock;
    this.#trust = opts.trust;
    this.#audience = opts.audience;
    this.#pins = new Map(Object.entries(opts.directory).map(([id, pem]) => [id, certFingerprint(pem)]));
    opts.store.migrate(REPLAY_MIGRATIONS(opts.owner));
    const store = opts.store;
    this.#written = new WriteBehindQueue(store, {
      name: 'jp_jti',
      write: (batch) => {
        for (const [jti, exp] of batch) store.run('INSERT OR IGNORE INTO jp_jti (jti, exp) VALUES (?, ?)', jti, exp);
      },
      // Never dropped: a lost jti would let its request be replayed after a restart.
      whenFull: 'refuse',
    });
    store.flushPending();
    for (const r of store.all<{ jti: string; exp: number }>('SELECT jti, exp FROM jp_jti'))
      this.#jtis.set(r.jti, r.exp);
  }

  /** The authenticated party, or `jp-agency-unauthenticated` naming what failed. */
  authenticate(req: { method: string; path: string; body: string; signature: string | undefined }): string {
    const fail = (why: string): never => {
      throw new KakehashiError('jp-agency-unauthenticated', `The request signature is not acceptable: ${why}.`, {
        rule: 'request signature (JWS with x5c, pinned agency certificate)',
      });
    };
    if (!req.signature) fail(`send the ${SIGNATURE_HEADER} header (a JWS signed with the agency certificate)`);
    const { payload, certPem, chainPem } = verifyJwsSignature(req.signature as string, REQUEST_TYP);
    const iss = typeof payload.iss === 'string' ? payload.iss : '';
    const pin = this.#pins.get(iss);
    if (!pin) fail(`"${iss.slice(0, 40)}" is not a party of the network`);
    if (certFingerprint(certPem) !== pin) fail(`the certificate is not the one registered for ${iss}`);
    const verdict = this.#trust.validateCertificate(certPem, chainPem, {
      at: this.#clock.now(),
      usage: ['digitalSignature'],
    });
    if (!verdict.valid) fail(`the certificate of ${iss} does not validate (${verdict.failure?.code ?? 'invalid'})`);
    if (payload.aud !== this.#audience) fail(`the audience must be ${this.#audience}`);
    if (payload.htm !== req.method.toUpperCase() || payload.htu !== req.path) fail('method or path differ');
    if (payload.bsh !== bodyHash(req.body)) fail('the body hash differs (the body was altered)');
    const now = Math.floor(this.#clock.nowMs() / 1000);
    const iat = Number(payload.iat);
    const exp = Number(payload.exp);
    if (!Number.isFinite(iat) || !Number.isFinite(exp) || exp - iat > REQUEST_LIFETIME_SECONDS)
      fail('iat/exp missing or the lifetime is too long');
    if (iat > now + REQUEST_LIFETIME_SECONDS || exp < now - REQUEST_LIFETIME_SECONDS)
      fail('expired or from the future');
    const jti = typeof payload.jti === 'string' ? payload.jti : '';
    if (jti.length < 16 || jti.length > 64) fail('jti missing');
    if (now !== this.#purgedAt) {
      const before = now - REQUEST_LIFETIME_SECONDS;
      for (const [held, heldExp] of this.#jtis) if (heldExp < before) this.#jtis.delete(held);
      // The queued jtis first, so that none expired is written after the table was purged.
      this.#written.flush();
      this.#store.run('DELETE FROM jp_jti WHERE exp < ?', before);
      this.#purgedAt = now;
    }
    // A jti already held is refused (a replay, whether expired or not); queued first, so that a store refusing
    // writes fails the request with nothing half-kept.
    if (this.#jtis.has(jti)) fail('replayed (jti seen before)');
    this.#written.push([jti, exp]);
    this.#jtis.set(jti, exp);
    return iss;
  }
}
