/**
 * The git credential helper (`git-credential-agentid [--credential C] OP`, also
 * `agentid git-credential ...`): reads git's request, asks the daemon for the host's credential,
 * and answers in git's protocol. A host the daemon does not serve gets no output, so git asks the
 * next helper; a policy deny (or any failure of a host we serve) answers `quit=1`, so git stops
 * instead of prompting for a password, and the reason goes to stderr, where git shows it.
 */
import { AgentIdError, type ErrorCode, ExitCode, toAgentIdError } from '../../src/errors.js';
import { errorLine } from '../../src/printable.js';
import type { GitCredentialRequest, GitCredentialResponse } from '../../src/protocol/client/index.js';
import {
  answerText,
  credentialRequest,
  MAX_INPUT_BYTES,
  parseCredentialInput,
  QUIT_ANSWER,
} from '../../src/protocol/git-helper/index.js';

export interface HelperDeps {
  /** stdin up to maxBytes + 1 bytes (so oversize input is seen, not truncated silently). */
  readInput(maxBytes: number): Promise<string>;
  out(text: string): void;
  err(text: string): void;
  /** POST /v1/git/credential (starting the daemon if needed). */
  requestCredential(request: GitCredentialRequest): Promise<GitCredentialResponse>;
}

/** The daemon could not be verified (src/protocol/connect.ts): nothing was sent. */
const UNTRUSTED = new Set<ErrorCode>(['ERR_PATHS_UNSAFE_DIR', 'ERR_DAEMON_IMPOSTOR']);

export const HELPER_USAGE =
  'usage: git-credential-agentid [--credential NAME] get|store|erase (run by git, see gitcredentials(7))';

export async function runGitCredentialHelper(args: readonly string[], deps: HelperDeps): Promise<number> {
  const parsed = parseArgs(args);
  if (parsed === 'help' || parsed instanceof AgentIdError) {
    deps.err(`${parsed === 'help' ? '' : errorLine(parsed)}${HELPER_USAGE}\n`);
    return parsed === 'help' ? ExitCode.ok : ExitCode.usage;
  }
  let text: string;
  try {
    text = await deps.readInput(MAX_INPUT_BYTES);
  } catch (err) {
    return fail(deps, toAgentIdError(err));
  }
  // store and erase: git reports what worked; the daemon already decides every time. Other
  // operations are reserved for the future and, as gitcredentials(7) asks, silently ignored.
  if (parsed.operation !== 'get') return ExitCode.ok;

  let input: ReturnType<typeof parseCredentialInput>;
  try {
    input = parseCredentialInput(text);
  } catch (err) {
    return fail(deps, toAgentIdError(err));
  }
  const request = credentialRequest(input, parsed.credential);
  if (!request) return ExitCode.ok;

  let answer: GitCredentialResponse;
  try {
    answer = await deps.requestCredential(request);
  } catch (err) {
    const error = toAgentIdError(err);
    deps.err(errorLine(error));
    // Without a daemon we cannot tell whether the host is ours: let the next helper try.
    if (error.code === 'ERR_DAEMON_UNAVAILABLE') return ExitCode.ok;
    deps.out(QUIT_ANSWER);
    // Whatever listens at the socket is not our daemon: stop git, and say so in the exit status.
    return UNTRUSTED.has(error.code) ? error.exitCode : ExitCode.ok;
  }
  try {
    deps.out(answerText(answer, input.capabilities));
  } catch (err) {
    return fail(deps, toAgentIdError(err));
  }
  return ExitCode.ok;
}

/** `[--credential NAME] OPERATION`: git appends the operation to the configured command. */
function parseArgs(
  args: readonly string[],
): { operation: string; credential?: string } | 'help' | AgentIdError {
  const rest = [...args];
  let credential: string | undefined;
  if (rest[0] === '-h' || rest[0] === '--help') return 'help';
  if (rest[0] === '--credential') {
    credential = rest[1];
    if (!credential) return new AgentIdError('ERR_USAGE', '--credential needs a credential name');
    rest.splice(0, 2);
  }
  const [operation, ...extra] = rest;
  if (!operation || extra.length > 0) return new AgentIdError('ERR_USAGE', 'expected one operation');
  return credential ? { operation, credential } : { operation };
}

function fail(deps: HelperDeps, error: AgentIdError): number {
  deps.err(errorLine(error));
  return error.exitCode;
}
