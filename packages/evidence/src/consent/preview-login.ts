import { createHash, randomBytes } from 'node:crypto';
import { type Check, KakehashiError } from '@kakehashi/core';
import type { EvidenceContext } from '../context.ts';
import '../error-codes.ts';
import { PREVIEW_PATH, type PreviewRow } from './preview-store.ts';

/** The relying party the provider registers at its own OIDC provider for the preview's re-authentication. */
export const PREVIEW_CLIENT = 'kakehashi-evidence-preview';

/** The citizen's re-authentication at the provider before the preview (OIDC code flow with PKCE, at this node). */
export interface PreviewLogin {
  /** Where to send the browser to log in for preview `previewId` (this node's authorization endpoint). */
  start(previewId: string, persona: string | undefined): Promise<string>;
  /**
   * The callback: the code redeemed, the ID token validated by the node's validation service, the person
   * resolved and compared with the one the request names. Answers the preview and a new session id.
   */
  complete(
    query: { state?: string | undefined; code?: string | undefined; error?: string | undefined },
    fetcher: typeof fetch,
  ): Promise<{ row: PreviewRow; session: string }>;
}

/**
 * The preview login of the provider side. The client is registered through the node port (in-process, before
 * every login: an admin reset of the node drops registered clients), with a secret that lives as long as the
 * block. Nothing is sent before the same person, re-authenticated at the provider, decides.
 * @see https://ec.europa.eu/digital-building-blocks/sites/display/OOTS/Technical+Design+Documents (ch. 4.9 preview)
 * @see https://www.rfc-editor.org/rfc/rfc7636 (PKCE)
 */
export function createPreviewLogin(ctx: EvidenceContext): PreviewLogin {
  const { deps, previews } = ctx;
  const clientSecret = randomBytes(24).toString('base64url');
  const callbackUrl = `${deps.publicUrl}${PREVIEW_PATH}callback`;

  const start = async (previewId: string, persona: string | undefined): Promise<string> => {
    await deps.node.registerOidcClient({
      client_id: PREVIEW_CLIENT,
      client_secret: clientSecret,
      redirect_uris: [callbackUrl],
      token_endpoint_auth_method: 'client_secret_basic',
    });
    const state = randomBytes(24).toString('base64url');
    const nonce = randomBytes(16).toString('base64url');
    const verifier = randomBytes(32).toString('base64url');
    previews.startLogin(previewId, state, nonce, verifier);
    const q = new URLSearchParams({
      client_id: PREVIEW_CLIENT,
      redirect_uri: callbackUrl,
      response_type: 'code',
      scope: 'openid',
      state,
      nonce,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      acr_values: 'http://eidas.europa.eu/LoA/substantial',
    });
    // TEST ONLY: a persona to log in headless (Japan's card login ignores it and shows the card reader).
    if (persona && deps.country !== 'JP') q.set('kakehashi_persona', persona);
    return `${deps.publicUrl}/oidc/authorize?${q}`;
  };

  const complete: PreviewLogin['complete'] = async (query, fetcher) => {
    const taken = query.state ? previews.takeLogin(query.state) : undefined;
    if (!taken)
      throw new KakehashiError(
        'evidence-preview-login-required',
        'This login answer is unknown or was used; open the preview again.',
      );
    const { row } = taken;
    if (query.error)
      throw new KakehashiError(
        'evidence-preview-login-required',
        `The login at ${deps.country} did not succeed (${query.error.slice(0, 60)}).`,
      );
    const token = await ctx.api.redeem(fetcher, {
      clientId: PREVIEW_CLIENT,
      secret: clientSecret,
      code: query.code ?? '',
      redirectUri: callbackUrl,
      verifier: taken.verifier,
    });
    const verdict = await ctx.api.validateIdToken(fetcher, token, {
      issuer: deps.publicUrl,
      audience: PREVIEW_CLIENT,
      nonce: taken.nonce,
    });
    // The token was just validated by the node's own service: its claims are read, not verified again.
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      eidas_person_identifier?: string;
    };
    const handle =
      verdict.valid && claims.eidas_person_identifier
        ? await deps.source.resolve(claims.eidas_person_identifier)
        : undefined;
    const same = handle !== undefined && handle === row.handle;
    const checks: Check[] = [
      {
        rule: 'ID token (J1–J17)',
        outcome: verdict.valid ? 'passed' : 'failed',
        reason: verdict.failure?.reason ?? 'valid',
      },
      {
        rule: 'same person as the request',
        outcome: same ? 'passed' : 'failed',
        reason: same ? 'the login resolves to the person the request names' : 'another person logged in',
      },
    ];
    ctx.trace(
      row.traceId,
      'preview login: the citizen re-authenticated at the provider',
      { preview: row.id, personIdentifier: claims.eidas_person_identifier },
      { valid: verdict.valid && same, checks },
    );
    if (!verdict.valid)
      throw new KakehashiError(
        'evidence-preview-login-required',
        `The login could not be verified: ${verdict.failure?.reason ?? 'invalid'}.`,
      );
    if (!same) {
      previews.identityMismatch(row.id);
      throw new KakehashiError(
        'evidence-preview-subject-mismatch',
        'The person who logged in is not the person the evidence request names; nothing will be sent.',
        { extra: { returnUrl: row.returnUrl } },
      );
    }
    const session = randomBytes(24).toString('base64url');
    previews.authenticate(row.id, session);
    return { row, session };
  };

  return { start, complete };
}
