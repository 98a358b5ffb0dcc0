/**
 * The composition root of the git credential helper, shared by the bin `git-credential-agentid`
 * and `agentid git-credential` (which cli/main.ts hands over to before loading commander). It
 * imports only the protocol, the socket client and the launcher (no commander, ink or cedar) so
 * git pays little more than Node's own start-up. Like cli/main.ts, it touches `process`.
 */
import { fileURLToPath } from 'node:url';
import { resolvePaths } from '../../src/paths.js';
import { endpoints } from '../../src/protocol/client/index.js';
import { createDaemonClient } from '../daemon-client.js';
import { runGitCredentialHelper } from './helper.js';

const mainPath = fileURLToPath(new URL('../main.js', import.meta.url));
// Only a start of the daemon needs child_process: not loaded for the requests git makes.
const childProcess = () => process.getBuiltinModule('node:child_process');

/** Runs the helper with git's arguments (the operation first); resolves to the exit code. */
export function gitCredentialMain(args: readonly string[]): Promise<number> {
  const uid = process.getuid?.() ?? 0;
  const paths = resolvePaths(process.env, uid);
  const daemon = createDaemonClient({
    env: process.env,
    uid,
    paths,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    monotonicMs: () => performance.now(),
    spawnDaemon: (logFd) =>
      childProcess().spawn(process.execPath, [mainPath, 'daemon', 'run'], {
        detached: true,
        stdio: ['ignore', logFd, logFd],
        env: process.env,
      }),
  });
  return runGitCredentialHelper(args, {
    readInput: (maxBytes) => readStdin(maxBytes),
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    requestCredential: (request) => daemon.call(endpoints.gitCredential, request),
  });
}

/** Reads stdin up to maxBytes + 1 and stops there, so an endless writer cannot make us buffer it all. */
function readStdin(maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stdin = process.stdin;
    const finish = () => {
      stdin.off('data', onData);
      stdin.pause();
      resolve(
        Buffer.concat(chunks)
          .subarray(0, maxBytes + 1)
          .toString('utf8'),
      );
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size > maxBytes) finish();
    };
    stdin.on('data', onData);
    stdin.once('end', finish);
    stdin.once('error', reject);
  });
}
