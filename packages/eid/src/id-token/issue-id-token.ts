import { randomBytes } from 'node:crypto';
import { KakehashiError } from '@kakehashi/core';
import type { Loa } from '@kakehashi/personas';
import { sectorOf } from '../authorize/validate-authorization-request.ts';
import { amrFor, LOA_ORDER, loaRank } from '../loa/loa.ts';
import type { ProviderContext } from '../provider/provider-context.ts';
import { identityFromPersona } from './build-identity.ts';
import { buildIdentityClaims } from './build-identity-claims.ts';
import { type IdTokenFault, isIdTokenFault } from './faults.ts';
import { forgeIdToken, idTokenFaultInForce } from './forge-id-token.ts';
import { ID_TOKEN_TTL_SECONDS, signIdToken } from './sign-id-token.ts';

/** What a test asks for: whose token, for which relying party, and anything to add or replace. */
export interface IssueIdTokenInput {
  /** A persona of the node (`de-001`): the token is about them, with their eIDAS minimum data set. */
  personaId: string;
  /**
   * The relying party (`aud`, `azp`). When it is registered at the node, its signing algorithm, pairwise sector and
   * country apply as at its token endpoint; any other audience gets RS256, the node's own country as destination.
   */
  audience: string;
  /** The redirect URI the relying party would use: its host is the pairwise sector when none is registered. */
  redirectUri?: string;
  nonce?: string;
  /** An eIDAS LoA URI; default the highest the persona reaches at this node (as a login without `acr_values`). */
  acr?: Loa;
  /** Claims added or replaced after the node's own (e.g. `exp` in the past, another `iss`): the token stays signed. */
  claims?: Record<string, unknown>;
  /**
   * An ID-token fault (`id-token.alg-none`, …): the token gets exactly that defect, as a login asking for it with
   * `kakehashi_fault` would. Faults switched on at the node apply too.
   */
  fault?: IdTokenFault;
}

/**
 * Issues an ID token for a persona as the node's token endpoint would after a login — same claims, same key, same
 * lifetime on the virtual clock — without the authorization code flow. IN-PROCESS ONLY: no route reaches it; test kits
 * (`@kakehashi/msw`'s `issueIdToken`) call it on a node they run in their own process, as mock-oauth2-server's
 * `issueToken` does. TEST ONLY keys.
 */
export async function issueIdToken(ctx: ProviderContext, input: IssueIdTokenInput): Promise<string> {
  const persona = ctx.personas.get(input.personaId);
  if (!persona)
    throw new KakehashiError(
      'not-found',
      `No persona "${input.personaId.slice(0, 60)}" at node ${ctx.deps.country}; GET /personas lists them.`,
    );
  const identity = identityFromPersona(persona);
  const client = ctx.clients.get(input.audience);
  const redirectUri = input.redirectUri ?? client?.registration.redirect_uris[0] ?? 'http://127.0.0.1/callback';
  const sector = client ? sectorOf(client, redirectUri) : new URL(redirectUri).hostname.toLowerCase();
  const acr = input.acr ?? (LOA_ORDER[Math.min(loaRank(identity.loa), loaRank(ctx.deps.loa)) - 1] as Loa | undefined);
  if (!acr) throw new KakehashiError('validation-failed', `No level of assurance for ${input.personaId}.`);
  const now = ctx.nowSeconds();
  const claims = {
    iss: ctx.issuer,
    ...buildIdentityClaims({
      keys: ctx.keys,
      country: ctx.deps.country,
      destination: client?.registration.country ?? ctx.deps.country,
      sector,
      identity,
      identifiers: ctx.deps.identifiers,
    }),
    aud: input.audience,
    azp: input.audience,
    exp: now + ID_TOKEN_TTL_SECONDS,
    iat: now,
    auth_time: now,
    nonce: input.nonce ?? randomBytes(16).toString('base64url'),
    acr,
    amr: amrFor(acr),
    ...input.claims,
  };
  const alg = client?.registration.id_token_signed_response_alg ?? 'RS256';
  if (input.fault && !isIdTokenFault(input.fault))
    throw new KakehashiError('fault-unknown', `"${String(input.fault).slice(0, 80)}" is not an ID-token fault.`);
  const fault = idTokenFaultInForce(ctx.deps.faults, input.fault ? [input.fault] : undefined, {
    audience: input.audience,
  });
  if (fault)
    return (
      await forgeIdToken(fault, claims, {
        alg,
        keys: await ctx.signingKeys(),
        seed: ctx.deps.config.get('seed'),
        country: ctx.deps.country,
        nodeCertPem: ctx.deps.signing.certPem,
        nowSeconds: ctx.nowSeconds(),
      })
    ).token;
  return (await signIdToken(claims, alg, await ctx.signingKeys())).token;
}
