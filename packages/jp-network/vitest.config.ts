import { defineProject } from 'vitest/config';

export default defineProject({ test: { name: 'jp-network', include: ['test/**/*.test.ts'] } });
