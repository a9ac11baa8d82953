import { defineProject } from 'vitest/config';

export default defineProject({ test: { name: 'hub', include: ['test/**/*.test.ts'] } });
