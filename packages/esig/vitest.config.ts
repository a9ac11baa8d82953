import { defineProject } from 'vitest/config';

export default defineProject({ test: { name: 'esig', include: ['test/**/*.test.ts'] } });
