/**
 * `agentid audit checkpoint`: the daemon signs the chain head as it is now. Keep the document
 * somewhere the log's attacker cannot reach (another machine, a ticket, a commit); later
 * `agentid audit verify --checkpoint FILE` proves the log still extends it.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AgentIdError } from '../../../src/errors.js';
import { endpoints } from '../../../src/protocol/client/index.js';
import { type CommandSpec, jsonOption, printJson } from '../../command.js';

export const auditCheckpoint: CommandSpec = {
  path: ['audit', 'checkpoint'],
  summary: 'have the daemon sign the audit chain head (seq, hash); verify --checkpoint checks against it',
  options: [{ flags: '--out <file>', description: 'write the checkpoint document to FILE' }, jsonOption],
  examples: [
    'agentid audit checkpoint --out ~/audit-checkpoints/$(date +%F).json',
    'agentid audit checkpoint > checkpoint.json',
  ],
  async run({ opts }, deps) {
    const checkpoint = await deps.daemon.call(endpoints.auditCheckpoint);
    const document = `${JSON.stringify(checkpoint, null, 2)}\n`;
    if (typeof opts.out !== 'string') {
      // The document is the output, so --json has nothing to add.
      deps.out(document);
      return 0;
    }
    const path = resolve(deps.cwd, opts.out);
    try {
      writeFileSync(path, document);
    } catch (err) {
      throw new AgentIdError(
        'ERR_USAGE',
        `cannot write the checkpoint to ${path}: ${(err as Error).message}`,
      );
    }
    if (opts.json) printJson(deps, { ...checkpoint, file: path });
    else {
      deps.out(
        `checkpoint of seq ${checkpoint.seq} (hash ${checkpoint.hash.slice(0, 16)}…, ${checkpoint.time}) ` +
          `signed by kid ${checkpoint.kid}, written to ${path}\n` +
          `check it later with: agentid audit verify --checkpoint ${path}\n`,
      );
    }
    return 0;
  },
};
