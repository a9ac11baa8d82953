import { defineProject } from 'vitest/config';

export default defineProject({ test: { name: 'trust', include: ['test/**/*.test.ts'] } });
