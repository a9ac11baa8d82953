import { isKakehashiError } from '@kakehashi/core';
import { z } from 'zod';
import type { ConsoleDeps } from '../console-deps.ts';
import { getUpstreamJson } from './upstream.ts';

const OpenApiPathsSchema = z.looseObject({ paths: z.record(z.string(), z.record(z.string(), z.unknown())) });

export interface PortalStatus {
  available: boolean;
  country: 'JP';
  /** The portal page on Japan's node, when it serves one. */
  url?: string | undefined;
  /** Every `/jp/portal…` path Japan's node documents. */
  paths: string[];
  reason?: string | undefined;
}

/**
 * Whether Japan's node serves the citizen portal: detected from the paths its `/openapi.json` documents (the
 * portal is a separate work item; the console links it as soon as it appears, and says so when it does not).
 */
export async function detectPortal(deps: ConsoleDeps): Promise<PortalStatus> {
  const jp = deps.nodes.JP;
  if (!jp)
    return { available: false, country: 'JP', paths: [], reason: "Japan's node is not part of this federation." };
  try {
    const doc = await getUpstreamJson(deps, `${jp}/openapi.json`, OpenApiPathsSchema, 'Node JP');
    const paths = Object.keys(doc.paths)
      .filter((p) => p === '/jp/portal' || p.startsWith('/jp/portal/'))
      .sort();
    const page = ['/jp/portal', '/jp/portal/'].find((p) => doc.paths[p]?.get !== undefined);
    if (!page)
      return {
        available: false,
        country: 'JP',
        paths,
        reason:
          paths.length > 0
            ? "Japan's node documents portal APIs but no portal page (GET /jp/portal)."
            : "Japan's node does not serve a citizen portal yet (no /jp/portal path in its /openapi.json).",
      };
    return { available: true, country: 'JP', url: `${jp}${page}`, paths };
  } catch (e) {
    return { available: false, country: 'JP', paths: [], reason: isKakehashiError(e) ? e.message : 'no answer' };
  }
}
