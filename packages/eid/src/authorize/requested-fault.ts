import { FAULT_HEADER, FAULT_PARAM, KakehashiError } from '@kakehashi/core';
import type { Context } from 'hono';
import { ID_TOKEN_FAULT_NAMES, isIdTokenFault } from '../id-token/faults.ts';
import type { ProviderContext } from '../provider/provider-context.ts';
import type { PendingRequest } from './z-pending-request.ts';

/**
 * The ID-token fault a login asks for — header `X-Kakehashi-Fault`, else `kakehashi_fault` in `params` (the query
 * of the authorization request, or the picker's form) — checked: offered by this node, allowed per request, and
 * one of the provider's own (`id-token.*`). Undefined when none is asked for; throws `fault-unknown` (400) or
 * `fault-not-per-request` (400) otherwise, before any code is issued.
 */
export function requestedIdTokenFault(ctx: ProviderContext, c: Context, params: URLSearchParams): string | undefined {
  const asked = (c.req.header(FAULT_HEADER) ?? params.get(FAULT_PARAM) ?? '').trim();
  if (!asked) return undefined;
  const name = ctx.deps.faults.requireRequestable(asked);
  if (!isIdTokenFault(name))
    throw new KakehashiError(
      'fault-unknown',
      `The fault "${name.slice(0, 80)}" is not one of the OpenID Connect provider's; a login may ask for id-token.* (GET /admin/faults lists them).`,
      { extra: { requestable: ID_TOKEN_FAULT_NAMES } },
    );
  return name;
}

/** The pending request with the fault the login asked for (a later ask replaces an earlier one). */
export function withRequestedFault(request: PendingRequest, fault: string | undefined): PendingRequest {
  return fault ? { ...request, faults: [fault] } : request;
}
