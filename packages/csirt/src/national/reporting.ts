import { z } from '@hono/zod-openapi';
import { TlpSchema } from '../stix/tlp.ts';
import type { Incident } from './incident-store.ts';

/** The reports of each regime, in the order they are sent. */
export const NIS2_REPORTS = ['early-warning', 'notification', 'final'] as const;
/** NIS2 art. 23(4)(c) intermediate report (when the CSIRT asks) and (e) progress report (incident still ongoing). */
export const NIS2_OTHER_REPORTS = ['intermediate', 'progress'] as const;
export const JP_REPORTS = ['nisc-report', 'share'] as const;
export const REPORT_KINDS = [...NIS2_REPORTS, ...NIS2_OTHER_REPORTS, ...JP_REPORTS] as const;
type Nis2Kind = (typeof NIS2_REPORTS)[number] | (typeof NIS2_OTHER_REPORTS)[number];
export type ReportKind = (typeof REPORT_KINDS)[number];

/** Free text a CSIRT operator writes: bounded, and never a 12-digit number (a My Number has no place in a report). */
const Text = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((s) => !/(?<!\d)\d{12}(?!\d)/.test(s), 'must not carry a 12-digit number (a My Number)');

/** What the operator adds to a report (the rest comes from the incident). */
export const ReportInputSchema = z
  .object({
    kind: z.enum(REPORT_KINDS),
    /** NIS2 (b), (d): the impact, in the operator's words. */
    impact: Text(1000).optional(),
    /** NIS2 (d): the root cause ("the type of threat or root cause that is likely to have triggered the incident"). */
    rootCause: Text(1000).optional(),
    /** NIS2 (d): the mitigation measures applied and ongoing. */
    mitigations: Text(1000).optional(),
    /** NIS2 (d): a detailed description. */
    description: Text(2000).optional(),
    /** Japan's share: the channel. */
    channel: z.enum(['ceptoar', 'isac', 'jpcert']).optional(),
    /** The TLP of what is shared (default: the policy's). */
    tlp: TlpSchema.optional(),
    /** Japan's share: the sharer's chosen anonymisation (J-CSIP: the sender is anonymised unless it agrees). */
    anonymisation: z.enum(['pseudonymous', 'named']).optional(),
  })
  .strict()
  .openapi('CsirtReportInput');
export type ReportInput = z.infer<typeof ReportInputSchema>;

/** A report as sent: its kind, when, its deadline (none in Japan), and the document with the law's fields. */
export interface SentReport {
  id: string;
  incident: string;
  kind: ReportKind;
  sentAt: string;
  dueAt?: string | undefined;
  late: boolean;
  document: Record<string, unknown>;
}

/** One step of the process as the CSIRT sees it on the virtual clock. */
export interface ProcessStep {
  kind: ReportKind;
  /** What the law asks, in plain words. */
  duty: string;
  dueAt?: string | undefined;
  /**
   * `pending`: the incident is not significant (yet); `due`: open, deadline ahead; `missed`: deadline passed, not
   * sent; `on-request`: an intermediate report, when the CSIRT asks; `if-ongoing`: a progress report, instead of the
   * final one while the incident is still being handled.
   */
  status: 'pending' | 'due' | 'missed' | 'sent' | 'sent-late' | 'voluntary' | 'on-request' | 'if-ongoing';
  sentAt?: string | undefined;
}

const HOUR = 3_600_000;

/** The instant one calendar month after `iso` (UTC; the 31st of a 30-day month becomes the 1st of the next). */
export function oneMonthAfter(iso: string): string {
  const d = new Date(iso);
  d.setUTCMonth(d.getUTCMonth() + 1);
  return d.toISOString();
}

/**
 * The deadlines of NIS2 art. 23(4) from the instant of awareness: (a) early warning within 24 hours, (b) incident
 * notification within 72 hours, (d) final report within one month after the notification (after its deadline
 * while it is not sent) — or, when a progress report (e) was sent because the incident was still ongoing, within
 * one month after it (the mock takes the progress report as the end of the handling: a simplification).
 * @see https://eur-lex.europa.eu/eli/dir/2022/2555/oj (art. 23(4))
 */
export function nis2Deadlines(
  awareAt: string,
  notificationSentAt?: string,
  progressSentAt?: string,
): Record<(typeof NIS2_REPORTS)[number] | 'progress', string> {
  const aware = Date.parse(awareAt);
  const notification = new Date(aware + 72 * HOUR).toISOString();
  const finalDue = oneMonthAfter(notificationSentAt ?? notification);
  return {
    'early-warning': new Date(aware + 24 * HOUR).toISOString(),
    notification,
    final: progressSentAt ? oneMonthAfter(progressSentAt) : finalDue,
    progress: finalDue,
  };
}

