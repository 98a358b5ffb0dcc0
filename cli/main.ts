#!/usr/bin/env node
/**
 * The agentid CLI: reads the command table (cli/command-table.ts: metadata only; a command's
 * module is imported when it runs), parses a well-formed invocation itself (cli/argv.ts) and leaves
 * the rest to commander (cli/commander-program.ts), wires the real world into `deps`, and is the
 * only place that exits. Failures print `agentid: <message> (<CODE>)` to stderr and exit
 * with the code's exit status (DESIGN.md); secrets are never part of a message (SECURITY.md invariant 3).
 */
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { AgentIdError, ExitCode, toAgentIdError } from '../src/errors.js';
import { resolvePaths } from '../src/paths.js';
import { errorLine, printable } from '../src/printable.js';
import type { CliDeps, CommandInput } from './command.js';
import type { CommandEntry, CommandTable } from './command-table.js';
import type { DaemonClient } from './daemon-client.js';
import { exitQuietlyOnEpipe } from './quiet-pipe.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
// Start-up is a feature: what only some commands use loads on first use, not here.
const require = createRequire(import.meta.url);
const childProcess = () => require('node:child_process') as typeof import('node:child_process');

function buildDeps(): CliDeps {
  const uid = process.getuid?.() ?? 0;
  const paths = resolvePaths(process.env, uid);
  const self = fileURLToPath(import.meta.url);
  let client: Promise<DaemonClient> | undefined;
  const daemon = () => {
    client ??= import('./daemon-client.js').then(({ createDaemonClient }) =>
      createDaemonClient({
        env: process.env,
        uid,
        paths,
        sleep,
        monotonicMs: () => performance.now(),
        spawnDaemon: (logFd) =>
          childProcess().spawn(process.execPath, [self, 'daemon', 'run'], {
            detached: true,
            stdio: ['ignore', logFd, logFd],
            env: process.env,
          }),
      }),
    );
    return client;
  };
  return {
    env: process.env,
    uid,
    paths,
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    // Rows stream out only as fast as the reader takes them, instead of piling up in memory.
    drained: () =>
      process.stdout.writableNeedDrain ? once(process.stdout, 'drain').then(() => {}) : Promise.resolve(),
    stdoutIsTTY: process.stdout.isTTY === true,
    stdinIsTTY: process.stdin.isTTY === true,
    terminal: { stdin: process.stdin, stdout: process.stdout },
    agentid: { node: process.execPath, script: self, nodeVersion: process.versions.node },
    spawnInherited: (command, args, env, options = {}) =>
      childProcess().spawn(command, args, {
        stdio: ['inherit', 'inherit', 'inherit', ...Array<'pipe'>(options.pipes ?? 0).fill('pipe')],
        env,
        detached: options.detached === true,
      }),
    processes: async () =>
      (await import('./exec/process-tree.js')).linuxProcessTree((pid, signal) => process.kill(pid, signal)),
    exists: (path) => (require('node:fs') as typeof import('node:fs')).existsSync(path),
    pid: process.pid,
    platform: process.platform,
    signals: {
      on: (signal, handler) => process.on(signal, handler),
      off: (signal, handler) => process.off(signal, handler),
    },
    readSecretInput: async (prompt) =>
      (await import('./read-secret.js')).readSecretInput(process.stdin, process.stderr, prompt),
    now: () => new Date(),
    sleep,
    cwd: process.cwd(),
    daemon: {
      call: async (endpoint, ...args) => (await daemon()).call(endpoint, ...args),
      probe: async () => (await daemon()).probe(),
      start: async () => (await daemon()).start(),
      keepAlive: () => {
        const session = daemon().then((client) => client.keepAlive());
        return {
          call: async (endpoint, ...args) => (await session).call(endpoint, ...args),
          close: () => void session.then((opened) => opened.close()),
        };
      },
    },
  };
}

async function runCommand(entry: CommandEntry, input: CommandInput, deps: CliDeps): Promise<number> {
  const { loadCommand } = await import('./command-table.js');
  return (await (await loadCommand(entry)).run(input, deps)) ?? ExitCode.ok;
}

/** The less common path: help of a command, usage errors, every form cli/argv.ts leaves to commander. */
async function runWithCommander(table: CommandTable, argv: string[], deps: CliDeps): Promise<number> {
  const { buildProgram, commanderExit } = await import('./commander-program.js');
  const { version } = await import('../src/version.js');
  let exitCode: number = ExitCode.ok;
  const program = buildProgram(table, version, async (entry, input) => {
    exitCode = await runCommand(entry, input, deps);
  });
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (err) {
    // Help and --version are "errors" to commander; usage errors were already printed.
    const exit = commanderExit(err);
    if (exit === null) throw err;
    return exit === 0 ? ExitCode.ok : ExitCode.usage;
  }
}

async function main(argv: string[]): Promise<number> {
  // Run by the AWS tools on every credential refresh: answered before anything else is loaded.
  const [noun, verb, credential, ...rest] = argv.slice(2);
  if (
    noun === 'aws' &&
    verb === 'credential-process' &&
    credential &&
    !credential.startsWith('-') &&
    !rest.length
  ) {
    const { awsCredentialProcess } = await import('./helpers/aws-credential-process.js');
    const uid = process.getuid?.() ?? 0;
    return awsCredentialProcess(credential, {
      daemonAddress: { socket: resolvePaths(process.env, uid).socket, uid },
      out: (text) => process.stdout.write(text),
      err: (text) => process.stderr.write(text),
      daemon: async () => buildDeps().daemon,
    });
  }
  // git runs its credential helper for every request too: the same fast path.
  if (noun === 'git-credential') {
    return (await import('./git-credential/entry.js')).gitCredentialMain(argv.slice(3));
  }
  if ((noun === '--version' || noun === '-V') && verb === undefined) {
    process.stdout.write(`${(await import('../src/version.js')).version}\n`);
    return ExitCode.ok;
  }
  const { readCommandTable } = await import('./command-table.js');
  const table = readCommandTable();
  const deps = buildDeps();
  if ((noun === '--help' || noun === '-h') && verb === undefined) {
    const { DEFAULT_HELP_WIDTH, renderTopLevelHelp } = await import('./help.js');
    // commander's rule: the terminal's width, 80 columns when not on one.
    deps.out(
      renderTopLevelHelp(table, (process.stdout.isTTY && process.stdout.columns) || DEFAULT_HELP_WIDTH),
    );
    return ExitCode.ok;
  }
  try {
    const invocation = (await import('./argv.js')).parseInvocation(table, argv.slice(2));
    if (invocation) return await runCommand(invocation.entry, invocation.input, deps);
    return await runWithCommander(table, argv, deps);
  } catch (err) {
    const error = toAgentIdError(err);
    deps.err(errorLine(error));
    return error instanceof AgentIdError ? error.exitCode : ExitCode.internal;
  }
}

for (const stream of [process.stdout, process.stderr])
  exitQuietlyOnEpipe(stream, (code) => process.exit(code));
main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`agentid: unexpected failure: ${printable(String(err))}\n`);
    process.exitCode = ExitCode.internal;
  },
);
