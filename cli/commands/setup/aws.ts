/**
 * `agentid setup aws --profile P --credential NAME`: points an AWS profile at agentid by writing
 * `credential_process = <thin helper> NAME` (cli/setup-helpers.ts) into the AWS config file
 * (AWS_CONFIG_FILE, else ~/.aws/config). Idempotent; the rest of the file is kept byte for byte.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { AgentIdError } from '../../../src/errors.js';
import { setCredentialProcess } from '../../aws-config-file.js';
import { type CommandSpec, jsonOption, printJson } from '../../command.js';
import { awsCredentialProcessLine } from '../../setup-helpers.js';

const PROFILE = /^[\w.+@-]{1,64}$/;
const CREDENTIAL = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export const setupAws: CommandSpec = {
  path: ['setup', 'aws'],
  summary: 'make an AWS profile get its credentials from agentid (credential_process)',
  options: [
    { flags: '--profile <name>', description: 'the AWS profile to write', defaultValue: 'default' },
    { flags: '--credential <name>', description: 'the [credentials.<name>] of type aws it uses' },
    {
      flags: '--command <program>',
      description: 'run `<program> aws credential-process` instead of the thin sh helper setup writes',
    },
    jsonOption,
  ],
  examples: [
    'agentid setup aws --profile dev --credential dev && aws --profile dev sts get-caller-identity',
    'AWS_CONFIG_FILE=./aws-config agentid setup aws --profile ci --credential ci-role --json',
  ],
  async run({ opts }, deps) {
    const profile = String(opts.profile);
    const credential = typeof opts.credential === 'string' ? opts.credential : '';
    if (!PROFILE.test(profile)) throw new AgentIdError('ERR_USAGE', `--profile must match ${PROFILE.source}`);
    if (!CREDENTIAL.test(credential)) {
      throw new AgentIdError(
        'ERR_USAGE',
        '--credential NAME is required: an [credentials.<name>] of type aws',
      );
    }
    const program = typeof opts.command === 'string' ? opts.command : undefined;
    if (program !== undefined && /[\r\n]/.test(program)) {
      throw new AgentIdError('ERR_USAGE', '--command must be a single line');
    }
    const file = deps.env.AWS_CONFIG_FILE || join(deps.env.HOME || homedir(), '.aws', 'config');
    const before = existsSync(file) ? readFileSync(file, 'utf8') : '';
    const edit = setCredentialProcess(before, profile, awsCredentialProcessLine(deps, credential, program));
    if (edit.changed) writeInPlace(file, edit.text);
    if (opts.json === true) printJson(deps, { file, profile, credential, changed: edit.changed });
    else
      deps.out(
        edit.changed
          ? `${file}: profile ${profile} now uses agentid credential ${credential}\n`
          : `${file}: already set up\n`,
      );
    return 0;
  },
};

/**
 * In place, not through a rename: that keeps the file's mode, owner and inode, and a symlink
 * (dotfile managers) stays a symlink. A new file is private to the user.
 */
function writeInPlace(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, text, { mode: 0o600 });
}
