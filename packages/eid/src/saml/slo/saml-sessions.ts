import type { SamlContext } from '../saml-context.ts';

/** A login session at the IdP, one per assertion issued: what a LogoutRequest of that SP can end. */
export interface SamlSession {
  sessionIndex: string;
  sp: string;
  nameId: string;
  /** The ACS the assertion went to (the demo SP's LogoutResponse goes back there). */
  acsUrl: string;
  expiresAt: number;
}

/** Records the session an assertion starts (its AuthnStatement's SessionIndex, its SessionNotOnOrAfter). */
export function recordSamlSession(ctx: SamlContext, s: SamlSession): void {
  const { store } = ctx.deps;
  store.run('DELETE FROM saml_sessions WHERE expires_at < ?', ctx.nowS());
  store.run(
    'INSERT INTO saml_sessions (session_index, sp, name_id, acs_url, expires_at) VALUES (?, ?, ?, ?, ?)',
    s.sessionIndex,
    s.sp,
    s.nameId,
    s.acsUrl,
    s.expiresAt,
  );
}

/** The live sessions of a principal at an SP; with session indexes, only those (SAML Core §3.7.1). */
export function findSamlSessions(
  ctx: SamlContext,
  sp: string,
  nameId: string,
  sessionIndexes: readonly string[],
): SamlSession[] {
  const rows = ctx.deps.store.all<{
    session_index: string;
    sp: string;
    name_id: string;
    acs_url: string;
    expires_at: number;
  }>(
    'SELECT session_index, sp, name_id, acs_url, expires_at FROM saml_sessions WHERE sp = ? AND name_id = ? AND expires_at >= ?',
    sp,
    nameId,
    ctx.nowS(),
  );
  return rows
    .filter((r) => sessionIndexes.length === 0 || sessionIndexes.includes(r.session_index))
    .map((r) => ({
      sessionIndex: r.session_index,
      sp: r.sp,
      nameId: r.name_id,
      acsUrl: r.acs_url,
      expiresAt: r.expires_at,
    }));
}

/** Ends sessions (Single Logout). */
export function endSamlSessions(ctx: SamlContext, sessions: readonly SamlSession[]): void {
  for (const s of sessions) ctx.deps.store.run('DELETE FROM saml_sessions WHERE session_index = ?', s.sessionIndex);
}
