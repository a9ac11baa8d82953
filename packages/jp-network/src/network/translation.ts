import { KakehashiError } from '@kakehashi/core';
import { lookupLinkId, resolveCode } from './code-index.ts';
import type { NetworkContext } from './context.ts';

/**
 * Translates the requester's code into the provider's code for the same person: resolve the requester's code
 * to the link id, recompute the provider's current code from it. Reconciliation: the requester's code is
 * recomputed from the resolved link id and must equal the code presented, and the provider's code must map
 * back to the same link id in the index — so a wrong mapping (fault `index-wrong-mapping`) is caught before any
 * provider sees a code. Neither side ever receives the other's code.
 */
export function translateCode(
  ctx: NetworkContext,
  requester: string,
  code: string,
  provider: string,
): { linkId: Buffer; providerCode: string } {
  const { linkId, version } = resolveCode(ctx, requester, code);
  if (ctx.custodian.agencyCode(requester, version, linkId, 'network/reconciliation') !== code)
    throw new KakehashiError(
      'jp-reconciliation-failed',
      'The code index resolved the requester code to another person; the exchange was stopped and recorded.',
      { rule: 'translation reconciliation (property 8)' },
    );
  const providerVersion = ctx.custodian.currentAgencyVersion(provider, 'network/translation');
  const providerCode = ctx.custodian.agencyCode(provider, providerVersion, linkId, 'network/translation');
  const back = lookupLinkId(ctx, provider, providerCode);
  if (!back)
    throw new KakehashiError(
      'jp-subject-not-held',
      `${provider} holds no record of this person (no code was issued to it).`,
    );
  if (!back.equals(linkId))
    throw new KakehashiError('jp-reconciliation-failed', 'The provider code does not map back to the same person.', {
      rule: 'translation reconciliation (property 8)',
    });
  return { linkId, providerCode };
}
