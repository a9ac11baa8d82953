/**
 * The test lanes. Every test file belongs to exactly one (a test keeps it so):
 * - `unit`: pure tests beside their package (`packages/<pkg>/test/`, `examples/<app>/test/`) and of the repository
 *   (`tests/unit/`): no process, no port, no external tool (tests/unit/lanes.test.ts checks it, and that each file
 *   is in one lane);
 * - `e2e`: the federation in-process (`tests/e2e/`): fetch routed into the apps, no sockets;
 * - `processes`: tests that spawn processes or open ports (`tests/processes/`, `packages/<pkg>/test/processes/`,
 *   `examples/<app>/test/processes/`);
 *   ports always come from the OS, never from a fixed range;
 * - `conformance`: our output checked by independent external tools — xmllint, xmlsec1, openssl, python3
 *   verifiers (`tests/conformance/`, `packages/<pkg>/test/conformance/`);
 * - `browser`: pages driven in Chromium (`tests/browser/`);
 * - `docker`: the container image built and docker/compose.yaml run (`tests/docker/`), on a Docker engine; skipped
 *   loudly where none answers (`.ci/run` starts one).
 */
export interface Lane {
  name: 'unit' | 'e2e' | 'processes' | 'conformance' | 'browser' | 'docker';
  include: string[];
  exclude?: string[];
  /** Run the lane's files one after another (heavy files that each saturate the machine). */
  serial?: boolean;
  /**
   * The lane's files share one module graph per worker (vitest `isolate: false`): the packages are imported once,
   * not once per file — most of a file's cost where each file starts its own in-process federation. Only for lanes
   * whose files leave no global state behind (no faults or error codes registered by the test itself, no msw
   * server left listening, globals restored).
   */
  sharedModules?: boolean;
}

export const LANES: Lane[] = [
  {
    name: 'unit',
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'tests/unit/**/*.test.ts'],
    exclude: ['packages/*/test/processes/**', 'packages/*/test/conformance/**', 'examples/*/test/processes/**'],
  },
  // Every file starts its own in-process federation and restores what it changes: the packages are imported once
  // (measured on 12 files: 56 → 24 s CPU).
  { name: 'e2e', include: ['tests/e2e/**/*.test.ts'], sharedModules: true },
  {
    name: 'processes',
    include: [
      'tests/processes/**/*.test.ts',
      'packages/*/test/processes/**/*.test.ts',
      'examples/*/test/processes/**/*.test.ts',
    ],
    // Each file starts whole federations as OS processes (the crash test kills and restarts nodes eight times):
    // side by side they would starve each other's processes on a small machine. One after another costs little,
    // the crash test being most of the lane.
    serial: true,
  },
  // Shared modules: the lane's 17 files 39.3 → 18.9 s CPU, all green.
  {
    name: 'conformance',
    include: ['tests/conformance/**/*.test.ts', 'packages/*/test/conformance/**/*.test.ts'],
    sharedModules: true,
  },
  // Each browser file runs a federation and a Chromium: one at a time keeps them within two busy cores.
  { name: 'browser', include: ['tests/browser/**/*.test.ts'], serial: true },
  { name: 'docker', include: ['tests/docker/**/*.test.ts'] },
];

/**
 * Timeouts every lane applies. Generous on purpose: CI machines are shared, and a test must pass while both
 * cores are busy with something else. Performance is measured by the bench, never by a timeout.
 */
export const TEST_TIMEOUTS = { testTimeout: 120_000, hookTimeout: 180_000 } as const;
