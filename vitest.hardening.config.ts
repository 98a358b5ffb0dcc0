/**
 * `npm run test:hardening`: the attack-and-fault suite (test/hardening), apart from `npm test`
 * because it runs for minutes. Files run one at a time: several hammer a daemon with load, and on
 * a 2-core machine two of them at once would measure each other rather than the daemon.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/hardening/**/*.test.ts'],
    globalSetup: ['test/hardening/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 240_000,
    hookTimeout: 60_000,
  },
});
