/**
 * `agentid setup aws --profile P --credential NAME [--region R] [--remove]`: points an AWS profile
 * at agentid by writing `credential_process = <thin helper> NAME` (cli/setup/helper-command.ts)
 * and a region (the credential's, unless the profile has one) into the AWS config file
 * (AWS_CONFIG_FILE, else ~/.aws/config). Idempotent; the rest of the file is kept byte for byte,
 * and --remove takes out what setup added.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { AWS_REGION, loadConfig } from '../../../src/config/index.js';
import { AgentIdError } from '../../../src/errors.js';
import { removeProfileSetup, setupProfile } from '../../aws-config-file.js';
import { type CliDeps, type CommandSpec, jsonOption, printJson } from '../../command.js';
import { awsCredentialProcessValue } from '../../setup/helper-command.js';

const PROFILE = /^[\w.+@-]{1,64}$/;
const CREDENTIAL = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export const setupAws: CommandSpec = {
  path: ['setup', 'aws'],
  summary: 'make an AWS profile get its credentials from agentid (credential_process), with a region',
  options: [
    { flags: '--profile <name>', description: 'the AWS profile to write', defaultValue: 'default' },
    { flags: '--credential <name>', description: 'the [credentials.<name>] of type aws it uses' },
    {
      flags: '--region <region>',
      description: "the profile's region (default: the credential's; a region the profile has is kept)",
    },
    {
      flags: '--command <program>',
      description: 'run `<program> aws credential-process` instead of the thin sh helper setup writes',
    },
    { flags: '--remove', description: 'take out what setup aws added to the profile' },
    jsonOption,
  ],
  examples: [
    'agentid setup aws --profile dev --credential dev && aws --profile dev sts get-caller-identity',
    'agentid setup aws --profile dev --credential dev --region eu-west-1',
    'agentid setup aws --profile dev --remove',
    'AWS_CONFIG_FILE=./aws-config agentid setup aws --profile ci --credential ci-role --json',
  ],
  async run({ opts }, deps) {
    const profile = String(opts.profile);
    if (!PROFILE.test(profile)) throw new AgentIdError('ERR_USAGE', `--profile must match ${PROFILE.source}`);
    const file = deps.env.AWS_CONFIG_FILE || join(deps.env.HOME || homedir(), '.aws', 'config');
    const before = existsSync(file) ? readFileSync(file, 'utf8') : '';
    if (opts.remove === true) {
      const edit = removeProfileSetup(before, profile);
      if (edit.changed) writeInPlace(file, edit.text);
      if (opts.json === true) printJson(deps, { file, profile, removed: edit.changed });
      else
        deps.out(
          edit.changed
            ? `${file}: profile ${profile} no longer uses agentid\n`
            : `${file}: profile ${profile} has nothing agentid set up\n`,
        );
      return 0;
    }
    const credential = typeof opts.credential === 'string' ? opts.credential : '';
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
    const region = typeof opts.region === 'string' ? opts.region : credentialRegion(deps, credential);
    if (!AWS_REGION.test(region)) {
      throw new AgentIdError(
        'ERR_USAGE',
        `--region ${JSON.stringify(region)} is not an AWS region (us-east-1, ...)`,
      );
    }
    const edit = setupProfile(before, profile, {
      credentialProcess: awsCredentialProcessValue(deps, credential, program),
      region,
      regionExplicit: typeof opts.region === 'string',
    });
    if (edit.changed) writeInPlace(file, edit.text);
    if (opts.json === true) printJson(deps, { file, profile, credential, region, changed: edit.changed });
    else
      deps.out(
        edit.changed
          ? `${file}: profile ${profile} now uses agentid credential ${credential} (region ${region}; undo with --remove)\n`
          : `${file}: already set up\n`,
      );
    return 0;
  },
};

/** The region of the aws credential in config.toml: the default for the profile. */
function credentialRegion(deps: CliDeps, name: string): string {
  const credential = loadConfig(deps.paths.configFile).credentials.find((c) => c.name === name);
  if (credential?.type === 'aws') return credential.region;
  throw new AgentIdError(
    credential ? 'ERR_CREDENTIAL_TYPE' : 'ERR_CREDENTIAL_UNKNOWN',
    credential
      ? `credential ${name} is of type ${credential.type}, not aws`
      : `no aws credential named ${name} in ${deps.paths.configFile}: add [credentials.${name}] (see README "AWS"), or pass --region`,
  );
}

/**
 * In place, not through a rename: that keeps the file's mode, owner and inode, and a symlink
 * (dotfile managers) stays a symlink. A new file is private to the user.
 */
function writeInPlace(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, text, { mode: 0o600 });
}
