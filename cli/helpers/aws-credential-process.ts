/**
 * `agentid aws credential-process NAME`: what the AWS CLI and SDKs run for a profile with
 * `credential_process`, on every credential refresh. cli/main.ts reaches it before loading
 * commander, and it talks to the daemon with the one-shot node:net client (imported from its file,
 * not the protocol index, which would load node:http), so a cache hit costs little more than
 * Node's own start. Autostart (cli/daemon-client.ts) is loaded only when no daemon answers.
 * The contract (AWS docs, "Sourcing credentials with an external process"): exactly the JSON on
 * stdout and exit 0, or nothing on stdout, one line on stderr and non-zero.
 */
import { AgentIdError, toAgentIdError } from '../../src/errors.js';
import { wireRequest } from '../../src/protocol/endpoint.js';
import { endpoints } from '../../src/protocol/endpoints.js';
import type { AwsCredentialProcessResponse } from '../../src/protocol/index.js';
import { callDaemonOnce } from '../../src/protocol/oneshot.js';
import type { DaemonClient } from '../daemon-client.js';

export interface CredentialProcessDeps {
  socket: string;
  out(text: string): void;
  err(text: string): void;
  /** The regular client, with autostart; built only when the first attempt finds no daemon. */
  daemon(): Promise<DaemonClient>;
}

export async function awsCredentialProcess(credential: string, deps: CredentialProcessDeps): Promise<number> {
  const { method, path } = wireRequest(endpoints.aws, [{ credential }]);
  try {
    let response: AwsCredentialProcessResponse;
    try {
      response = await callDaemonOnce<AwsCredentialProcessResponse>(deps.socket, path, { method });
    } catch (err) {
      if (!(err instanceof AgentIdError) || err.code !== 'ERR_DAEMON_UNAVAILABLE') throw err;
      response = await (await deps.daemon()).call(endpoints.aws, { credential });
    }
    deps.out(`${JSON.stringify(response)}\n`);
    return 0;
  } catch (err) {
    const error = toAgentIdError(err);
    // One line: the AWS CLI puts stderr into its own error message.
    const message = error.message.split('\n', 1)[0] ?? '';
    deps.err(`agentid: ${message} (${error.code})\n`);
    return error.exitCode;
  }
}
