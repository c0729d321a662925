// End-to-end tests: the real server (e2e/server.ts starts it on a fresh SQLite database with
// the demo county) and the built app in Debian's Chromium at a phone's size. `make test-e2e`.
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    environment: 'node',
    include: ['e2e/**/*.e2e.ts'],
    globalSetup: ['e2e/server.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // one browser at a time: CI has two cores and the server wants one
    fileParallelism: false,
    maxWorkers: 1,
  },
})
