import { KakehashiError, SeededRandom } from '@kakehashi/core';
import type { Persona } from '@kakehashi/personas';
import { open, seal } from '../crypto/seal.ts';
import type { JpAgency, JpCredential } from '../deps.ts';
import { agencyDataFor, INTERNAL_PREFIX, ITEMS_BY_KIND } from './agency-data.ts';
import { AgencyParty, type PartyDeps } from './agency-party.ts';

/** What the network sends a provider: only the provider's own code, never the requester's. */
export interface ProvisionRequest {
  requestId: string;
  code: string;
  requester: { id: string; name: string };
  procedure: { id: string; name: string; nameLocal?: string | undefined };
  legalBasis: string;
  ruleId: string;
  items: string[];
  sealedRequest: string;
  requestedAt: string;
  nonDisclosure: boolean;
}

/**
 * An agency's intermediary server (中間サーバー): copies of the data the agency may provide, keyed by its own
 * internal ids and its own codes, and the provider side of the mediated exchange.
 */
export class IntermediaryServer extends AgencyParty {
  /** The information items this agency holds. */
  readonly items: readonly string[];

  constructor(agency: JpAgency, cred: JpCredential, deps: PartyDeps) {
    super(agency, cred, deps);
    this.items = ITEMS_BY_KIND[agency.kind] ?? [];
  }

  /**
   * Seeds the agency's own records from the personas (once): an internal id of the agency's own numbering,
   * the four facts as the agency knows them, and its data copies. No persona id, My Number or resident record
   * code is written.
   */
  seedFromPersonas(personas: readonly Persona[]): void {
    if (this.meta('seeded')) return;
    const prefix = INTERNAL_PREFIX[this.agency.kind] ?? 'REC';
    const rng = new SeededRandom(this.deps.seed, `jp-network/internal-ids/${this.agency.id}`);
    this.store.transaction(() => {
      for (const p of personas) {
        if (!p.fourFacts) continue;
        let id: string;
        do id = `${prefix}-${rng.hex(4).toUpperCase()}`;
        while (this.subject(id));
        this.addSubject(id, p.fourFacts, agencyDataFor(this.deps.seed, p, this.agency.kind));
      }
      this.setMeta('seeded', this.deps.clock.now().toISOString());
    });
  }

  /** Links every record that has no code yet. */
  async linkAll(): Promise<void> {
    for (const s of this.subjects()) if (!s.code) await this.link(s.internal_id);
  }

  /** The data copies held for one local record. */
  dataOf(internalId: string): Record<string, unknown> {
    return Object.fromEntries(
      this.store
        .all<{ item: string; value: string }>(
          'SELECT item, value FROM ag_data WHERE internal_id = ? ORDER BY item',
          internalId,
        )
        .map((r) => [r.item, JSON.parse(r.value)]),
    );
  }

  /**
   * Answers the network: finds the person by this agency's own code (collecting a pending migration list
   * first if the code is new after a rotation), checks the sealed request names the same items, answers
   * from its copies sealed to the requester, and keeps the provider copy of the access record.
   */
  async provide(req: ProvisionRequest): Promise<{ sealedResponse: string; providedAt: string }> {
    let s = this.subjectByCode(req.code);
    if (!s) {
      await this.applyMigrations();
      s = this.subjectByCode(req.code);
    }
    const base = {
      requestId: req.requestId,
      requester: req.requester,
      provider: { id: this.agency.id, name: this.agency.name },
      procedure: req.procedure,
      legalBasis: req.legalBasis,
      ruleId: req.ruleId,
      items: req.items,
      requestedAt: req.requestedAt,
      nonDisclosure: req.nonDisclosure,
    };
    try {
      if (!s) throw new KakehashiError('jp-subject-not-held', `${this.agency.id} holds no record for this code.`);
      const inner = JSON.parse(open(req.sealedRequest, this.e2e, `request/${req.requestId}`)) as {
        requestId: string;
        items: string[];
      };
      if (inner.requestId !== req.requestId || [...inner.items].sort().join() !== [...req.items].sort().join())
        throw new KakehashiError('jp-e2e-failed', 'The sealed request does not match the items the network forwarded.');
      const held = this.dataOf(s.internal_id);
      const data = Object.fromEntries(req.items.filter((i) => i in held).map((i) => [i, held[i]]));
      const sealedResponse = seal(
        JSON.stringify({ requestId: req.requestId, data }),
        await this.peerKey(req.requester.id),
        `response/${req.requestId}`,
      );
      const providedAt = this.deps.clock.now().toISOString();
      this.records.append('provider', 'network', s.code, { ...base, providedAt, outcome: 'provided' });
      return { sealedResponse, providedAt };
    } catch (e) {
      const refusal =
        e instanceof KakehashiError
          ? { code: e.code, reason: e.message }
          : { code: 'internal-error', reason: 'unexpected' };
      this.records.append('provider', 'network', s?.code ?? null, {
        ...base,
        providedAt: null,
        outcome: 'refused',
        refusal,
      });
      throw e;
    }
  }
}
