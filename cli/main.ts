#!/usr/bin/env node
/**
 * The agentid CLI: builds commander from the command specs, wires the real world into `deps`, and
 * is the only place that exits. Failures print `agentid: <message> (<CODE>)` to stderr and exit
 * with the code's exit status (DESIGN.md); secrets are never part of a message.
 */
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { AgentIdError, ExitCode, toAgentIdError } from '../src/errors.js';
import { resolvePaths } from '../src/paths.js';
import type { CliDeps, CommandSpec } from './command.js';
import { exitQuietlyOnEpipe } from './quiet-pipe.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// Modules beyond the fast paths' needs load here, not at the top: see main().
async function buildDeps(): Promise<CliDeps> {
  const { createDaemonClient } = await import('./daemon-client.js');
  const { version } = await import('../src/version.js');
  const { spawn } = await import('node:child_process');
  const uid = process.getuid?.() ?? 0;
  const paths = resolvePaths(process.env, uid);
  const self = fileURLToPath(import.meta.url);
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
    agentid: { node: process.execPath, script: self, version, nodeVersion: process.versions.node },
    spawnInherited: (command, args, env) => spawn(command, args, { stdio: 'inherit', env }),
    signals: {
      on: (signal, handler) => process.on(signal, handler),
      off: (signal, handler) => process.off(signal, handler),
    },
    readSecretInput: async (prompt) =>
      (await import('./read-secret.js')).readSecretInput(process.stdin, process.stderr, prompt),
    now: () => new Date(),
    sleep,
    cwd: process.cwd(),
    daemon: createDaemonClient({
      env: process.env,
      uid,
      paths,
      sleep,
      spawnDaemon: (logFd) =>
        spawn(process.execPath, [self, 'daemon', 'run'], {
          detached: true,
          stdio: ['ignore', logFd, logFd],
          env: process.env,
        }),
    }),
  };
}

// commander and the command modules load only here: `aws credential-process` never needs them.
async function buildProgram(deps: CliDeps, setExit: (code: number) => void): Promise<Command> {
  const { Command } = await import('commander');
  const { commands, groups } = await import('./commands/index.js');
  const { completion } = await import('./commands/completion.js');
  const { version } = await import('../src/version.js');
  const program = new Command('agentid')
    .description('Short-lived, policy-checked, audited credentials for AI agents on this machine.')
    .version(version)
    // commander's own usage errors in our format; subcommands inherit this.
    .configureOutput({
      outputError: (text, write) => {
        const [first, ...more] = text
          .replace(/^error: /, '')
          .trimEnd()
          .split('\n');
        write(`agentid: ${first} (ERR_USAGE)\n${more.map((line) => `${line}\n`).join('')}`);
      },
    })
    .showHelpAfterError('(run with --help for usage)')
    .enablePositionalOptions()
    .exitOverride();
  for (const spec of [...commands, completion]) addCommand(program, spec, groups, deps, setExit);
  return program;
}

function addCommand(
  program: Command,
  spec: CommandSpec,
  groups: Readonly<Record<string, string>>,
  deps: CliDeps,
  setExit: (code: number) => void,
) {
  let parent = program;
  for (const noun of spec.path.slice(0, -1)) {
    parent =
      parent.commands.find((c) => c.name() === noun) ??
      parent
        .command(noun)
        .description(groups[noun] ?? '')
        .exitOverride();
  }
  const name = spec.path.at(-1) ?? '';
  const cmd = parent
    .command(name, { isDefault: spec.isDefault === true })
    .description(spec.summary)
    .showHelpAfterError(`(see: agentid ${spec.path.join(' ')} --help)`)
    .exitOverride();
  for (const a of spec.arguments ?? []) cmd.argument(a.name, a.description);
  if (spec.passThrough) cmd.passThroughOptions();
  for (const o of spec.options ?? []) cmd.option(o.flags, o.description, o.defaultValue);
  cmd.addHelpText('after', `\nExamples:\n${spec.examples.map((e) => `  $ ${e}`).join('\n')}\n`);
  // `agentid audit --help` shows the group; the options of its default command belong there too.
  if (spec.isDefault === true) parent.addHelpText('after', defaultCommandHelp(spec));
  cmd.action(async (...params: unknown[]) => {
    // commander passes the declared arguments, then the options object, then the command.
    const positional = params.slice(0, (spec.arguments ?? []).length).flat() as string[];
    setExit((await spec.run({ opts: cmd.opts(), args: positional }, deps)) ?? 0);
  });
}

function defaultCommandHelp(spec: CommandSpec): string {
  const options = spec.options ?? [];
  const width = Math.max(0, ...options.map((o) => o.flags.length));
  return (
    `\nWithout a command, \`agentid ${spec.path.slice(0, -1).join(' ')}\` runs \`${spec.path.at(-1)}\`, which takes:\n` +
    options.map((o) => `  ${o.flags.padEnd(width)}  ${o.description}\n`).join('') +
    `Examples:\n${spec.examples.map((e) => `  $ ${e}`).join('\n')}\n`
  );
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
    return awsCredentialProcess(credential, {
      socket: resolvePaths(process.env, process.getuid?.() ?? 0).socket,
      out: (text) => process.stdout.write(text),
      err: (text) => process.stderr.write(text),
      daemon: async () => (await buildDeps()).daemon,
    });
  }
  const deps = await buildDeps();
  // git runs its credential helper for every request too: the same fast path.
  if (noun === 'git-credential') {
    return (await import('./git-credential/entry.js')).gitCredentialMain(argv.slice(3));
  }
  const { CommanderError } = await import('commander');
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

for (const stream of [process.stdout, process.stderr])
  exitQuietlyOnEpipe(stream, (code) => process.exit(code));
main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`agentid: unexpected failure: ${String(err)}\n`);
    process.exitCode = ExitCode.internal;
  },
);
