import type { AttackCase } from './cases.ts';
import type { TargetAnswer } from './probe.ts';
import type { CaseResult } from './report.ts';

/** How the runner reaches the federation and the target. */
export interface DriverContext {
  fetch: typeof fetch;
  /** The node whose provider, IdP, signing service or access point forges the artefacts. */
  node: string;
  /** The target's URL (login start, AS4 endpoint, validator, or for `self` the component whose validators run). */
  target: string;
  adminToken: string;
  /** The persona that logs in (default: one of the node's with the highest level of assurance). */
  persona: string;
  /** The level of assurance the `self` checks require (the persona has at least it). */
  loa: string;
  /** Per request. */
  timeoutMs: number;
  /** eDelivery: the participant the message is for, and the one it is from. */
  recipient?: string | undefined;
  sender?: string | undefined;
}

/** A `self` validator's own verdict on the artefact. */
export interface SelfVerdict {
  refused: boolean;
  /** True when the refusal names the case's rule (catalogue id or rule name). */
  namesRule: boolean;
  detail: string;
  status: number;
  excerpt: string;
}

/** What one attempt produced: what was sent, and the target's answer (probed) or a validator's verdict. */
export interface Attempt {
  sent: CaseResult['sent'];
  answer?: TargetAnswer;
  verdict?: SelfVerdict;
}

/** Runs one attempt: `null` is the baseline (no fault). */
export type Driver = (c: AttackCase | null) => Promise<Attempt>;

/** A problem the runner reports as the case's error (the federation or the target did not play along). */
export class AttackError extends Error {
  override readonly name = 'AttackError';
}

/** The target cannot take this case at all (e.g. its request asks for no mdoc): reported as unavailable, not error. */
export class AttackUnavailable extends Error {
  override readonly name = 'AttackUnavailable';
}

/** True when the refusal in `text` names `rule` (`J1 jwt-alg-none`: the id as the failure's rule, or a name). */
export function namesRule(rule: string, failureRule: string | undefined, text: string): boolean {
  const [id, ...names] = rule.split(/\s+/);
  if (failureRule !== undefined && failureRule === id) return true;
  return names.some((n) => n.length > 0 && text.includes(n));
}
