import { LOA, type Loa } from '@kakehashi/personas';

/** The eIDAS levels of assurance, lowest first. */
export const LOA_ORDER: readonly Loa[] = [LOA.low, LOA.substantial, LOA.high];

/** Rank of a LoA URI (1 = low … 3 = high), 0 for anything that is not an eIDAS LoA URI. */
export function loaRank(value: string): number {
  return LOA_ORDER.indexOf(value as Loa) + 1;
}

/** The LoA URIs a scheme of level `max` can satisfy, lowest first (what discovery lists as acr_values_supported). */
export function loasUpTo(max: Loa): Loa[] {
  return LOA_ORDER.filter((l) => loaRank(l) <= loaRank(max));
}

/**
 * Chooses the acr of an authentication: the LOWEST requested eIDAS LoA that the node can satisfy (eIDAS
 * requests a minimum, `Comparison="minimum"`), or undefined when none can be met. Unknown values are ignored.
 * With no request, the node's own level.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest (acr_values)
 */
export function chooseAcr(requested: readonly string[], nodeLoa: Loa): Loa | undefined {
  if (requested.length === 0) return nodeLoa;
  const satisfiable = requested
    .filter((r) => loaRank(r) > 0 && loaRank(r) <= loaRank(nodeLoa))
    .sort((a, b) => loaRank(a) - loaRank(b));
  return satisfiable[0] as Loa | undefined;
}

/** The authentication methods (RFC 8176 `amr`) Kakehashi reports for a level. */
export function amrFor(loa: Loa): string[] {
  if (loa === LOA.high) return ['hwk', 'pin', 'mfa'];
  if (loa === LOA.substantial) return ['pwd', 'otp', 'mfa'];
  return ['pwd'];
}
