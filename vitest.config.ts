import { defineConfig } from 'vitest/config';
import { LANES, TEST_TIMEOUTS } from './tests/lanes.ts';

/**
 * One vitest project per test lane (see tests/lanes.ts): `./kakehashi test --lane <name>` runs one,
 * `./kakehashi test` all of them. Every project gets the shared timeouts: the machines are shared and noisy.
 */
export default defineConfig({
  test: {
    ...TEST_TIMEOUTS,
    projects: LANES.map((lane) => ({
      test: {
        ...TEST_TIMEOUTS,
        name: lane.name,
        include: lane.include,
        exclude: ['**/node_modules/**', ...(lane.exclude ?? [])],
        ...(lane.serial ? { fileParallelism: false } : {}),
        ...(lane.sharedModules ? { isolate: false } : {}),
      },
    })),
  },
});
