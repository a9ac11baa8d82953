import type { FaultState } from '@kakehashi/core';
import { type AttackCase, attackCases, selectCases, type TargetKind } from './cases.ts';
import { AttackError, AttackUnavailable, type Attempt, type DriverContext } from './driver.ts';
import { oidcRpDriver, samlSpDriver } from './login-targets.ts';
import { compileProbe, excerpt, type ProbeOptions } from './probe.ts';
import { type AttackReport, type CaseResult, summarise } from './report.ts';
import { selfDriver } from './self-targets.ts';
import { as4Attempt, signatureValidatorAttempt } from './service-targets.ts';
import { type VerifierTargetOptions, verifierDriver } from './verifier-target.ts';

/** The published default admin token of a test federation (`--admin-token`, `KAKEHASHI_ADMIN_TOKEN`). */
export const DEFAULT_ADMIN_TOKEN = 'kakehashi-admin-test-only';
/** The first national node of `kakehashi start` (AT), the default `--node`. */
export const DEFAULT_NODE = 'http://127.0.0.1:7001';
/** The most one case may take, all its requests together, before it is reported as an error. */
export const DEFAULT_CASE_TIMEOUT_MS = 60_000;
const LOA_RANK: Record<string, number> = {
  'http://eidas.europa.eu/LoA/low': 1,
  'http://eidas.europa.eu/LoA/substantial': 2,
  'http://eidas.europa.eu/LoA/high': 3,
};

/** The cases that resend what the target consumed last (a genuine artefact is sent just before each). */
const REPLAYS = /\.replayed-/;

export interface AttackRunOptions {
  kind: TargetKind;
  /** The target (see {@link DriverContext.target}). */
  url: string;
  /** The node that forges (default {@link DEFAULT_NODE}). */
  node?: string;
  adminToken?: string;
  /** Case ids, catalogue ids, rule names or `prefix.*`. */
  only?: readonly string[];
  probe?: ProbeOptions;
  persona?: string;
  recipient?: string;
  sender?: string;
  caseTimeoutMs?: number;
  /** `verifier`: how a fresh request is obtained (a request endpoint) and where the verdict is read. */
  verifier?: VerifierTargetOptions;
  /** The fetch every request goes through (tests route it into an in-process federation). */
  fetch?: typeof fetch;
  /** Called after each case (the CLI prints a line). */
  onCase?: (r: CaseResult) => void;
  now?: () => Date;
}

/** The faults the node offers, from its `GET /admin/faults`. */
async function offeredFaults(fetcher: typeof fetch, node: string, token: string): Promise<FaultState[]> {
  const res = await fetcher(`${node}/admin/faults`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(20_000),
  }).catch((e: unknown) => {
    const inner = (e as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } }).cause;
    const cause = inner?.code ?? inner?.errors?.[0]?.code ?? inner?.message ?? (e as Error).message;
    throw new AttackError(`cannot reach the node ${node} (${cause}): is the federation running? (--node)`);
  });
  if (res.status === 401) throw new AttackError(`${node}/admin/faults refused the admin token (pass --admin-token)`);
  if (!res.ok) throw new AttackError(`${node}/admin/faults answered ${res.status}: is ${node} a Kakehashi node?`);
  return ((await res.json()) as { faults: FaultState[] }).faults;
}

/** The persona that logs in: the one asked for, or the first of the node's with the highest level of assurance. */
async function pickPersona(
  fetcher: typeof fetch,
  node: string,
  asked: string | undefined,
): Promise<{ id: string; loa: string }> {
  const res = await fetcher(`${node}/personas`, { signal: AbortSignal.timeout(20_000) });
  if (!res.ok) throw new AttackError(`${node}/personas answered ${res.status}`);
  const personas = (await res.json()) as { id: string; loa: string }[];
  const chosen = asked
    ? personas.find((p) => p.id === asked)
    : [...personas].sort((a, b) => (LOA_RANK[b.loa] ?? 0) - (LOA_RANK[a.loa] ?? 0))[0];
  if (!chosen)
    throw new AttackError(asked ? `${node} has no persona ${asked} (GET /personas)` : `${node} has no persona`);
  // The self checks ask for substantial (so that a forged acr of low is too low) unless the persona has less.
  const loa = (LOA_RANK[chosen.loa] ?? 1) >= 2 ? 'http://eidas.europa.eu/LoA/substantial' : chosen.loa;
  return { id: chosen.id, loa };
}

