import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Vitest's default is one worker per core less one: a single worker on a 2-core machine. Many
    // files wait on Chromium, bundlers or child processes, so one per core keeps both cores busy.
    maxWorkers: Math.max(2, availableParallelism()),
  },
});
