/**
 * The federation's switchable faults: each names one deliberate misbehaviour of one block — a forged artefact
 * (an ID token signed with `alg: none`), a lenient validator (the weak node mode), an outage, or an incident. All are
 * off by default; each block declares its own with {@link defineFaults}, beside the code that honours them, and a
 * component offers the faults of the blocks it mounts on one surface, `GET`/`PUT /admin/faults`.
 * @see ../../../../../shared/design/attack-catalogue.md
 */

/** What a fault does when it is on. */
export type FaultKind =
  /** The component produces a deliberately bad artefact (a token, assertion, signature, message, list). */
  | 'forge'
  /** The component's validator accepts what the strict default refuses (the weak node mode: `lenient.*`). */
  | 'lenient'
  /** The component fails or answers slowly (an outage a caller must survive). */
  | 'outage'
  /** A real incident reproduced (Japan's network). */
  | 'incident';

/** One fault as its block declares it. */
export interface FaultDefinition {
  /** Dotted, lower case, stable: `id-token.alg-none`, `saml.wrapped-assertion`, `lenient.id-token.alg-none`. */
  name: string;
  /** The block that owns it: `eid`, `esig`, `trust`, `edelivery`, `hub`, `jp-network`. */
  block: string;
  kind: FaultKind;
  /** What happens while it is on, in one sentence. */
  description: string;
  /**
   * The rule a strict peer names when it refuses the result: the attack catalogue's id (`J1`, `S10`, `C3`, `E4`)
   * and, where it differs, the check's own rule name.
   */
  rule?: string;
  /**
   * True when one request may ask for it alone (`kakehashi_fault=<name>` on the authorize request or the SAML
   * connector's login URL, or the header `X-Kakehashi-Fault`), leaving the switch off for everyone else.
   */
  perRequest?: boolean;
}

const NAME = /^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+(-[a-z0-9]+)*)*$/;
const REGISTRY = new Map<string, FaultDefinition>();

/**
 * Registers a block's faults (at the import of the block) and returns them. A name belongs to one block: a second
 * owner for the same name is a programming error and throws at once.
 */
export function defineFaults<const T extends readonly Omit<FaultDefinition, 'block'>[]>(
  block: string,
  defs: T,
): readonly (T[number] & { block: string })[] {
  const out = defs.map((d) => ({ ...d, block }));
  for (const d of out) {
    if (!NAME.test(d.name)) throw new Error(`fault "${d.name}" of ${block} is not a dotted kebab-case name`);
    const known = REGISTRY.get(d.name);
    if (known && known.block !== block)
      throw new Error(`fault "${d.name}" is declared by both ${known.block} and ${block}`);
    REGISTRY.set(d.name, d);
  }
  return out;
}

/** Every registered fault, in registration order. */
export function registeredFaults(): FaultDefinition[] {
  return [...REGISTRY.values()];
}

/** The definition of a registered fault, or undefined. */
export function faultDefinition(name: string): FaultDefinition | undefined {
  return REGISTRY.get(name);
}

/** Renders faults as the Markdown table the README carries (one row per fault). */
export function renderFaultsTable(faults: readonly FaultDefinition[] = registeredFaults()): string {
  const rows = faults.map(
    (f) =>
      `| \`${f.name}\` | ${f.block} | ${f.kind} | ${f.rule ?? ''} | ${f.perRequest ? 'yes' : ''} | ${f.description.replaceAll('|', '\\|')} |`,
  );
  return [
    '| fault | block | kind | rule | per request | while on |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}
