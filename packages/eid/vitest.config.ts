import { defineProject } from 'vitest/config';

export default defineProject({ test: { name: 'eid', include: ['test/**/*.test.ts'] } });
