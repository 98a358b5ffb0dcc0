#!/usr/bin/env node
/**
 * The agentid CLI: builds commander from the command table (cli/command-table.ts: metadata only;
 * a command's module is imported when it runs), wires the real world into `deps`, and is the only
 * place that exits. Failures print `agentid: <message> (<CODE>)` to stderr and exit
 * with the code's exit status (DESIGN.md); secrets are never part of a message.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { AgentIdError, ExitCode, toAgentIdError } from '../src/errors.js';
import { resolvePaths } from '../src/paths.js';
import type { CliDeps } from './command.js';
import type { CommandEntry, CommandTable } from './command-table.js';
import type { DaemonClient } from './daemon-client.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
// Start-up is a feature: what only some commands use loads on first use, not here.
const require = createRequire(import.meta.url);
const childProcess = () => require('node:child_process') as typeof import('node:child_process');
// require, not import: importing CommonJS from ESM runs a lexer over it to find its exports.
const commander = () => require('commander') as typeof import('commander');

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
    stdoutIsTTY: process.stdout.isTTY === true,
    stdinIsTTY: process.stdin.isTTY === true,
    terminal: { stdin: process.stdin, stdout: process.stdout },
    agentid: { node: process.execPath, script: self },
    spawnInherited: (command, args, env) => childProcess().spawn(command, args, { stdio: 'inherit', env }),
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
      call: async (path, options) => (await daemon()).call(path, options),
      probe: async () => (await daemon()).probe(),
      start: async () => (await daemon()).start(),
    },
  };
}

// commander and the command table load only here: the helpers' fast paths never need them.
async function buildProgram(deps: CliDeps, setExit: (code: number) => void): Promise<Command> {
  const { Command } = commander();
  const { readCommandTable } = await import('./command-table.js');
  const { version } = await import('../src/version.js');
  const table = readCommandTable();
  const program = new Command('agentid')
    .description('Short-lived, policy-checked, audited credentials for AI agents on this machine.')
    .version(version)
    .showHelpAfterError('(run with --help for usage)')
    .enablePositionalOptions()
    .exitOverride();
  for (const entry of table.commands) addCommand(program, entry, table.groups, deps, setExit);
  return program;
}

function addCommand(
  program: Command,
  entry: CommandEntry,
  groups: CommandTable['groups'],
  deps: CliDeps,
  setExit: (code: number) => void,
) {
  let parent = program;
  for (const noun of entry.path.slice(0, -1)) {
    parent =
      parent.commands.find((c) => c.name() === noun) ??
      parent
        .command(noun)
        .description(groups[noun] ?? '')
        .exitOverride();
  }
  const name = entry.path.at(-1) ?? '';
  const cmd = parent
    .command(name, { isDefault: entry.isDefault === true })
    .description(entry.summary)
    .exitOverride();
  for (const a of entry.arguments ?? []) cmd.argument(a.name, a.description);
  if (entry.passThrough) cmd.passThroughOptions();
  for (const o of entry.options ?? []) cmd.option(o.flags, o.description, o.defaultValue);
  cmd.addHelpText('after', `\nExamples:\n${entry.examples.map((e) => `  $ ${e}`).join('\n')}\n`);
  cmd.action(async (...params: unknown[]) => {
    // commander passes the declared arguments, then the options object, then the command.
    const positional = params.slice(0, (entry.arguments ?? []).length).flat() as string[];
    const { loadCommand } = await import('./command-table.js');
    const spec = await loadCommand(entry);
    setExit((await spec.run({ opts: cmd.opts(), args: positional }, deps)) ?? 0);
  });
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
  const deps = buildDeps();
  const { CommanderError } = commander();
  let exitCode: number = ExitCode.ok;
  const program = await buildProgram(deps, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and --version are "errors" to commander; usage errors were already printed.
      return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    const error = toAgentIdError(err);
    deps.err(`agentid: ${error.message} (${error.code})\n`);
    return error instanceof AgentIdError ? error.exitCode : ExitCode.internal;
  }
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`agentid: unexpected failure: ${String(err)}\n`);
    process.exitCode = ExitCode.internal;
  },
);
