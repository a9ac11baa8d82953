import { defineProject } from 'vitest/config';

export default defineProject({ test: { name: 'personas', include: ['test/**/*.test.ts'] } });
