import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The attack-and-fault suite runs for minutes: `npm run test:hardening` (vitest.hardening.config.ts).
    exclude: ['test/hardening/**', 'node_modules/**'],
    // e2e tests start real daemons and peers; give them room on a noisy 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
