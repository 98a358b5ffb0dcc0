/**
 * `agentid audit prune`: apply `[audit] retain_days` now. The daemon, the log's only writer, does
 * it (and does it anyway at start and daily); an anchor keeps the rest verifiable.
 */
import { endpoints } from '../../../src/protocol/client/index.js';
import { type CommandSpec, jsonOption, printJson } from '../../command.js';

export const auditPrune: CommandSpec = {
  path: ['audit', 'prune'],
  summary: 'delete audit events older than [audit] retain_days (default 90), keeping the chain verifiable',
  options: [jsonOption],
  examples: ['agentid audit prune', 'agentid audit prune --json'],
  async run({ opts }, deps) {
    const result = await deps.daemon.call(endpoints.auditPrune);
    if (opts.json) printJson(deps, result);
    else if (result.anchor === null) {
      deps.out(`nothing to prune: no audit events older than ${result.retainDays} days\n`);
    } else {
      deps.out(
        `pruned ${result.pruned} audit events older than ${result.retainDays} days; ` +
          `the chain is anchored at seq ${result.anchor.seq} (agentid audit verify checks from there)\n`,
      );
    }
    return 0;
  },
};
