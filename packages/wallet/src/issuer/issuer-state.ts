import { randomBytes } from 'node:crypto';
import type { VirtualClock } from '@kakehashi/core';

/** How long an offer's pre-authorised code, an access token and a c_nonce live (seconds, virtual clock). */
export const LIFETIMES = { preAuthorizedCode: 300, accessToken: 300, cNonce: 300 } as const;
/** The most entries each table keeps (the oldest go first): a flood of nonce requests cannot exhaust memory. */
const MAX_ENTRIES = 10_000;

/** Drops the oldest entries of `m` beyond {@link MAX_ENTRIES} (a Map iterates in insertion order). */
function cap(m: Map<string, unknown>): void {
  for (const k of m.keys()) {
    if (m.size <= MAX_ENTRIES) return;
    m.delete(k);
  }
}

interface Entry {
  personaId: string;
  expiresAt: number;
}

/**
 * What the PID provider remembers between the steps of the pre-authorised flow: single-use pre-authorised codes
 * (OpenID4VCI §4.1.1, §13.8), access tokens, and c_nonces that a proof may use once (§7). Kept in memory: a
 * restart ends the flows under way (the wallet starts again from a new offer); `reset` forgets everything. Each
 * table keeps at most 10 000 entries.
 */
export function createIssuerState(clock: VirtualClock) {
  const codes = new Map<string, Entry>();
  const tokens = new Map<string, Entry>();
  const nonces = new Map<string, number>();
  const now = () => clock.now().getTime();
  const token = () => randomBytes(32).toString('base64url');
  const purge = () => {
    const t = now();
    for (const m of [codes, tokens]) for (const [k, v] of m) if (v.expiresAt < t) m.delete(k);
    for (const [k, exp] of nonces) if (exp < t) nonces.delete(k);
  };
  return {
    newCode(personaId: string): string {
      purge();
      const code = token();
      codes.set(code, { personaId, expiresAt: now() + LIFETIMES.preAuthorizedCode * 1000 });
      cap(codes);
      return code;
    },
    /** The persona of a code, once: a second use finds nothing. */
    consumeCode(code: string): string | undefined {
      const e = codes.get(code);
      codes.delete(code);
      return e && e.expiresAt >= now() ? e.personaId : undefined;
    },
    newAccessToken(personaId: string): string {
      const t = token();
      tokens.set(t, { personaId, expiresAt: now() + LIFETIMES.accessToken * 1000 });
      cap(tokens);
      return t;
    },
    personaOfToken(t: string): string | undefined {
      const e = tokens.get(t);
      return e && e.expiresAt >= now() ? e.personaId : undefined;
    },
    newNonce(): string {
      purge();
      const n = token();
      nonces.set(n, now() + LIFETIMES.cNonce * 1000);
      cap(nonces);
      return n;
    },
    /** True once for a c_nonce this issuer gave out and that has not expired. */
    consumeNonce(n: string): boolean {
      const exp = nonces.get(n);
      nonces.delete(n);
      return exp !== undefined && exp >= now();
    },
    reset(): void {
      codes.clear();
      tokens.clear();
      nonces.clear();
    },
  };
}
export type IssuerState = ReturnType<typeof createIssuerState>;
