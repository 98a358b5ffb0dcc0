/** `agentid attest --pid N`: what the daemon makes of another process of yours (debugging selectors). */
import { AgentIdError } from '../../src/errors.js';
import { endpoints } from '../../src/protocol/client/index.js';
import { type CommandSpec, jsonOption, printJson } from '../command.js';
import { formatIdentity } from '../format-identity.js';

export const attest: CommandSpec = {
  path: ['attest'],
  summary: 'attest another process of yours by pid: exe, sha256, ancestry, agent match',
  options: [{ flags: '--pid <pid>', description: 'the process to attest' }, jsonOption],
  examples: ['agentid attest --pid $(pgrep -n claude)', 'agentid attest --pid 4242 --json'],
  async run({ opts }, deps) {
    const pid = typeof opts.pid === 'string' ? opts.pid : '';
    if (!/^[1-9]\d*$/.test(pid))
      throw new AgentIdError('ERR_USAGE', '--pid <pid> is required (a positive integer)');
    const view = await deps.daemon.call(endpoints.attest, { pid: String(pid) });
    if (opts.json) printJson(deps, view);
    else deps.out(formatIdentity(view));
    return 0;
  },
};
