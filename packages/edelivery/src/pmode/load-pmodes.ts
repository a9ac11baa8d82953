import { KakehashiError } from '@kakehashi/core';
import { EbmsError } from '../errors/ebms-error.ts';
import type { UserMessage } from '../message/z-user-message.ts';
import { type PMode, type PModeInput, PModeSchema, retryHorizonMs } from './z-pmode.ts';

/**
 * Validates a set of P-Modes at load: each against its schema, ids unique, no two P-Modes claiming the same
 * service, action and parties (the receiver could not tell which applies), and every retry schedule ending
 * inside the duplicate-detection window (a resend after the window could be delivered twice).
 * @see https://docs.oasis-open.org/ebxml-msg/ebms/v3.0/core/os/ebms_core-3.0-spec.html Appendix D.3
 */
export function loadPModes(input: unknown): PMode[] {
  if (!Array.isArray(input) || input.length === 0 || input.length > 200)
    throw new KakehashiError('edelivery-pmode-invalid', 'P-Modes are a non-empty JSON array (at most 200).');
  const out: PMode[] = [];
  input.forEach((raw, i) => {
    const r = PModeSchema.safeParse(raw);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw new KakehashiError(
        'edelivery-pmode-invalid',
        `P-Mode #${i} is invalid at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'schema mismatch'}.`,
        { rule: 'ebMS 3.0 core Appendix D' },
      );
    }
    const p = r.data;
    if (out.some((o) => o.id === p.id))
      throw new KakehashiError('edelivery-pmode-invalid', `Two P-Modes have the id "${p.id}".`);
    const horizon = retryHorizonMs(p);
    if (horizon >= p.duplicateDetection.windowMs)
      throw new KakehashiError(
        'edelivery-pmode-invalid',
        `P-Mode "${p.id}": the last resend comes ${horizon} ms after the first attempt, not inside the duplicate-detection window of ${p.duplicateDetection.windowMs} ms; shorten the retries or widen the window.`,
        { rule: 'AS4 profile §3.2 reception awareness + duplicate detection' },
      );
    for (const o of out) {
      const sameService = o.service.value === p.service.value && (o.service.type ?? '') === (p.service.type ?? '');
      const sharedAction = o.actions.some((a) => p.actions.includes(a));
      const overlap = (a: string[], b: string[]) => a.includes('*') || b.includes('*') || a.some((x) => b.includes(x));
      if (
        sameService &&
        sharedAction &&
        overlap(o.initiator.parties, p.initiator.parties) &&
        overlap(o.responder.parties, p.responder.parties)
      )
        throw new KakehashiError(
          'edelivery-pmode-invalid',
          `P-Modes "${o.id}" and "${p.id}" both claim service ${p.service.value} for the same action and parties: which applies would be ambiguous.`,
        );
    }
    out.push(p);
  });
  return out;
}

export function partyAllowed(list: string[], partyId: string): boolean {
  return list.includes('*') || list.includes(partyId);
}

/** The P-Mode for a submission from `from` to `to` (sender side), or undefined. */
export function findPMode(
  pmodes: readonly PMode[],
  q: { service: string; serviceType?: string | undefined; action: string; from: string; to: string },
): PMode | undefined {
  return pmodes.find(
    (p) =>
      p.service.value === q.service &&
      (q.serviceType === undefined || (p.service.type ?? '') === q.serviceType) &&
      p.actions.includes(q.action) &&
      partyAllowed(p.initiator.parties, q.from) &&
      partyAllowed(p.responder.parties, q.to),
  );
}

/**
 * The P-Mode that governs a received UserMessage. A service or action no P-Mode knows is `EBMS:0001`
 * ValueNotRecognized; a known service/action whose parties, roles, party type or agreement do not match is
 * `EBMS:0010` ProcessingModeMismatch.
 * @see https://docs.oasis-open.org/ebxml-msg/ebms/v3.0/core/os/ebms_core-3.0-spec.html §6.7.1
 */
export function matchPMode(pmodes: readonly PMode[], um: UserMessage): PMode {
  const ref = um.messageId;
  const byService = pmodes.filter(
    (p) => p.service.value === um.service.value && (p.service.type ?? '') === (um.service.type ?? ''),
  );
  if (byService.length === 0)
    throw new EbmsError(
      'EBMS:0001',
      `No P-Mode of this access point covers service "${um.service.value.slice(0, 120)}".`,
      {
        refToMessageId: ref,
        rule: 'ebMS 3.0 core §6.7.1 (E6)',
      },
    );
  const byAction = byService.filter((p) => p.actions.includes(um.action));
  if (byAction.length === 0)
    throw new EbmsError(
      'EBMS:0001',
      `No P-Mode covers action "${um.action.slice(0, 120)}" of service ${um.service.value.slice(0, 120)}.`,
      {
        refToMessageId: ref,
        rule: 'ebMS 3.0 core §6.7.1 (E6)',
      },
    );
  const reasons: string[] = [];
  for (const p of byAction) {
    if ((um.from.partyIdType ?? '') !== p.partyIdType || (um.to.partyIdType ?? '') !== p.partyIdType)
      reasons.push(`${p.id}: party id type is not ${p.partyIdType}`);
    else if (!partyAllowed(p.initiator.parties, um.from.partyId))
      reasons.push(`${p.id}: ${um.from.partyId} is not an initiator`);
    else if (!partyAllowed(p.responder.parties, um.to.partyId))
      reasons.push(`${p.id}: ${um.to.partyId} is not a responder`);
    else if (um.from.role !== p.initiator.role || um.to.role !== p.responder.role)
      reasons.push(`${p.id}: roles must be ${p.initiator.role} → ${p.responder.role}`);
    else if (um.agreementRef && p.agreement && um.agreementRef.value !== p.agreement)
      reasons.push(`${p.id}: agreement is ${p.agreement}`);
    else if (um.agreementRef?.pmode && um.agreementRef.pmode !== p.id)
      reasons.push(`${p.id}: AgreementRef names P-Mode ${um.agreementRef.pmode}`);
    else return p;
  }
  throw new EbmsError(
    'EBMS:0010',
    `The message matches no P-Mode for its service and action: ${reasons.join('; ').slice(0, 600)}.`,
    {
      refToMessageId: ref,
      rule: 'ebMS 3.0 core §6.7.1 (E6)',
    },
  );
}

/** Evidence and notification exchange between every pair of the federation's access points (defaults). */
export function defaultPModes(options: {
  parties: string[];
  services?: { service: string; actions: string[] }[];
}): PModeInput[] {
  const services = options.services ?? [
    { service: 'urn:kakehashi:service:evidence', actions: ['ExecuteQueryRequest', 'ExecuteQueryResponse'] },
    { service: 'urn:kakehashi:service:notification', actions: ['Notify'] },
  ];
  return services.map((s) => ({
    id: `kakehashi-${s.service.split(':').at(-1)}`,
    agreement: 'urn:kakehashi:agreement:edelivery:v1',
    initiator: {
      role: 'http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/initiator',
      parties: options.parties,
    },
    responder: {
      role: 'http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/responder',
      parties: options.parties,
    },
    service: { value: s.service, type: 'urn:kakehashi:service-type' },
    actions: s.actions,
  }));
}
