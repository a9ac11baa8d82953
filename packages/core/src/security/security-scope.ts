import { createHash, X509Certificate } from 'node:crypto';
import type { KakehashiError } from '../errors/index.ts';
import { currentRequestScope, runWithScopeMember, type SecurityScope } from '../trace/request-scope.ts';
import type { SecurityEvents } from './security-events.ts';
import { catalogueIdOf, severityOf } from './severity.ts';
import type { WatchEntry } from './watchlist.ts';
import {
  type SecurityEventDetail,
  SecurityEventDetailSchema,
  type SecurityEventInput,
  SecurityEventInputSchema,
  VALIDATED_INPUTS,
} from './z-security-event.ts';

export type { SecurityScope } from '../trace/request-scope.ts';

/**
 * Runs `fn` (a request) with the component's security events in scope: a refusal anywhere below — a failed
 * verdict recorded on a trace hop, a refusal thrown as a problem — becomes one event per rule, with no call site
 * in the blocks.
 */
export function runInSecurityScope<T>(
  events: SecurityEvents,
  request: { peer?: string | undefined; traceId?: string | undefined },
  fn: () => T,
): T {
  return runWithScopeMember('security', securityScope(events, request), fn);
}

/**
 * A fresh security scope for one request (the component middleware opens it with the request's other scopes, see
 * `runInRequestScope`): nothing recorded yet.
 */
export function securityScope(
  events: SecurityEvents,
  request: { peer?: string | undefined; traceId?: string | undefined },
): SecurityScope {
  return { events, recorded: new Set(), peer: request.peer, traceId: request.traceId };
}

/** The security events of the component serving the current request, if any (for blocks that record directly). */
export function currentSecurityEvents(): SecurityEvents | undefined {
  return currentRequestScope()?.security?.events;
}

/** What a trace hop tells about a refusal (core's `HopEvent`, the members read here). */
export interface RefusedHop {
  operation: string;
  status?: number | undefined;
  peer?: string | undefined;
  artefact?: unknown;
  verdict?: { valid: boolean; checks?: unknown[] } | undefined;
  faults?: string[] | undefined;
}

/** Outages and missing keys are not attacks: a refusal with one of these codes or a 5xx status records nothing. */
const AVAILABILITY = /unavailable|timeout|upstream|not-ready|expired-request|request-expired|TRY_LATER/;

/**
 * A hop whose verdict failed → a security event of the first failed check's rule (or of the artefact's `rule`
 * and `errorCode`: an ebMS error signal). Called by core's `recordHop` for every refused hop; a refusal with no
 * named rule, or an outage, records nothing. Never throws (an observer).
 */
export function noteRefusedHop(hop: RefusedHop, traceId: string | undefined): void {
  const scope = currentRequestScope()?.security;
  if (!scope || hop.verdict?.valid !== false || (hop.status ?? 0) >= 500) return;
  const failed = (hop.verdict.checks ?? []).find(
    (c): c is { rule: string; code?: string; outcome: string; fault?: string } =>
      typeof c === 'object' &&
      c !== null &&
      (c as { outcome?: unknown }).outcome === 'failed' &&
      typeof (c as { rule?: unknown }).rule === 'string',
  );
  const artefact = (typeof hop.artefact === 'object' && hop.artefact !== null ? hop.artefact : {}) as Record<
    string,
    unknown
  >;
  // An ETSI validation report names no rule per check: its sub-indication is the rule (EN 319 102-1 §5.1.3).
  const etsi = (hop.verdict.checks ?? [])
    .map((c) =>
      typeof c === 'object' && c !== null ? str((c as { subIndication?: unknown }).subIndication) : undefined,
    )
    .find((x) => x !== undefined)
    ?.split(':')
    .pop();
  const rule = failed?.rule ?? str(artefact.rule) ?? str(artefact.errorCode) ?? (etsi && `ETSI EN 319 102-1 ${etsi}`);
  const code = failed?.code ?? str(artefact.errorCode) ?? str(artefact.code) ?? etsi;
  if (!rule || (code && AVAILABILITY.test(code))) return;
  record(scope, {
    rule,
    code,
    peer: hop.peer,
    traceId,
    artefactHash: hop.artefact === undefined ? undefined : sha256Hex(JSON.stringify(hop.artefact)),
    detail: {
      operation: hop.operation,
      ...identifiersOf(artefact),
      ...(hop.faults?.[0] ? { fault: hop.faults[0] } : {}),
    },
  });
}

/** The rule a refusal on the strength of a shared indicator names. */
export const INDICATOR_RULE = 'csirt-indicator';

