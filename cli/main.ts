#!/usr/bin/env node
/**
 * The agentid CLI: reads the command table (cli/command-table.ts: metadata only; a command's
 * module is imported when it runs), parses a well-formed invocation itself (cli/argv.ts) and leaves
 * the rest to commander (cli/commander-program.ts), wires the real world into `deps`, and is the
 * only place that exits. Failures print `agentid: <message> (<CODE>)` to stderr and exit
 * with the code's exit status (DESIGN.md); secrets are never part of a message (SECURITY.md invariant 3).
 */
import { AgentIdError, ExitCode, toAgentIdError } from '../src/errors.js';
import { resolvePaths } from '../src/paths.js';
import type { CliDeps, CommandInput } from './command.js';
import type { CommandEntry, CommandTable } from './command-table.js';
import type { DaemonClient } from './daemon-client.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
// Start-up is a feature: what only some commands use loads on first use, not here. Builtins come
// from getBuiltinModule, without an ES facade or a createRequire (docs/architecture.md, start-up).
const childProcess = () => process.getBuiltinModule('node:child_process');
const fs = () => process.getBuiltinModule('node:fs');

/**
 * What `--version` and `--help` print, written on fd 1 directly: creating process.stdout loads
 * Node's stream machinery (`getStdout` in a CPU profile, some 7 ms), more than the rest of their
 * work. A reader that went away ends them quietly, as quiet-pipe.ts does for the other commands;
 * what a full non-blocking pipe does not take goes through process.stdout after all.
 */
function writeStdout(text: string): void {
  const bytes = Buffer.from(text);
  let written = 0;
  try {
    written = fs().writeSync(1, bytes);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EPIPE') return;
    if (code !== 'EAGAIN') throw err;
  }
  if (written < bytes.length) process.stdout.write(bytes.subarray(written));
}

/**
 * The width of `--help`: the terminal's, 80 columns when not on one (commander's rule). Asking
 * process.stdout would create it (see writeStdout), so only a character device other than
 * /dev/null is asked: a terminal is one.
 */
function helpWidth(fallback: number): number {
  const out = fs().fstatSync(1);
  if (!out.isCharacterDevice() || out.rdev === fs().statSync('/dev/null').rdev) return fallback;
  return (process.stdout.isTTY && process.stdout.columns) || fallback;
}

function buildDeps(): CliDeps {
  const uid = process.getuid?.() ?? 0;
  const paths = resolvePaths(process.env, uid);
  const self = process.getBuiltinModule('node:url').fileURLToPath(import.meta.url);
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
      process.stdout.writableNeedDrain
        ? process
            .getBuiltinModule('node:events')
            .once(process.stdout, 'drain')
            .then(() => {})
        : Promise.resolve(),
    stdoutIsTTY: process.stdout.isTTY === true,
    // Getters: process.stdin is a stream created on first use, which most commands never make.
    get stdinIsTTY() {
      return process.stdin.isTTY === true;
    },
    terminal: {
      get stdin() {
        return process.stdin;
      },
      stdout: process.stdout,
    },
    agentid: { node: process.execPath, script: self, nodeVersion: process.versions.node },
    spawnInherited: (command, args, env, options = {}) =>
      childProcess().spawn(command, args, {
        stdio: ['inherit', 'inherit', 'inherit', ...Array<'pipe'>(options.pipes ?? 0).fill('pipe')],
        env,
        detached: options.detached === true,
      }),
    processes: async () =>
      (await import('./exec/process-tree.js')).linuxProcessTree((pid, signal) => process.kill(pid, signal)),
    exists: (path) => fs().existsSync(path),
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
  const [noun, verb, credential, ...rest] = argv.slice(2);
  if ((noun === '--version' || noun === '-V') && verb === undefined) {
    writeStdout(`${(await import('../src/version.js')).version}\n`);
    return ExitCode.ok;
  }
  if ((noun === '--help' || noun === '-h') && verb === undefined) {
    const { readCommandTable } = await import('./command-table.js');
    const { DEFAULT_HELP_WIDTH, renderTopLevelHelp } = await import('./help.js');
    writeStdout(renderTopLevelHelp(readCommandTable(), helpWidth(DEFAULT_HELP_WIDTH)));
    return ExitCode.ok;
  }
  // Run by the AWS tools on every credential refresh: answered before anything else is loaded.
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
      // fd 1 directly, as for --version: a reader that went away ends it quietly there too.
      out: writeStdout,
      err: (text) => process.stderr.write(text),
      daemon: async () => buildDeps().daemon,
    });
  }
  const { exitQuietlyOnEpipe } = await import('./quiet-pipe.js');
  for (const stream of [process.stdout, process.stderr])
    exitQuietlyOnEpipe(stream, (code) => process.exit(code));
  // git runs its credential helper for every request too: the same fast path.
  if (noun === 'git-credential') {
    return (await import('./git-credential/entry.js')).gitCredentialMain(argv.slice(3));
  }
  // Both at once: one trip through the module loader instead of two in a row.
  const [{ readCommandTable }, { parseInvocation }] = await Promise.all([
    import('./command-table.js'),
    import('./argv.js'),
  ]);
  const table = readCommandTable();
  const deps = buildDeps();
  try {
    const invocation = parseInvocation(table, argv.slice(2));
    if (invocation) return await runCommand(invocation.entry, invocation.input, deps);
    return await runWithCommander(table, argv, deps);
  } catch (err) {
    const error = toAgentIdError(err);
    deps.err((await import('../src/printable.js')).errorLine(error));
    return error instanceof AgentIdError ? error.exitCode : ExitCode.internal;
  }
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  async (err: unknown) => {
    process.exitCode = ExitCode.internal;
    const { printable } = await import('../src/printable.js');
    process.stderr.write(`agentid: unexpected failure: ${printable(String(err))}\n`);
  },
);
