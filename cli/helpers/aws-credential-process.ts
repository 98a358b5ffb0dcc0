/**
 * `agentid aws credential-process NAME`: what the AWS CLI and SDKs run for a profile with
 * `credential_process`, on every credential refresh (unless `agentid setup aws` installed the
 * thin sh helper, which falls back to this when it must start the daemon). cli/main.ts reaches it
 * before loading commander, so a cache hit costs little more than Node's own start. Autostart
 * (cli/daemon-client.ts) is loaded only when no daemon answers.
 * The contract (AWS docs, "Sourcing credentials with an external process"): exactly the JSON on
 * stdout and exit 0, or nothing on stdout, one line on stderr and non-zero.
 * Its imports reach past the protocol client's door (a documented exception in
 * scripts/import-graph.mjs): one module fewer to load on every refresh.
 */
import { AgentIdError, toAgentIdError } from '../../src/errors.js';
import type { AwsCredentialProcessResponse, DaemonAddress } from '../../src/protocol/client/index.js';
import { callEndpoint } from '../../src/protocol/client.js';
import { endpoints } from '../../src/protocol/endpoints.js';
import type { DaemonClient } from '../daemon-client.js';

export interface CredentialProcessDeps {
  daemonAddress: DaemonAddress;
  out(text: string): void;
  err(text: string): void;
  /** The regular client, with autostart; built only when the first attempt finds no daemon. */
  daemon(): Promise<DaemonClient>;
}

export async function awsCredentialProcess(credential: string, deps: CredentialProcessDeps): Promise<number> {
  try {
    let response: AwsCredentialProcessResponse;
    try {
      response = await callEndpoint(deps.daemonAddress, endpoints.aws, [{ credential }]);
    } catch (err) {
      if (!(err instanceof AgentIdError) || err.code !== 'ERR_DAEMON_UNAVAILABLE') throw err;
      response = await (await deps.daemon()).call(endpoints.aws, { credential });
    }
    deps.out(`${JSON.stringify(response)}\n`);
    return 0;
  } catch (err) {
    const error = toAgentIdError(err);
    // One line (errorLine escapes line breaks): the AWS CLI puts stderr into its own error message.
    // Loaded only here: a refresh that succeeds is one module lighter.
    deps.err((await import('../../src/printable.js')).errorLine(error));
    return error.exitCode;
  }
}
