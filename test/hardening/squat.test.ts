/**
 * Attack: another uid squats the socket directory (/tmp/agentid-<uid>, neither XDG_RUNTIME_DIR nor
 * AGENTID_HOME set) before the victim's daemon runs, 0755 or 0700, and listens on a 0777 socket.
 * Each client of the victim, ROUNDS times per mode, must refuse with ERR_PATHS_UNSAFE_DIR and
 * exit 5; the impostor must receive no connection and no byte. Counted in the summary table.
 */
import { describe, expect, it } from 'vitest';
import {
  notRefused,
  squatVictims,
  squatWorld,
  squatWorldUnavailable,
  startImpostor,
} from '../e2e/impostor.js';
import { record } from './tally.js';

const ROUNDS = 3;
const unavailable = squatWorldUnavailable();
if (unavailable) console.warn(`skipping the socket squat: ${unavailable}`);
const uid = process.getuid?.() ?? 0;

describe.skipIf(unavailable !== null)('squat: socket dir of another uid', () => {
  it('every client refuses, every round, and the impostor receives nothing', async () => {
    const failures: string[] = [];
    let tried = 0;
    let reached = { connections: 0, bytes: 0 };
    for (const dirMode of ['755', '700']) {
      for (let round = 0; round < ROUNDS; round++) {
        const world = await squatWorld();
        try {
          const dir = `/tmp/agentid-${uid}`;
          const impostor = await startImpostor(`${dir}/agentid.sock`, { dirMode, prefix: world.prefix });
          for (const victim of squatVictims(world)) {
            tried += 1;
            const result = await world.run(victim.argv, {
              ...(victim.input !== undefined ? { input: victim.input } : {}),
              ...(victim.env ? { env: victim.env } : {}),
            });
            const why = notRefused(victim, result, dir);
            if (why) failures.push(`${dirMode} round ${round}: ${victim.name}: ${why}`);
          }
          const got = await impostor.stop();
          reached = { connections: reached.connections + got.connections, bytes: reached.bytes + got.bytes };
        } finally {
          world.close();
        }
      }
    }
    record({
      attack: 'squat: socket dir of another uid',
      tried,
      failures: failures.length + reached.connections,
      note: `impostor got ${reached.connections} connections, ${reached.bytes} bytes`,
    });
    expect(failures).toEqual([]);
    expect(reached).toEqual({ connections: 0, bytes: 0 });
  }, 600_000);
});
