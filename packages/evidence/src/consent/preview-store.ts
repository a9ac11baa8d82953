import { createHash } from 'node:crypto';
import { type Clock, KakehashiError, type Store } from '@kakehashi/core';
import type { EvidenceKind } from '../deps.ts';
import type { QueryRequestModel } from '../regrep/z-regrep.ts';

/** Where the provider serves its previews; a PreviewLocation is `<node origin>/evidence/preview/<id>`. */
export const PREVIEW_PATH = '/evidence/preview/';

/**
 * The life of a preview (the citizen's consent), provider side:
 *
 * ```
 * pending ──login as the same person──▶ pending (+ browser session)
 *    │  └─login as someone else──────▶ identity-mismatch (final)
 *    ├──approve (once)───────────────▶ approved ──second request (once)──▶ used (final)
 *    └──refuse (once)────────────────▶ refused (final)
 * ```
 * A decision is taken once (a second one is `evidence-preview-decided`); an approval answers exactly one
 * request; everything expires on the virtual clock.
 */
export type PreviewStatus = 'pending' | 'approved' | 'refused' | 'identity-mismatch' | 'used';

export interface PreviewRow {
  id: string;
  status: PreviewStatus;
  request: QueryRequestModel;
  handle: string;
  agencyId: string;
  provider: string;
  requester: string;
  evidenceType: { classification: string; title: string; titleLocal: string; kind: EvidenceKind };
  document: string;
  signedXml: string | null;
  conversationId: string;
  traceId: string;
  returnUrl: string | null;
  createdAt: string;
  expiresAt: number;
  decidedAt: string | null;
  usedAt: string | null;
}

interface DbRow {
  id: string;
  status: PreviewStatus;
  request: string;
  handle: string;
  agency_id: string;
  provider: string;
  requester: string;
  evidence_type: string;
  document: string;
  signed_xml: string | null;
  conversation_id: string;
  trace_id: string;
  return_url: string | null;
  login_state_hash: string | null;
  login_nonce: string | null;
  login_verifier: string | null;
  session_hash: string | null;
  created_at: string;
  expires_at: number;
  decided_at: string | null;
  used_at: string | null;
}

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

const toRow = (r: DbRow): PreviewRow => ({
  id: r.id,
  status: r.status,
  request: JSON.parse(r.request) as QueryRequestModel,
  handle: r.handle,
  agencyId: r.agency_id,
  provider: r.provider,
  requester: r.requester,
  evidenceType: JSON.parse(r.evidence_type) as PreviewRow['evidenceType'],
  document: r.document,
  signedXml: r.signed_xml,
  conversationId: r.conversation_id,
  traceId: r.trace_id,
  returnUrl: r.return_url,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  decidedAt: r.decided_at,
  usedAt: r.used_at,
});

export class PreviewStore {
  readonly #store: Store;
  readonly #clock: Clock;

