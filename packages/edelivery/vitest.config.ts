import { defineProject } from 'vitest/config';

export default defineProject({ test: { name: 'edelivery', include: ['test/**/*.test.ts'] } });
