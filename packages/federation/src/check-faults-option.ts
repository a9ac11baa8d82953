import { KakehashiError, registeredFaults } from '@kakehashi/core';

/**
 * Checks the `faults` option before anything starts: every entry (`name`, `pattern.*`, `*`, each optionally after
 * `hub:` or a country code of the federation) must name at least one fault some block declares, and its scope
 * must be the hub or one of the federation's countries. A typo would otherwise start a federation without the
 * weakness the tester meant to switch on. Throws `config-invalid` naming the entry and the known faults.
 */
export function checkFaultsOption(entries: readonly string[], countries: readonly string[]): void {
  const known = registeredFaults().map((f) => f.name);
  for (const raw of entries) {
    const entry = raw.trim();
    const colon = entry.indexOf(':');
    const scope = colon > 0 ? entry.slice(0, colon) : undefined;
    const pattern = colon > 0 ? entry.slice(colon + 1) : entry;
    if (scope !== undefined && scope.toLowerCase() !== 'hub' && !countries.includes(scope.toUpperCase()))
      throw new KakehashiError(
        'config-invalid',
        `Option faults: "${entry.slice(0, 80)}" is scoped to "${scope.slice(0, 10)}", which is neither hub nor a country of this federation (${countries.join(', ')}).`,
      );
    if (matches(pattern, known).length === 0)
      throw new KakehashiError(
        'config-invalid',
        `Option faults: "${entry.slice(0, 80)}" names no fault of any component. Known faults: ${known.join(', ')}.`,
        { extra: { known } },
      );
  }
}

/** The names a fault pattern covers: a name, `prefix.*`, or `*` (as the components' switchboards read them). */
function matches(pattern: string, names: readonly string[]): string[] {
  if (pattern === '*') return [...names];
  if (pattern.endsWith('.*')) return names.filter((n) => n.startsWith(pattern.slice(0, -1)));
  return names.filter((n) => n === pattern);
}

/** The `faults` entries `--weak-node` adds: every lenient validator of each named node (`DE:lenient.*`). */
export function weakNodeFaults(values: readonly string[]): string[] {
  return values
    .flatMap((v) => v.split(','))
    .map((cc) => cc.trim().toUpperCase())
    .filter(Boolean)
    .map((cc) => `${cc}:lenient.*`);
}