  constructor(store: Store, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  create(r: Omit<PreviewRow, 'status' | 'signedXml' | 'returnUrl' | 'createdAt' | 'decidedAt' | 'usedAt'>): PreviewRow {
    this.#store.run(
      `INSERT INTO evidence_previews (id, status, request, handle, agency_id, provider, requester, evidence_type, document,
         conversation_id, trace_id, created_at, expires_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
      r.id,
      'pending',
      JSON.stringify(r.request),
      r.handle,
      r.agencyId,
      r.provider,
      r.requester,
      JSON.stringify(r.evidenceType),
      r.document,
      r.conversationId,
      r.traceId,
      this.#clock.now().toISOString(),
      r.expiresAt,
    );
    return this.get(r.id) as PreviewRow;
  }

  #raw(id: string): DbRow | undefined {
    const r = this.#store.get<DbRow>('SELECT * FROM evidence_previews WHERE id = ?', id);
    return r && r.expires_at >= this.#clock.nowMs() ? r : undefined;
  }

  /** The preview, or undefined when unknown or expired. */
  get(id: string): PreviewRow | undefined {
    const r = this.#raw(id);
    return r ? toRow(r) : undefined;
  }

  mustGet(id: string): PreviewRow {
    const r = this.get(id);
    if (!r)
      throw new KakehashiError(
        'evidence-preview-not-found',
        'This preview is unknown or has expired; ask the service that requested the evidence to start again.',
      );
    return r;
  }

  setReturnUrl(id: string, url: string): void {
    this.#store.run('UPDATE evidence_previews SET return_url = ? WHERE id = ? AND return_url IS NULL', url, id);
  }

  /** Starts a login at the provider: only the hash of `state` is kept; the nonce and PKCE verifier beside it. */
  startLogin(id: string, state: string, nonce: string, verifier: string): void {
    this.#store.run(
      'UPDATE evidence_previews SET login_state_hash = ?, login_nonce = ?, login_verifier = ? WHERE id = ?',
      sha256(state),
      nonce,
      verifier,
      id,
    );
  }

  /** The preview a login callback belongs to; the state is single-use (cleared here). */
  takeLogin(state: string): { row: PreviewRow; nonce: string; verifier: string } | undefined {
    return this.#store.transaction(() => {
      const r = this.#store.get<DbRow>('SELECT * FROM evidence_previews WHERE login_state_hash = ?', sha256(state));
      if (!r || r.expires_at < this.#clock.nowMs() || !r.login_nonce || !r.login_verifier) return undefined;
      this.#store.run(
        'UPDATE evidence_previews SET login_state_hash = NULL, login_nonce = NULL, login_verifier = NULL WHERE id = ?',
        r.id,
      );
      return { row: toRow(r), nonce: r.login_nonce, verifier: r.login_verifier };
    });
  }

  /** Binds a browser session (its hash) to the preview once the same person logged in. */
  authenticate(id: string, session: string): void {
    this.#store.run(
      "UPDATE evidence_previews SET session_hash = ? WHERE id = ? AND status = 'pending'",
      sha256(session),
      id,
    );
  }

  /** Whether `session` is the browser session that logged in for this preview. */
  hasSession(id: string, session: string | undefined): boolean {
    const r = this.#raw(id);
    return Boolean(session && r?.session_hash && r.session_hash === sha256(session));
  }

  /** Someone else logged in: final. */
  identityMismatch(id: string): void {
    this.#store.run(
      "UPDATE evidence_previews SET status = 'identity-mismatch', decided_at = ? WHERE id = ? AND status = 'pending'",
      this.#clock.now().toISOString(),
      id,
    );
  }

  /**
   * The citizen's decision, taken once: `pending → approved | refused`. Anything else (already decided, used,
   * mismatched) is `evidence-preview-decided`.
   */
  decide(id: string, decision: 'approve' | 'refuse', signedXml?: string): PreviewRow {
    const changes = this.#store.run(
      `UPDATE evidence_previews SET status = ?, signed_xml = ?, decided_at = ? WHERE id = ? AND status = 'pending'
         AND expires_at >= ?`,
      decision === 'approve' ? 'approved' : 'refused',
      signedXml ?? null,
      this.#clock.now().toISOString(),
      id,
      this.#clock.nowMs(),
    ).changes;
    if (changes !== 1) {
      const r = this.mustGet(id);
      throw new KakehashiError(
        'evidence-preview-decided',
        `This preview was already decided (${r.status}); consent is given once, for one exchange.`,
      );
    }
    return this.mustGet(id);
  }

  /**
   * The second request takes the approval: `approved → used`, once. Returns the status it found (so a second
   * use sees `used`), or undefined when the preview is unknown or expired.
   */
  consume(id: string): { status: PreviewStatus; row: PreviewRow } | undefined {
    return this.#store.transaction(() => {
      const row = this.get(id);
      if (!row) return undefined;
      if (row.status === 'approved')
        this.#store.run(
          "UPDATE evidence_previews SET status = 'used', used_at = ? WHERE id = ? AND status = 'approved'",
          this.#clock.now().toISOString(),
          id,
        );
      return { status: row.status, row };
    });
  }

  clear(): void {
    this.#store.run('DELETE FROM evidence_previews');
  }
}
