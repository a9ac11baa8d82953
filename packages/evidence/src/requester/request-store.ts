import { type Clock, KakehashiError, type Store, type Verdict } from '@kakehashi/core';
import type { EdmException, EvidenceMetadata, QueryRequestModel } from '../regrep/z-regrep.ts';

/**
 * Requester side: `submitted → preview-required → resubmitted → received | rejected`, or `failed` (an EDM error
 * came back). `rejected` means the evidence arrived but did not validate (signature, signer or binding).
 */
export type RequestStatus = 'submitted' | 'preview-required' | 'resubmitted' | 'received' | 'rejected' | 'failed';

/**
 * The requester's verdict on received evidence: core's verdict (every check: signature, signer country, the
 * bindings to the request) with the signature validation's EN 319 102-1 indication and the signer.
 */
export interface EvidenceVerdict extends Verdict {
  indication: string;
  subIndication?: string | undefined;
  signer?: { subject?: string | undefined; country?: string | undefined } | undefined;
}

/** One evidence request of this node, as its store keeps it. */
export interface RequestRow {
  id: string;
  attemptId: string;
  status: RequestStatus;
  requester: string;
  provider: string;
  providerCountry: string;
  model: QueryRequestModel;
  conversationId: string;
  traceId: string;
  previewLocation: string | null;
  exception: EdmException | null;
  evidenceMeta: EvidenceMetadata | null;
  evidenceXml: string | null;
  verdict: EvidenceVerdict | null;
  history: { status: RequestStatus; at: string; detail?: string | undefined }[];
  createdAt: string;
  updatedAt: string;
}

interface DbRow {
  id: string;
  attempt_id: string;
  status: RequestStatus;
  requester: string;
  provider: string;
  provider_country: string;
  model: string;
  conversation_id: string;
  trace_id: string;
  preview_location: string | null;
  exception: string | null;
  evidence_meta: string | null;
  evidence_xml: string | null;
  verdict: string | null;
  history: string;
  created_at: string;
  updated_at: string;
}

const parse = <T>(s: string | null): T | null => (s ? (JSON.parse(s) as T) : null);

/** The requester's evidence requests (table `evidence_requests`), moved forward only by {@link RequestStore.transition}. */
export class RequestStore {
  readonly #store: Store;
  readonly #clock: Clock;

  constructor(store: Store, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  create(r: {
    model: QueryRequestModel;
    requester: string;
    provider: string;
    providerCountry: string;
    conversationId: string;
    traceId: string;
  }): RequestRow {
    const now = this.#clock.now().toISOString();
    this.#store.run(
      `INSERT INTO evidence_requests (id, attempt_id, status, requester, provider, provider_country, model, conversation_id,
         trace_id, history, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
      r.model.id,
      r.model.id,
      'submitted',
      r.requester,
      r.provider,
      r.providerCountry,
      JSON.stringify(r.model),
      r.conversationId,
      r.traceId,
      JSON.stringify([{ status: 'submitted', at: now }]),
      now,
      now,
    );
    return this.mustGet(r.model.id);
  }

  #toRow(r: DbRow): RequestRow {
    return {
      id: r.id,
      attemptId: r.attempt_id,
      status: r.status,
      requester: r.requester,
      provider: r.provider,
      providerCountry: r.provider_country,
      model: JSON.parse(r.model) as QueryRequestModel,
      conversationId: r.conversation_id,
      traceId: r.trace_id,
      previewLocation: r.preview_location,
      exception: parse<EdmException>(r.exception),
      evidenceMeta: parse<EvidenceMetadata>(r.evidence_meta),
      evidenceXml: r.evidence_xml,
      verdict: parse<EvidenceVerdict>(r.verdict),
      history: JSON.parse(r.history) as RequestRow['history'],
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }

  get(id: string): RequestRow | undefined {
    const r = this.#store.get<DbRow>('SELECT * FROM evidence_requests WHERE id = ?', id);
    return r ? this.#toRow(r) : undefined;
  }

  /** By the id of either attempt (the first request, or the second one after the preview). */
  byAnyId(requestId: string): RequestRow | undefined {
    const r = this.#store.get<DbRow>(
      'SELECT * FROM evidence_requests WHERE id = ? OR attempt_id = ?',
      requestId,
      requestId,
    );
    return r ? this.#toRow(r) : undefined;
  }

  mustGet(id: string): RequestRow {
    const r = this.get(id);
    if (!r)
      throw new KakehashiError(
        'evidence-request-not-found',
        `No evidence request ${id.slice(0, 80)} at this node; POST /evidence/requests creates one.`,
      );
    return r;
  }

  /** Moves to `status` only from one of `from` (so a late or duplicate message cannot rewind the state). */
  transition(
    id: string,
    from: RequestStatus[],
    status: RequestStatus,
    fields: Partial<{
      attemptId: string;
      previewLocation: string;
      exception: EdmException;
      evidenceMeta: EvidenceMetadata;
      evidenceXml: string;
      verdict: EvidenceVerdict;
    }> = {},
    detail?: string,
  ): boolean {
    return this.#store.transaction(() => {
      const row = this.get(id);
      if (!row || !from.includes(row.status)) return false;
      const now = this.#clock.now().toISOString();
      this.#store.run(
        `UPDATE evidence_requests SET status = ?, attempt_id = ?, preview_location = ?, exception = ?, evidence_meta = ?,
           evidence_xml = ?, verdict = ?, history = ?, updated_at = ? WHERE id = ?`,
        status,
        fields.attemptId ?? row.attemptId,
        fields.previewLocation ?? row.previewLocation,
        fields.exception ? JSON.stringify(fields.exception) : row.exception ? JSON.stringify(row.exception) : null,
        fields.evidenceMeta
          ? JSON.stringify(fields.evidenceMeta)
          : row.evidenceMeta
            ? JSON.stringify(row.evidenceMeta)
            : null,
        fields.evidenceXml ?? row.evidenceXml,
        fields.verdict ? JSON.stringify(fields.verdict) : row.verdict ? JSON.stringify(row.verdict) : null,
        JSON.stringify([...row.history, { status, at: now, ...(detail ? { detail: detail.slice(0, 300) } : {}) }]),
        now,
        id,
      );
      return true;
    });
  }

  clear(): void {
    this.#store.run('DELETE FROM evidence_requests');
  }
}
