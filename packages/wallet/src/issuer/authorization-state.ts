import { randomBytes } from 'node:crypto';
import type { VirtualClock } from '@kakehashi/core';

/** Lifetimes (seconds, virtual clock): a pushed request, a login at the eID under way, an authorization code. */
export const AUTH_LIFETIMES = { pushedRequest: 60, login: 600, authorizationCode: 60, issuerState: 600 } as const;
/** How many wrong transaction codes a pre-authorised code survives (the next wrong one burns it). */
export const TX_CODE_ATTEMPTS = 3;
/** The most entries each table keeps (the oldest go first). */
const MAX_ENTRIES = 10_000;

/** An authorization request the wallet pushed (RFC 9126), validated: what the code will be bound to. */
export interface PushedRequest {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  state?: string | undefined;
  issuerState?: string | undefined;
  scope?: string | undefined;
}

/** A login at the node's eID under way: the pushed request it serves, and the eID's PKCE verifier and nonce. */
export interface PendingLogin {
  request: PushedRequest;
  codeVerifier: string;
  nonce: string;
}

/** An authorization code: the persona who logged in and the request it answers. */
export interface AuthorizationCode {
  personaId: string;
  request: PushedRequest;
}

interface Timed<T> {
  value: T;
  expiresAt: number;
}

function table<T>(now: () => number) {
  const m = new Map<string, Timed<T>>();
  return {
    put(key: string, value: T, ttlSeconds: number): void {
      const t = now();
      for (const [k, v] of m) if (v.expiresAt < t) m.delete(k);
      m.set(key, { value, expiresAt: t + ttlSeconds * 1000 });
      for (const k of m.keys()) {
        if (m.size <= MAX_ENTRIES) break;
        m.delete(k);
      }
    },
    /** The value once: a second take finds nothing. */
    take(key: string): T | undefined {
      const e = m.get(key);
      m.delete(key);
      return e && e.expiresAt >= now() ? e.value : undefined;
    },
    peek(key: string): T | undefined {
      const e = m.get(key);
      return e && e.expiresAt >= now() ? e.value : undefined;
    },
    clear: () => m.clear(),
  };
}

/**
 * What the PID provider's authorization server remembers during the authorization code flow (OpenID4VCI §5):
 * the `issuer_state` values of its offers, pushed authorization requests (single use, RFC 9126 §2.2), logins at
 * the node's eID under way, authorization codes (single use, RFC 6749 §4.1.2) — and, for the pre-authorised
 * flow, each code's transaction code with the wrong attempts left (§6.1, §13.6: bounded guessing). In memory,
 * as the rest of the issuer's state.
 */
export function createAuthorizationState(clock: VirtualClock) {
  const now = () => clock.now().getTime();
  const issuerStates = table<true>(now);
  const pushed = table<PushedRequest>(now);
  const logins = table<PendingLogin>(now);
  const codes = table<AuthorizationCode>(now);
  const txCodes = new Map<string, { txCode: string; attemptsLeft: number }>();
  const secret = () => randomBytes(32).toString('base64url');
  return {
    newIssuerState(): string {
      const s = secret();
      issuerStates.put(s, true, AUTH_LIFETIMES.issuerState);
      return s;
    },
    knowsIssuerState(s: string): boolean {
      return issuerStates.peek(s) === true;
    },
    /** Stores a pushed request; answers its `request_uri` (RFC 9126 §2.2). */
    push(request: PushedRequest): string {
      const uri = `urn:ietf:params:oauth:request_uri:${secret()}`;
      pushed.put(uri, request, AUTH_LIFETIMES.pushedRequest);
      return uri;
    },
    takePushed(uri: string): PushedRequest | undefined {
      return pushed.take(uri);
    },
    startLogin(login: PendingLogin): string {
      const s = secret();
      logins.put(s, login, AUTH_LIFETIMES.login);
      return s;
    },
    takeLogin(state: string): PendingLogin | undefined {
      return logins.take(state);
    },
    newCode(code: AuthorizationCode): string {
      const c = secret();
      codes.put(c, code, AUTH_LIFETIMES.authorizationCode);
      if (code.request.issuerState) issuerStates.take(code.request.issuerState);
      return c;
    },
    takeCode(code: string): AuthorizationCode | undefined {
      return codes.take(code);
    },
    /** A fresh numeric transaction code for a pre-authorised code (six digits). */
    newTxCode(preAuthorizedCode: string): string {
      const txCode = String(randomBytes(4).readUInt32BE(0) % 1_000_000).padStart(6, '0');
      txCodes.set(preAuthorizedCode, { txCode, attemptsLeft: TX_CODE_ATTEMPTS });
      for (const k of txCodes.keys()) {
        if (txCodes.size <= MAX_ENTRIES) break;
        txCodes.delete(k);
      }
      return txCode;
    },
    /**
     * Checks the transaction code sent with a pre-authorised code: `none` when the offer asked for none, `missing`,
     * `wrong` (one attempt used; the last wrong one burns the code: `burnt`), or `ok`.
     */
    checkTxCode(preAuthorizedCode: string, sent: string | undefined): 'none' | 'missing' | 'wrong' | 'burnt' | 'ok' {
      const e = txCodes.get(preAuthorizedCode);
      if (!e) return 'none';
      if (sent === undefined || sent === '') return 'missing';
      if (sent === e.txCode) {
        txCodes.delete(preAuthorizedCode);
        return 'ok';
      }
      e.attemptsLeft -= 1;
      if (e.attemptsLeft > 0) return 'wrong';
      txCodes.delete(preAuthorizedCode);
      return 'burnt';
    },
    reset(): void {
      issuerStates.clear();
      pushed.clear();
      logins.clear();
      codes.clear();
      txCodes.clear();
    },
  };
}
export type AuthorizationState = ReturnType<typeof createAuthorizationState>;
