import { randomUUID } from 'node:crypto';
import type { Watchable } from '@kakehashi/core';
import { TLP_MARKING_IDS, type Tlp, tlpMarkingDefinition, tlpOfMarking } from './tlp.ts';

/**
 * STIX 2.1 objects as the CSIRT network exchanges them: the sharer's `identity`, an `indicator` per identifier a
 * defender can act on, a `sighting` of it, an `incident` stub, wrapped in a `bundle` that carries the TLP 2.0
 * marking definitions it references. Ids are `type--UUIDv4` (a SHOULD for SDOs, SROs and bundles); timestamps are
 * UTC with milliseconds and a `Z`.
 * @see https://docs.oasis-open.org/cti/stix/v2.1/os/stix-v2.1-os.html
 */
export type StixObject = { type: string; id: string; spec_version?: string; [property: string]: unknown };
export interface StixBundle {
  type: 'bundle';
  id: string;
  objects: StixObject[];
}

const stixId = (type: string) => `${type}--${randomUUID()}`;

/** A STIX timestamp (RFC 3339, UTC, milliseconds). */
export function stixTime(d: Date): string {
  return d.toISOString();
}

function common(type: string, now: Date, tlp: Tlp, createdBy?: string) {
  const t = stixTime(now);
  return {
    type,
    spec_version: '2.1' as const,
    id: stixId(type),
    created: t,
    modified: t,
    ...(createdBy ? { created_by_ref: createdBy } : {}),
    object_marking_refs: [TLP_MARKING_IDS[tlp]],
  };
}

/** The sharing CSIRT (or Japan's pseudonymous sharer) as a STIX `identity`. */
export function stixIdentity(name: string, now: Date, opts: { sectors?: string[]; description?: string } = {}) {
  const t = stixTime(now);
  return {
    type: 'identity',
    spec_version: '2.1',
    id: stixId('identity'),
    created: t,
    modified: t,
    name,
    identity_class: 'organization',
    ...(opts.sectors ? { sectors: opts.sectors } : {}),
    ...(opts.description ? { description: opts.description } : {}),
  } satisfies StixObject;
}

/** How each watchable identifier is written as a STIX pattern (standard objects where one fits, `x-kakehashi-*` else). */
const PATTERNS: Record<Watchable | 'artefactHash', { pattern: (v: string) => string; read: RegExp }> = {
  keyThumbprint: {
    pattern: (v) => `[x-kakehashi-jwk:thumbprint_sha256 = '${v}']`,
    read: /^\[x-kakehashi-jwk:thumbprint_sha256 = '([A-Za-z0-9_-]{43})'\]$/,
  },
  kid: {
    pattern: (v) => `[x-kakehashi-jwk:kid = '${v}']`,
    read: /^\[x-kakehashi-jwk:kid = '([A-Za-z0-9._:-]{1,128})'\]$/,
  },
  certificateFingerprint: {
    pattern: (v) => `[x509-certificate:hashes.'SHA-256' = '${v}']`,
    read: /^\[x509-certificate:hashes\.'SHA-256' = '([0-9a-f]{64})'\]$/,
  },
  issuer: { pattern: (v) => `[url:value = '${v}']`, read: /^\[url:value = '(https?:\/\/[^'\\\s]{1,300})'\]$/ },
  participant: {
    pattern: (v) => `[x-kakehashi-participant:id = '${v}']`,
    read: /^\[x-kakehashi-participant:id = '([A-Za-z0-9.:_\-/#@+]{1,200})'\]$/,
  },
  artefactHash: {
    pattern: (v) => `[artifact:hashes.'SHA-256' = '${v}']`,
    read: /^\[artifact:hashes\.'SHA-256' = '([0-9a-f]{64})'\]$/,
  },
};

export type IndicatorKind = keyof typeof PATTERNS;

/** An `indicator` naming one identifier, with the rule that caught it (`x_kakehashi_rule`). */
export function stixIndicator(input: {
  kind: IndicatorKind;
  value: string;
  now: Date;
  tlp: Tlp;
  createdBy: string;
  rule: string;
  validUntil?: Date | undefined;
}) {
  return {
    ...common('indicator', input.now, input.tlp, input.createdBy),
    name: `${input.kind} refused by ${input.rule}`,
    indicator_types: ['malicious-activity'],
    pattern: PATTERNS[input.kind].pattern(input.value),
    pattern_type: 'stix',
    pattern_version: '2.1',
    valid_from: stixTime(input.now),
    ...(input.validUntil ? { valid_until: stixTime(input.validUntil) } : {}),
    x_kakehashi_rule: input.rule,
  } satisfies StixObject;
}

/** The identifier an indicator's pattern names (only the patterns {@link stixIndicator} writes), if any. */
export function readIndicatorPattern(pattern: string): { kind: IndicatorKind; value: string } | undefined {
  for (const [kind, p] of Object.entries(PATTERNS) as [IndicatorKind, (typeof PATTERNS)[IndicatorKind]][]) {
    const m = p.read.exec(pattern);
    if (m) return { kind, value: m[1] as string };
  }
  return undefined;
}

/** A `sighting` of an indicator: how often, when, and by whom (`where_sighted_refs`). */
export function stixSighting(input: {
  indicator: string;
  now: Date;
  tlp: Tlp;
  createdBy: string;
  count: number;
  firstSeen: Date;
  lastSeen: Date;
}) {
  return {
    ...common('sighting', input.now, input.tlp, input.createdBy),
    sighting_of_ref: input.indicator,
    count: input.count,
    first_seen: stixTime(input.firstSeen),
    last_seen: stixTime(new Date(Math.max(input.lastSeen.getTime(), input.firstSeen.getTime()))),
    where_sighted_refs: [input.createdBy],
  } satisfies StixObject;
}

/** The `incident` stub of STIX 2.1 (name and description). */
export function stixIncident(input: { name: string; description: string; now: Date; tlp: Tlp; createdBy: string }) {
  return {
    ...common('incident', input.now, input.tlp, input.createdBy),
    name: input.name,
    description: input.description,
  } satisfies StixObject;
}

/** A `relationship` (`indicates`, `related-to`, …) between two objects. */
export function stixRelationship(input: {
  type: string;
  source: string;
  target: string;
  now: Date;
  tlp: Tlp;
  createdBy: string;
}) {
  return {
    ...common('relationship', input.now, input.tlp, input.createdBy),
    relationship_type: input.type,
    source_ref: input.source,
    target_ref: input.target,
  } satisfies StixObject;
}

/** A bundle of `objects` and the TLP marking definitions they reference (each once, after them). */
export function stixBundle(objects: readonly StixObject[]): StixBundle {
  const markings = new Set<string>();
  for (const o of objects)
    for (const ref of (o.object_marking_refs as string[] | undefined) ?? []) if (tlpOfMarking(ref)) markings.add(ref);
  const withoutMarkings = objects.filter((o) => o.type !== 'marking-definition');
  return {
    type: 'bundle',
    id: stixId('bundle'),
    objects: [
      ...withoutMarkings,
      ...[...markings].map((id) => tlpMarkingDefinition(tlpOfMarking(id) as Tlp) as unknown as StixObject),
    ],
  };
}

/** The TLP of an object (its first TLP 2.0 marking), `clear` when unmarked is not assumed: unmarked is `amber`. */
export function tlpOf(o: StixObject): Tlp {
  for (const ref of (o.object_marking_refs as string[] | undefined) ?? []) {
    const level = tlpOfMarking(ref);
    if (level) return level;
  }
  return 'amber';
}