/**
 * Refuses a verdict whose artefact names what a shared indicator names (a key, a certificate, an issuer, a
 * participant; `artefactOf` decodes it, called only when something is watched): a failed check of rule {@link INDICATOR_RULE} with code `security-indicator-match` is added, the
 * verdict is invalid, and the refusal is a security event naming the indicator. Checks the watchlist of the
 * component serving the request; outside a request (or with nothing watched) the verdict is returned as it is.
 * @see https://docs.oasis-open.org/cti/stix/v2.1/os/stix-v2.1-os.html#_muftrcpnf89v (indicator)
 */
export function refuseWatched<
  V extends {
    valid: boolean;
    checks: { rule: string; outcome: string; reason: string; code?: string | undefined }[];
    failure?: { rule?: string | undefined; code: string; reason: string } | undefined;
  },
>(verdict: V, artefactOf: () => Record<string, unknown>): V {
  const scope = currentRequestScope()?.security;
  const watchlist = scope?.events.watchlist;
  // Nothing watched (the usual case): the artefact is not even decoded.
  if (!scope || !watchlist || watchlist.list().length === 0) return verdict;
  const artefact = artefactOf();
  const ids = identifiersOf(artefact);
  const hit: WatchEntry | undefined = watchlist.match(ids);
  if (!hit) return verdict;
  const reason = `The ${hit.kind} is named by indicator ${hit.indicator}, shared by ${hit.source} through the CSIRT network: refused whatever the other checks say.`;
  const check = { rule: INDICATOR_RULE, outcome: 'failed', reason, code: 'security-indicator-match' };
  record(scope, {
    rule: INDICATOR_RULE,
    code: 'security-indicator-match',
    peer: undefined,
    traceId: scope.traceId,
    artefactHash: sha256Hex(JSON.stringify(artefact)),
    detail: { ...ids, indicator: hit.indicator },
  });
  return {
    ...verdict,
    valid: false,
    checks: [check, ...verdict.checks],
    failure: { rule: INDICATOR_RULE, code: 'security-indicator-match', reason },
  };
}

/**
 * A refusal thrown as a problem → a security event, when it names a rule or its code is a security refusal
 * (an unauthorised caller, a forbidden action, a refused XML construct). Malformed requests and outages record
 * nothing. Called by the component's error handler. Never throws.
 */
export function noteRefusalError(err: KakehashiError, request: { operation: string; status: number }): void {
  const scope = currentRequestScope()?.security;
  if (!scope || request.status >= 500 || AVAILABILITY.test(err.code)) return;
  const rule = err.rule ?? (SECURITY_CODE.test(err.code) ? err.code : undefined);
  if (!rule) return;
  const extra = err.extra as Record<string, unknown>;
  record(scope, {
    rule,
    code: err.code,
    peer: undefined,
    traceId: scope.traceId,
    artefactHash: undefined,
    detail: { operation: request.operation, status: request.status, ...identifiersOf(extra) },
  });
}

/**
 * Codes that are refusals of a caller even without a named rule: an unauthorised or forbidden caller, a refused
 * XML construct (X1–X6), a refused registration, a replay, a signature or key that does not verify.
 */
const SECURITY_CODE =
  /^(unauthorized|forbidden|xml-doctype-forbidden|xml-entity-forbidden|xml-too-deep|xml-too-large|registration-.+)$|replay|signature-invalid|untrusted/;

function record(
  scope: SecurityScope,
  e: {
    rule: string;
    code: string | undefined;
    peer: string | undefined;
    traceId: string | undefined;
    artefactHash: string | undefined;
    detail: Partial<SecurityEventDetail>;
  },
): void {
  if (scope.recorded.has(e.rule)) return;
  scope.recorded.add(e.rule);
  const catalogueId = catalogueIdOf(e.rule);
  const input = sanitised({
    rule: e.rule,
    severity: severityOf(e.rule, e.code),
    ...(e.artefactHash ? { artefactHash: e.artefactHash } : {}),
    ...((e.peer ?? scope.peer) ? { peer: e.peer ?? scope.peer } : {}),
    ...((e.traceId ?? scope.traceId) ? { traceId: e.traceId ?? scope.traceId } : {}),
    detail: { ...(e.code ? { code: e.code } : {}), ...(catalogueId ? { catalogueId } : {}), ...e.detail },
  });
  try {
    if (input) scope.events.record(input);
  } catch {
    // An observer: a refused event (the schema) costs the event, never the request. record() logs store failures.
  }
}

/**
 * The input with every member the schema refuses left out (a peer URL with spaces, an operation with a caller's
 * text): what is recorded is always inside the closed schema. Undefined when even the rule is refused.
 */
