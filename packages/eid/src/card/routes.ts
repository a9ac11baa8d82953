import { createRoute } from '@hono/zod-openapi';
import { type ComponentApp, createRouteModule, problemResponses } from '@kakehashi/core';
import type { Context } from 'hono';
import { completeLogin, consumePending } from '../authorize/login-flow.ts';
import '../error-codes.ts';
import { oauthError } from '../errors/oauth-error.ts';
import { identityFromPersona } from '../id-token/build-identity.ts';
import { readOAuthForm } from '../provider/oauth-http.ts';
import type { ProviderContext } from '../provider/provider-context.ts';
import { type CardLoginDeps, type CardSignature, cardChallenge, verifyCardLogin } from './card-login.ts';

const tags = ['eid'];
const responses = {
  303: { description: 'To the relying party with a code (or an OAuth error)' },
  ...problemResponses(400, 403),
};

/**
 * Japan: login with the Individual Number Card's user-authentication certificate, and the TEST-ONLY simulated
 * card reader (only when the node wires one).
 * @see shared/design/jp-cooperation-network.md (JPKI user authentication)
 */
export function cardRoutes(ctx: ProviderContext, card: CardLoginDeps): ComponentApp {
  const r = createRouteModule();
  r.openapi(
    createRoute({
      method: 'post',
      path: '/oidc/card-login',
      tags,
      summary:
        "Login with the Individual Number Card: request_id, certificate (base64 DER of the user-authentication certificate), chain (comma-separated base64 DER), signature (base64 RSA-SHA256 over the picker's challenge `kakehashi-card-login/v1|<issuer>|<request_id>`); 303 to the RP",
      responses,
    }),
    async (c) => {
      const form = await readOAuthForm(c);
      return loginWithCard(ctx, card, c, form.get('request_id') ?? '', {
        certificate: form.get('certificate') ?? '',
        chain: (form.get('chain') ?? '').split(',').filter((x) => x.length > 0),
        signature: form.get('signature') ?? '',
      });
    },
  );
  const read = card.readCard;
  if (read)
    r.openapi(
      createRoute({
        method: 'post',
        path: '/oidc/card-reader',
        tags,
        summary:
          "TEST ONLY simulated card reader: request_id and persona; the persona's mock card signs the challenge, then the same checks as /oidc/card-login",
        responses,
      }),
      async (c) => {
        const form = await readOAuthForm(c);
        const requestId = form.get('request_id') ?? '';
        const personaId = form.get('persona') ?? '';
        if (!ctx.personas.has(personaId))
          throw oauthError('oidc-invalid-request', `No card for "${personaId.slice(0, 40)}" in the simulated reader.`);
        return loginWithCard(ctx, card, c, requestId, read(personaId, cardChallenge(ctx.issuer, requestId)));
      },
    );
  return r;
}

/** Verifies the card's signature over this request's challenge, then completes the pending request (303). */
function loginWithCard(
  ctx: ProviderContext,
  card: CardLoginDeps,
  c: Context,
  requestId: string,
  signature: CardSignature,
): Response {
  const personaId = verifyCardLogin(card, cardChallenge(ctx.issuer, requestId), signature, ctx.deps.clock.now());
  const persona = ctx.personas.get(personaId);
  if (!persona) throw oauthError('oidc-access-denied', 'The card holder is not a person of this IdP.', 'JPKI');
  return completeLogin(ctx, c, consumePending(ctx, requestId), identityFromPersona(persona), 303);
}