const DUTIES: Record<ReportKind, string> = {
  'early-warning':
    'Early warning within 24 hours of becoming aware: is the incident suspected of being caused by unlawful or malicious acts, could it have a cross-border impact? (NIS2 art. 23(4)(a))',
  notification:
    'Incident notification within 72 hours: updates the early warning, an initial assessment with severity and impact, and the indicators of compromise (NIS2 art. 23(4)(b))',
  final:
    'Final report within one month after the notification: detailed description, severity and impact, root cause, mitigation measures, cross-border impact (NIS2 art. 23(4)(d))',
  intermediate:
    'Intermediate report on relevant status updates, when the CSIRT or competent authority asks (NIS2 art. 23(4)(c))',
  progress:
    'Progress report at the time the final report is due, when the incident is still ongoing; the final report then follows within one month after its handling (NIS2 art. 23(4)(e))',
  'nisc-report':
    'Report to NISC (the National Cybersecurity Office) and the ministry in charge: no statutory deadline for this operator; promptly, as the government standards ask',
  share:
    "Voluntary sharing through the sector's CEPTOAR or an ISAC and JPCERT/CC, under the TLP and the anonymisation the sharer chooses",
};

/** The process of an incident under `regime` at `now`: each report with its duty, deadline and status. */
export function processOf(
  regime: 'nis2' | 'jp-voluntary',
  incident: Incident,
  sent: readonly SentReport[],
  now: Date,
): ProcessStep[] {
  const sentOf = (k: ReportKind) => sent.find((r) => r.kind === k);
  if (regime === 'jp-voluntary')
    return JP_REPORTS.map((kind) => {
      const r = sentOf(kind);
      return { kind, duty: DUTIES[kind], status: r ? 'sent' : 'voluntary', ...(r ? { sentAt: r.sentAt } : {}) };
    });
  const chain: ProcessStep[] = NIS2_REPORTS.map((kind) => {
    const r = sentOf(kind);
    if (!incident.awareAt) return { kind, duty: DUTIES[kind], status: 'pending' as const };
    const due = nis2Deadlines(incident.awareAt, sentOf('notification')?.sentAt, sentOf('progress')?.sentAt)[kind];
    if (r) return { kind, duty: DUTIES[kind], dueAt: due, sentAt: r.sentAt, status: r.late ? 'sent-late' : 'sent' };
    return { kind, duty: DUTIES[kind], dueAt: due, status: now.getTime() > Date.parse(due) ? 'missed' : 'due' };
  });
  // (c) and (e) once the notification is out: the intermediate report on request, the progress report if ongoing.
  const notified = sentOf('notification');
  if (!incident.awareAt || !notified) return chain;
  const intermediate = sentOf('intermediate');
  const progress = sentOf('progress');
  const progressDue = nis2Deadlines(incident.awareAt, notified.sentAt).progress;
  return [
    ...chain,
    intermediate
      ? { kind: 'intermediate', duty: DUTIES.intermediate, sentAt: intermediate.sentAt, status: 'sent' }
      : { kind: 'intermediate', duty: DUTIES.intermediate, status: 'on-request' },
    progress
      ? {
          kind: 'progress',
          duty: DUTIES.progress,
          dueAt: progressDue,
          sentAt: progress.sentAt,
          status: progress.late ? 'sent-late' : 'sent',
        }
      : { kind: 'progress', duty: DUTIES.progress, dueAt: progressDue, status: 'if-ongoing' },
  ];
}

/** The countries other than `own` that the incident's peers and issuers point at (node:XX, or a node's origin). */
export function memberStatesOf(
  incident: Incident,
  own: string,
  originToCountry: (origin: string) => string | undefined,
) {
  const out = new Set<string>();
  for (const v of [...(incident.identifiers.peer ?? []), ...(incident.identifiers.issuer ?? [])]) {
    const m = /^node:([A-Z]{2})$/.exec(v);
    const cc = m ? m[1] : originToCountry(v);
    if (cc && cc !== own) out.add(cc);
  }
  return [...out].sort();
}

/**
 * The document of a NIS2 report, with the fields art. 23(4) names for it. Personal data has no field here: the
 * incident carries identifiers of keys, certificates and peers, and counts.
 */
