/**
 * `agentid aws credential-process NAME`, as commander sees it: for --help. The plain invocation
 * never gets here, cli/main.ts runs the helper directly to start fast; both run the same code.
 */
import type { CommandSpec } from '../../command.js';
import { awsCredentialProcess } from '../../helpers/aws-credential-process.js';

export const awsCredentialProcessCommand: CommandSpec = {
  path: ['aws', 'credential-process'],
  summary: 'print short-lived AWS credentials as credential_process JSON (for ~/.aws/config)',
  arguments: [{ name: '<credential>', description: 'an [credentials.<name>] of type aws' }],
  examples: [
    'agentid aws credential-process dev',
    'agentid setup aws --profile dev --credential dev   # writes the credential_process line for you',
  ],
  run: ({ args }, deps) =>
    awsCredentialProcess(args[0] ?? '', {
      daemonAddress: { socket: deps.paths.socket, uid: deps.uid },
      out: deps.out,
      err: deps.err,
      daemon: async () => deps.daemon,
    }),
};
