import { z } from '@hono/zod-openapi';

/** The Traffic Light Protocol 2.0 levels, least restrictive first. @see https://www.first.org/tlp/ */
export const TLP_LEVELS = ['clear', 'green', 'amber', 'amber+strict', 'red'] as const;
export type Tlp = (typeof TLP_LEVELS)[number];
export const TlpSchema = z.enum(TLP_LEVELS);

/** The TLP 2.0 property extension of STIX 2.1 (cti-stix-common-objects, `extension-definition-specifications/tlp-2.0`). */
export const TLP_2_EXTENSION = 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d';

/** The published ids of the TLP 2.0 marking definitions (cti-stix-common-objects). */
export const TLP_MARKING_IDS: Readonly<Record<Tlp, string>> = {
  clear: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  green: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  amber: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'amber+strict': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  red: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
};

/**
 * The TLP 2.0 marking-definition object of `level`, exactly as OASIS publishes it (its id and `created` are part of
 * the published object), so a bundle carries the definitions it references.
 * @see https://github.com/oasis-open/cti-stix-common-objects/tree/main/extension-definition-specifications/tlp-2.0
 */
export function tlpMarkingDefinition(level: Tlp) {
  return {
    type: 'marking-definition' as const,
    spec_version: '2.1' as const,
    id: TLP_MARKING_IDS[level],
    created: '2022-10-01T00:00:00.000Z',
    name: `TLP:${level.toUpperCase()}`,
    extensions: { [TLP_2_EXTENSION]: { extension_type: 'property-extension', tlp_2_0: level } },
  };
}

/** The TLP level of a marking id, if it is one of the TLP 2.0 definitions. */
export function tlpOfMarking(id: string): Tlp | undefined {
  return (Object.entries(TLP_MARKING_IDS) as [Tlp, string][]).find(([, v]) => v === id)?.[0];
}

/** The rank of a level (clear 0 … red 4). */
export function tlpRank(level: Tlp): number {
  return TLP_LEVELS.indexOf(level);
}

/**
 * Who a CSIRT network member may pass an object of `level` to, in the network's terms: CLEAR and GREEN to every
 * member (GREEN: the community, not the public), AMBER to members who need it (the countries the sharer names),
 * AMBER+STRICT only to the receiving organisation itself (the country named, never onwards), RED to no one but the
 * named recipients present (never through the feed).
 * @see https://www.first.org/tlp/ (TLP 2.0 definitions)
 */
export function tlpAllows(level: Tlp, recipient: string, namedRecipients: readonly string[]): boolean {
  if (level === 'clear' || level === 'green') return true;
  if (level === 'red') return false;
  return namedRecipients.length === 0 ? level === 'amber' : namedRecipients.includes(recipient);
}
