/**
 * What `agentid setup git` and `agentid setup aws` point git and the AWS tools at: the thin sh
 * helpers (cli/thin-helpers.ts), (re)written here into Paths.helpersDir with this CLI's absolute
 * paths for their Node fallback. The one place that decides which command setup writes.
 */
import type { Paths } from '../src/paths.js';
import type { CliDeps } from './command.js';
import { shellQuote } from './git-credential/setup-plan.js';
import { installThinHelper } from './thin-helpers.js';

type SetupDeps = { paths: Pick<Paths, 'helpersDir'> } & Pick<CliDeps, 'agentid'>;

/** The command words of git's `credential.<url>.helper`, before `[--credential C]`. */
export function gitHelperWords(deps: SetupDeps): string[] {
  return [installThinHelper(deps.paths.helpersDir, 'git', deps.agentid)];
}

/**
 * The `credential_process` line for `credential`. `program` is the user's override (--command):
 * how the AWS tools start agentid itself, which then runs the Node helper.
 */
export function awsCredentialProcessLine(deps: SetupDeps, credential: string, program?: string): string {
  if (program !== undefined) return `${program} aws credential-process ${credential}`;
  return `${shellQuote(installThinHelper(deps.paths.helpersDir, 'aws', deps.agentid))} ${credential}`;
}
