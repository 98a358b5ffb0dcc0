/**
 * `agentid policy pull`: fetch the `[policy] git` repository now and apply its commit if it passes
 * every check (signature, no rollback, a valid set); otherwise the set in force stays. A management
 * action: refused inside `agentid exec` sessions.
 */
import { AgentIdError, isErrorCode } from '../../../src/errors.js';
import { endpoints } from '../../../src/protocol/client/index.js';
import { type CommandSpec, jsonOption, printJson } from '../../command.js';

export const policyPull: CommandSpec = {
  path: ['policy', 'pull'],
  summary: 'fetch the policy repository ([policy] git) now and apply its commit if it passes every check',
  options: [jsonOption],
  examples: ['agentid policy pull', 'agentid policy pull --json | jq .git.commit'],
  async run({ opts }, deps) {
    const result = await deps.daemon.call(endpoints.policyPull);
    if (opts.json) printJson(deps, result);
    else if (result.outcome === 'applied') {
      const signed = result.git.signer ? `, signed by ${result.git.signer}` : '';
      deps.out(
        `applied ${result.commit} from ${result.git.url} ${result.git.ref} ` +
          `(${result.git.files.length} files${signed}; was ${result.previous ?? 'none'})\n`,
      );
    } else if (result.outcome === 'unchanged') {
      deps.out(`up to date: ${result.commit} of ${result.git.url} ${result.git.ref} is in force\n`);
    }
    if (result.outcome !== 'refused' || result.error === null) return 0;
    const code = isErrorCode(result.error.code) ? result.error.code : 'ERR_INTERNAL';
    const inForce = result.git.commit ? `${result.git.commit} stays in force` : 'no commit is in force yet';
    throw new AgentIdError(code, `${result.error.message} (${inForce})`);
  },
};