export function nis2Document(input: {
  kind: Nis2Kind;
  incident: Incident;
  entity: string;
  recipient: string;
  sentAt: string;
  memberStates: string[];
  operator: ReportInput;
  indicators?: { bundle: string; count: number } | undefined;
  earlier: readonly SentReport[];
}): Record<string, unknown> {
  const { incident } = input;
  const malicious = ['high', 'critical'].includes(incident.severity);
  const base = {
    directive: 'Directive (EU) 2022/2555 (NIS2), art. 23(4)',
    incident: incident.id,
    entity: input.entity,
    recipient: input.recipient,
    awareAt: incident.awareAt,
    sentAt: input.sentAt,
  };
  if (input.kind === 'early-warning')
    return {
      ...base,
      report: 'early warning (art. 23(4)(a))',
      suspectedUnlawfulOrMalicious: malicious,
      crossBorderImpactPossible: input.memberStates.length > 0,
      memberStatesPossiblyAffected: input.memberStates,
    };
  if (input.kind === 'notification')
    return {
      ...base,
      report: 'incident notification (art. 23(4)(b))',
      updatesEarlyWarning: input.earlier.find((r) => r.kind === 'early-warning')?.id ?? null,
      initialAssessment: {
        severity: incident.severity,
        impact: input.operator.impact ?? `${incident.eventCount} refused attempts; no request was accepted.`,
        rules: incident.rules,
        events: incident.eventCount,
      },
      indicatorsOfCompromise: input.indicators ?? null,
      memberStatesAffected: input.memberStates,
    };
  if (input.kind === 'intermediate')
    return {
      ...base,
      report: 'intermediate report (art. 23(4)(c))',
      statusUpdate:
        input.operator.description ??
        `${incident.eventCount} security events so far, severity ${incident.severity}, last at ${incident.lastEventAt}.`,
    };
  if (input.kind === 'progress')
    return {
      ...base,
      report: 'progress report (art. 23(4)(e))',
      stillOngoing: true,
      progress:
        input.operator.description ??
        `${incident.eventCount} security events so far (${incident.rules.join(', ')}); handling goes on.`,
      mitigations: input.operator.mitigations ?? 'Indicators shared through the CSIRT network; the key is refused.',
    };
  return {
    ...base,
    report: 'final report (art. 23(4)(d))',
    description:
      input.operator.description ??
      `${incident.eventCount} security events (${incident.rules.join(', ')}) from ${incident.openedAt} to ${incident.lastEventAt}.`,
    severity: incident.severity,
    impact: input.operator.impact ?? 'Every attempt was refused by the named rules; no data left the system.',
    rootCause: input.operator.rootCause ?? 'Not established by the operator.',
    mitigations: input.operator.mitigations ?? 'Indicators shared through the CSIRT network; the key is refused.',
    crossBorderImpact: input.memberStates,
  };
}

/** The document of one of Japan's voluntary reports: to NISC, or a share through a CEPTOAR / ISAC and JPCERT/CC. */
export function jpDocument(input: {
  kind: (typeof JP_REPORTS)[number];
  incident: Incident;
  sentAt: string;
  operator: ReportInput;
  sharer: string;
  tlp: string;
  indicators?: { bundle: string; count: number } | undefined;
}): Record<string, unknown> {
  const { incident } = input;
  if (input.kind === 'nisc-report')
    return {
      framework:
        'Basic Act on Cybersecurity (Act No. 104 of 2014); government common standards — voluntary for this operator',
      incident: incident.id,
      reportedTo: 'NISC (National Cybersecurity Office) and the ministry in charge',
      sentAt: input.sentAt,
      attackType: incident.rules,
      severity: incident.severity,
      summary: input.operator.description ?? `${incident.eventCount} refused attempts.`,
      statutoryDeadline: null,
    };
  const channel = input.operator.channel ?? 'ceptoar';
  return {
    framework: 'Voluntary information sharing (CEPTOAR / ISAC, JPCERT/CC, J-CSIP practice)',
    incident: incident.id,
    channel:
      channel === 'ceptoar'
        ? 'CEPTOAR of the government sector, then JPCERT/CC'
        : channel === 'isac'
          ? 'Sector ISAC, then JPCERT/CC'
          : 'JPCERT/CC (international contact point)',
    sentAt: input.sentAt,
    sharer: input.sharer,
    anonymisation: input.operator.anonymisation ?? 'pseudonymous',
    tlp: input.tlp,
    attackType: incident.rules,
    indicators: input.indicators ?? null,
    statutoryDeadline: null,
  };
}