export function sanitised(input: Record<string, unknown>): SecurityEventInput | undefined {
  let candidate: Record<string, unknown> = { ...input, detail: { ...(input.detail as object) } };
  for (let i = 0; i < 20; i++) {
    const r = SecurityEventInputSchema.safeParse(candidate);
    if (r.success) {
      VALIDATED_INPUTS.add(r.data);
      return r.data;
    }
    const path = r.error.issues[0]?.path ?? [];
    if (path.length === 0 || path[0] === 'rule' || path[0] === 'severity') return undefined;
    if (path[0] === 'detail' && path.length >= 2) {
      const detail = { ...(candidate.detail as Record<string, unknown>) };
      delete detail[String(path[1])];
      candidate = { ...candidate, detail };
    } else if (path[0] === 'detail') {
      // An unknown member (strict): keep only the declared ones.
      const known = new Set(Object.keys(SecurityEventDetailSchema.shape));
      candidate = {
        ...candidate,
        detail: Object.fromEntries(Object.entries(candidate.detail as object).filter(([k]) => known.has(k))),
      };
    } else {
      const { [String(path[0])]: _dropped, ...rest } = candidate;
      candidate = rest;
    }
  }
  return undefined;
}

/** SHA-256 in hex. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

const PLAIN_ID = /^[A-Za-z0-9.:_\-/#@+]{1,128}$/;
/** A `kid` kept as it is: no path (`/`, `..`), no query, no quote: the J6 injections are hashed instead. */
const PLAIN_KID = /^(?!.*\.\.)[A-Za-z0-9._:-]{1,128}$/;

/**
 * The identifiers an artefact carries that a defender can act on — the signing key (`kid`, the RFC 7638
 * thumbprint of an embedded `jwk`, the SHA-256 of the first `x5c` certificate), the issuer, the message id —
 * never its claims about a person.
 */
export function identifiersOf(artefact: Record<string, unknown>): Partial<SecurityEventDetail> {
  const out: Partial<SecurityEventDetail> = {};
  const header = (typeof artefact.header === 'object' && artefact.header !== null ? artefact.header : {}) as Record<
    string,
    unknown
  >;
  const claims = (typeof artefact.claims === 'object' && artefact.claims !== null ? artefact.claims : {}) as Record<
    string,
    unknown
  >;
  const kid = str(header.kid);
  if (kid !== undefined) {
    if (PLAIN_KID.test(kid)) out.kid = kid;
    else out.kidHash = sha256Hex(kid);
  }
  const thumb = typeof header.jwk === 'object' && header.jwk !== null ? jwkThumbprint(header.jwk) : undefined;
  if (thumb) out.keyThumbprint = thumb;
  const x5c = Array.isArray(header.x5c) ? str(header.x5c[0]) : undefined;
  if (x5c) out.certificateFingerprint = sha256Hex(Buffer.from(x5c, 'base64'));
  const iss = str(claims.iss) ?? str(artefact.issuer);
  if (iss && /^https?:\/\//.test(iss)) out.issuer = iss;
  const msg =
    str(artefact.refToMessageId) ??
    str(artefact.messageId) ??
    (artefact.type === 'saml_response' ? str(artefact.id) : undefined);
  if (msg && PLAIN_ID.test(msg)) out.messageId = msg;
  return out;
}

/** The members RFC 7638 §3.2 hashes, per key type. */
const THUMBPRINT_MEMBERS: Record<string, string[]> = {
  EC: ['crv', 'kty', 'x', 'y'],
  RSA: ['e', 'kty', 'n'],
  OKP: ['crv', 'kty', 'x'],
  oct: ['k', 'kty'],
};

/**
 * The RFC 7638 JWK thumbprint (SHA-256, base64url) of a public key, or undefined when a required member is
 * missing.
 * @see https://www.rfc-editor.org/rfc/rfc7638#section-3
 */
export function jwkThumbprint(jwk: object): string | undefined {
  const k = jwk as Record<string, unknown>;
  const members = THUMBPRINT_MEMBERS[String(k.kty)];
  if (!members || members.some((m) => typeof k[m] !== 'string')) return undefined;
  // Lexicographic member order, no whitespace (the members above are already sorted).
  const json = `{${members.map((m) => `${JSON.stringify(m)}:${JSON.stringify(k[m])}`).join(',')}}`;
  return createHash('sha256').update(json).digest('base64url');
}

/** The SHA-256 fingerprint (hex) of a PEM or base64 DER certificate, or undefined when it does not parse. */
export function certificateFingerprint(pemOrBase64: string): string | undefined {
  try {
    return new X509Certificate(
      pemOrBase64.includes('BEGIN') ? pemOrBase64 : Buffer.from(pemOrBase64, 'base64'),
    ).fingerprint256
      .replaceAll(':', '')
      .toLowerCase();
  } catch {
    return undefined;
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}