const withDeadline = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new AttackError(`${what} took longer than ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });

/**
 * Runs the attack catalogue against one target: the genuine artefact first (the baseline must be accepted, else
 * the run is inconclusive), then one forged artefact per case. A case passes when the target refused it (`self`:
 * refused naming the rule); a case whose fault the node does not offer per request is `unavailable`, never passed.
 */
export async function runAttack(options: AttackRunOptions): Promise<AttackReport> {
  const fetcher = options.fetch ?? fetch;
  const now = options.now ?? (() => new Date());
  const node = (options.node ?? DEFAULT_NODE).replace(/\/+$/, '');
  const url = options.kind === 'self' ? options.url.replace(/\/+$/, '') : options.url;
  const adminToken = options.adminToken ?? DEFAULT_ADMIN_TOKEN;
  const caseTimeout = options.caseTimeoutMs ?? DEFAULT_CASE_TIMEOUT_MS;
  const probe = compileProbe(options.probe, options.kind);
  const startedAt = now().toISOString();

  const offered = await offeredFaults(fetcher, node, adminToken);
  const requestable = new Set(offered.filter((f) => f.perRequest).map((f) => f.name));
  const all = attackCases(offered).filter((c) => c.kinds.includes(options.kind));
  const { selected, unknown } = selectCases(all, options.only);
  if (unknown.length > 0)
    throw new AttackError(`--only names no case of ${options.kind}: ${unknown.join(', ')} (kakehashi attack list)`);
  const persona = await pickPersona(fetcher, node, options.persona);
  const ctx: DriverContext = {
    fetch: fetcher,
    node,
    target: url,
    adminToken,
    persona: persona.id,
    loa: persona.loa,
    timeoutMs: Math.min(20_000, caseTimeout),
    recipient: options.recipient,
    sender: options.sender,
  };
  const self = selfDriver(ctx);
  const verifier = verifierDriver(ctx, options.verifier ?? {});

  const attempt = (c: AttackCase | null, artefact: AttackCase['artefact']): Promise<Attempt> => {
    switch (options.kind) {
      case 'self':
        return self(c, artefact);
      case 'oidc-rp':
        return oidcRpDriver(ctx)(c);
      case 'saml-sp':
        return samlSpDriver(ctx)(c);
      case 'signature-validator':
        return signatureValidatorAttempt(ctx, c);
      case 'as4':
        return as4Attempt(ctx, c);
      case 'verifier':
        return verifier(c);
    }
  };

  const run = async (c: AttackCase | null, artefact: AttackCase['artefact']): Promise<CaseResult> => {
    const t0 = Date.now();
    const base = {
      id: c?.id ?? `baseline.${artefact}`,
      rule: c?.rule ?? 'baseline',
      fault: c?.fault ?? null,
      description: c?.description ?? `the genuine ${artefact} artefact, no fault: the target must accept it`,
    };
    try {
      const a = await withDeadline(attempt(c, artefact), caseTimeout, `case ${base.id}`);
      const outcome = a.verdict
        ? a.verdict.refused
          ? 'refused'
          : 'accepted'
        : probe(a.answer as NonNullable<Attempt['answer']>);
      const target = a.verdict
        ? { outcome, status: a.verdict.status, excerpt: a.verdict.excerpt }
        : {
            outcome,
            status: a.answer?.status,
            location: a.answer?.redirects.at(-1),
            url: a.answer?.url,
            excerpt: excerpt(a.answer?.text ?? ''),
          };
      let status: CaseResult['status'];
      let detail: string;
      if (!c) {
        status = outcome === 'accepted' ? 'passed' : 'failed';
        detail =
          status === 'passed'
            ? 'the target accepted the genuine artefact'
            : `the target did not accept the genuine artefact (${outcome})`;
      } else if (outcome === 'refused' && (!a.verdict || a.verdict.namesRule)) {
        status = 'passed';
        // A user's verifier need not name a rule: its own words are the detail (Kakehashi's name the W rule).
        detail = a.verdict
          ? options.kind === 'verifier'
            ? a.verdict.detail
            : `refused naming the rule: ${a.verdict.detail}`
          : 'the target refused the forgery';
      } else {
        status = 'failed';
        detail =
          outcome === 'refused'
            ? `refused, but not for rule ${c.rule}: ${a.verdict?.detail ?? ''}`
            : outcome === 'accepted'
              ? `the target ACCEPTED the forgery${a.verdict ? `: ${a.verdict.detail}` : ''}`
              : 'the probe could not tell a refusal (neither side matched): counted as not refused';
      }
      return { ...base, status, sent: a.sent, target, detail, durationMs: Date.now() - t0 };
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      return {
        ...base,
        status: e instanceof AttackUnavailable ? 'unavailable' : 'error',
        sent: { summary: c ? `kakehashi_fault=${c.fault}` : 'a genuine artefact' },
        target: {},
        detail: message,
        durationMs: Date.now() - t0,
      };
    }
  };

  // A family the target cannot take at all (self: eDelivery needs an access point, which the hub has not) is
  // unavailable as a whole, without a baseline.
  const unsupported = new Map<AttackCase['artefact'], string>();
  if (options.kind === 'self' && selected.some((c) => c.artefact === 'edelivery') && !options.recipient) {
    const as4 = await fetcher(`${url}/metadata`, { signal: AbortSignal.timeout(20_000) })
      .then(async (r) => (r.ok ? ((await r.json()) as { metadata?: { endpoints?: { as4?: string } } }) : undefined))
      .catch(() => undefined);
    if (!as4?.metadata?.endpoints?.as4)
      unsupported.set('edelivery', `${url} has no AS4 access point: run self against a node for the eDelivery cases`);
  }
  const artefacts = [...new Set(selected.map((c) => c.artefact))].filter((a) => !unsupported.has(a));
  // One baseline per artefact family the run covers.
  const baselines: CaseResult[] = [];
  for (const art of artefacts.length > 0 ? artefacts : [all[0]?.artefact ?? 'id-token']) {
    const b = await run(null, art);
    options.onCase?.(b);
    baselines.push(b);
  }
  const inconclusive = baselines.filter((b) => b.status !== 'passed').map((b) => b.id.replace('baseline.', ''));
  const notRun = (c: AttackCase, status: 'skipped' | 'unavailable', detail: string): CaseResult => ({
    id: c.id,
    rule: c.rule,
    fault: c.fault,
    description: c.description,
    status,
    sent: { summary: '(not sent)' },
    target: {},
    detail,
    durationMs: 0,
  });
  const cases: CaseResult[] = [];
  for (const c of selected) {
    let r: CaseResult;
    const why = unsupported.get(c.artefact);
    if (why !== undefined) r = notRun(c, 'unavailable', why);
    else if (inconclusive.includes(c.artefact))
      r = notRun(
        c,
        'skipped',
        `skipped: the baseline (genuine ${c.artefact}) was not accepted, so a refusal would prove nothing`,
      );
    else if (!requestable.has(c.fault))
      r = notRun(c, 'unavailable', `${node} does not offer the fault ${c.fault} per request (GET /admin/faults)`);
    else {
      // A replay needs something to replay: a genuine artefact the target consumed just before.
      if (REPLAYS.test(c.fault)) await attempt(null, c.artefact).catch(() => undefined);
      r = await run(c, c.artefact);
    }
    options.onCase?.(r);
    cases.push(r);
  }
  const summary = summarise(cases);
  const verdict =
    inconclusive.length > 0
      ? 'inconclusive'
      : summary.passed === summary.total && summary.total > 0
        ? 'passed'
        : 'failed';
  return {
    tool: 'kakehashi attack',
    reportVersion: 1,
    target: { kind: options.kind, url },
    node,
    startedAt,
    finishedAt: now().toISOString(),
    baselines,
    cases,
    summary,
    verdict,
  };
}
