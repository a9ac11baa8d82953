import { defineProject } from 'vitest/config';

export default defineProject({ test: { name: 'evidence', include: ['test/**/*.test.ts'] } });
