import { defineConfig } from 'vitest/config';

/** One vitest project per package, plus the cross-package `tests/` lane. */
export default defineConfig({
  test: {
    projects: ['packages/*', 'tests'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
