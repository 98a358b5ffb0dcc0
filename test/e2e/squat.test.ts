/**
 * Issue #14, case 1: with neither XDG_RUNTIME_DIR nor AGENTID_HOME set the socket is
 * /tmp/agentid-<uid>/agentid.sock, and another uid creates that directory first and listens on a
 * 0777 socket there. Every client (CLI commands that carry secrets, both git helpers, both
 * credential_process helpers, the MCP proxy) must refuse with ERR_PATHS_UNSAFE_DIR and exit 5,
 * and the impostor must not receive a single byte. Also when the squatter keeps the directory 0700
 * (once `connect EACCES (ERR_DAEMON_PROTOCOL)` for a user, an open door for root).
 */
import { describe, expect, it } from 'vitest';
import { notRefused, squatVictims, squatWorld, squatWorldUnavailable, startImpostor } from './impostor.js';

const unavailable = squatWorldUnavailable();
if (unavailable) console.warn(`skipping the socket squat: ${unavailable}`);
const uid = process.getuid?.() ?? 0;

describe.skipIf(unavailable !== null)('a socket directory squatted by another uid', () => {
  it.each(['755', '700'])(
    'every client refuses /tmp/agentid-<uid> made %s by uid 65534, and sends it nothing',
    async (dirMode) => {
      const world = await squatWorld();
      try {
        const dir = `/tmp/agentid-${uid}`;
        const impostor = await startImpostor(`${dir}/agentid.sock`, { dirMode, prefix: world.prefix });
        const failures: string[] = [];
        for (const victim of squatVictims(world)) {
          const result = await world.run(victim.argv, {
            ...(victim.input !== undefined ? { input: victim.input } : {}),
            ...(victim.env ? { env: victim.env } : {}),
          });
          const why = notRefused(victim, result, dir);
          if (why) failures.push(`${victim.name}: ${why}`);
        }
        expect(await impostor.stop()).toEqual({ connections: 0, bytes: 0 });
        expect(failures).toEqual([]);
      } finally {
        world.close();
      }
    },
    120_000,
  );
});
