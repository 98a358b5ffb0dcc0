#!/usr/bin/env node
/**
 * The agentid CLI: builds commander from the command specs, wires the real world into `deps`, and
 * is the only place that exits. Failures print `agentid: <message> (<CODE>)` to stderr and exit
 * with the code's exit status (DESIGN.md); secrets are never part of a message.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { AgentIdError, ExitCode, toAgentIdError } from '../src/errors.js';
import { resolvePaths } from '../src/paths.js';
import { version } from '../src/version.js';
import type { CliDeps, CommandSpec } from './command.js';
import { commands, groups } from './commands/index.js';
import { createDaemonClient } from './daemon-client.js';
import { readSecretInput } from './read-secret.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function buildDeps(): CliDeps {
  const uid = process.getuid?.() ?? 0;
  const paths = resolvePaths(process.env, uid);
  const self = fileURLToPath(import.meta.url);
  return {
    env: process.env,
    uid,
    paths,
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    stdoutIsTTY: process.stdout.isTTY === true,
    stdinIsTTY: process.stdin.isTTY === true,
    spawnInherited: (command, args, env) => spawn(command, args, { stdio: 'inherit', env }),
    signals: {
      on: (signal, handler) => process.on(signal, handler),
      off: (signal, handler) => process.off(signal, handler),
    },
    readSecretInput: (prompt) => readSecretInput(process.stdin, process.stderr, prompt),
    now: () => new Date(),
    sleep,
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

function buildProgram(deps: CliDeps, setExit: (code: number) => void): Command {
  const program = new Command('agentid')
    .description('Short-lived, policy-checked, audited credentials for AI agents on this machine.')
    .version(version)
    .showHelpAfterError('(run with --help for usage)')
    .enablePositionalOptions()
    .exitOverride();
  for (const spec of commands) addCommand(program, spec, deps, setExit);
  return program;
}

function addCommand(program: Command, spec: CommandSpec, deps: CliDeps, setExit: (code: number) => void) {
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
    .exitOverride();
  for (const a of spec.arguments ?? []) cmd.argument(a.name, a.description);
  if (spec.passThrough) cmd.passThroughOptions();
  for (const o of spec.options ?? []) cmd.option(o.flags, o.description, o.defaultValue);
  cmd.addHelpText('after', `\nExamples:\n${spec.examples.map((e) => `  $ ${e}`).join('\n')}\n`);
  cmd.action(async (...params: unknown[]) => {
    // commander passes the declared arguments, then the options object, then the command.
    const positional = params.slice(0, (spec.arguments ?? []).length).flat() as string[];
    setExit((await spec.run({ opts: cmd.opts(), args: positional }, deps)) ?? 0);
  });
}

async function main(argv: string[]): Promise<number> {
  const deps = buildDeps();
  let exitCode: number = ExitCode.ok;
  const program = buildProgram(deps, (code) => {
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
