import { AsyncLocalStorage } from 'node:async_hooks';
import type { SecurityEvents } from '../security/security-events.ts';
import type { TraceContext } from './trace-context.ts';

/** The faults one request asked for and those that fired while it was served (its trace hop carries them). */
export interface FaultScope {
  requested: Set<string>;
  fired: string[];
}

/** The component's recorder and the rules already recorded for the request being served (one event per rule). */
export interface SecurityScope {
  events: SecurityEvents;
  recorded: Set<string>;
  peer: string | undefined;
  traceId: string | undefined;
}

/**
 * What the code serving one request finds without its context threaded through every function: the request's span,
 * its fault scope and its component's security scope. One async context holds the three, opened once per request by
 * the component middleware (one `AsyncLocalStorage.run` where there were three, each copying the async context
 * frame); each member still has its own reader and its own runner (`currentTrace`, `runInFaultScope`…), which
 * replace only their member and keep the others.
 */
export interface RequestScope {
  /** The span of the request being served. */
  trace?: TraceContext | undefined;
  /** The faults the request asked for and those that fired. */
  faults?: FaultScope | undefined;
  /** The security events of the component serving it. */
  security?: SecurityScope | undefined;
}

const SCOPE = new AsyncLocalStorage<RequestScope>();

/** The scope of the request this code runs for (undefined outside any). */
export function currentRequestScope(): RequestScope | undefined {
  return SCOPE.getStore();
}

/** Runs `fn` with `scope` as the whole request scope (members it leaves undefined are absent inside). */
export function runInRequestScope<T>(scope: RequestScope, fn: () => T): T {
  return SCOPE.run(scope, fn);
}

/** Runs `fn` with one member of the current request scope replaced, the others kept. */
export function runWithScopeMember<K extends keyof RequestScope, T>(member: K, value: RequestScope[K], fn: () => T): T {
  return SCOPE.run({ ...SCOPE.getStore(), [member]: value }, fn);
}
