/**
 * `agentid aws set-base-keys NAME`: the long-lived IAM user keys an `assume-role` credential
 * signs AssumeRole with, handed to the daemon for the keychain. Read from AWS_ACCESS_KEY_ID /
 * AWS_SECRET_ACCESS_KEY when both are set (so `aws-vault exec x -- agentid aws set-base-keys`
 * works), else typed without echo, else two lines on stdin. Never argv.
 */
import { AgentIdError } from '../../../src/errors.js';
import { type AwsBaseKeysRequest, endpoints } from '../../../src/protocol/client/index.js';
import { type CliDeps, type CommandSpec, jsonOption, printJson } from '../../command.js';

export const awsSetBaseKeys: CommandSpec = {
  path: ['aws', 'set-base-keys'],
  summary: 'store the base keys an assume-role aws credential signs with (in the OS keychain)',
  arguments: [{ name: '<credential>', description: 'an [credentials.<name>] of type aws' }],
  options: [jsonOption],
  examples: [
    'agentid aws set-base-keys dev                      # prompts, without echo',
    'AWS_ACCESS_KEY_ID=AKIA... AWS_SECRET_ACCESS_KEY=... agentid aws set-base-keys dev',
    'printf "%s\\n%s\\n" "$ID" "$SECRET" | agentid aws set-base-keys dev',
  ],
  async run({ opts, args }, deps) {
    const credential = args[0] ?? '';
    const body = await readKeys(deps);
    const { warnings } = await deps.daemon.call(endpoints.awsBaseKeys, { credential }, body);
    if (opts.json === true) printJson(deps, { credential, stored: true, warnings });
    else deps.out(`stored the base keys of ${credential} in the daemon's secret store\n`);
    for (const warning of warnings) deps.err(`agentid: warning: ${warning}\n`);
    return 0;
  },
};

async function readKeys(deps: CliDeps): Promise<AwsBaseKeysRequest> {
  const fromEnv = [deps.env.AWS_ACCESS_KEY_ID, deps.env.AWS_SECRET_ACCESS_KEY];
  if (fromEnv[0] && fromEnv[1]) return { accessKeyId: fromEnv[0], secretAccessKey: fromEnv[1] };
  if (fromEnv[0] || fromEnv[1]) {
    throw new AgentIdError(
      'ERR_USAGE',
      'set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither to be prompted',
    );
  }
  if (deps.stdinIsTTY) {
    const accessKeyId = (await deps.readSecretInput('AWS access key id: ')).trim();
    const secretAccessKey = (await deps.readSecretInput('AWS secret access key: ')).trim();
    return { accessKeyId, secretAccessKey };
  }
  const [accessKeyId = '', secretAccessKey = ''] = (await deps.readSecretInput(''))
    .split(/\r?\n/)
    .map((l) => l.trim());
  if (!accessKeyId || !secretAccessKey) {
    throw new AgentIdError(
      'ERR_USAGE',
      'expected two lines on stdin: the access key id, then the secret access key',
    );
  }
  return { accessKeyId, secretAccessKey };
}
