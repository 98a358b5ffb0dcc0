/**
 * The shape of one CLI command. Each file under cli/commands/ exports one CommandSpec: its
 * metadata (from which cli/main.ts builds commander and the --help text) and an async run that
 * receives everything it touches in `deps`, so it can be tested without a real terminal.
 */
import type { ChildProcess } from 'node:child_process';
import type { Env, Paths } from '../src/paths.js';
import type { DaemonClient } from './daemon-client.js';

export interface CliDeps {
  env: Env;
  uid: number;
  paths: Paths;
  /** Writes to stdout / stderr exactly what is given. */
  out(text: string): void;
  err(text: string): void;
  /** Resolves once stdout has taken what was written: streaming commands wait on it per row. */
  drained(): Promise<void>;
  stdoutIsTTY: boolean;
  stdinIsTTY: boolean;
  /** The terminal's streams, for the full-screen views (the audit TUI) that draw and read keys. */
  terminal: { stdin: NodeJS.ReadStream; stdout: NodeJS.WriteStream };
  /**
   * Absolute paths that run this CLI again (for config written elsewhere: git helpers), and the
   * version of that node.
   */
  agentid: { node: string; script: string; nodeVersion: string };
  /** Spawns a command sharing our stdio (and so the terminal). */
  spawnInherited(command: string, args: string[], env: Env): ChildProcess;
  signals: {
    on(signal: NodeJS.Signals, handler: () => void): void;
    off(signal: NodeJS.Signals, handler: () => void): void;
  };
  /** All of stdin; on a terminal, one line read with echo off after `prompt` on stderr. */
  readSecretInput(prompt: string): Promise<string>;
  now(): Date;
  sleep(ms: number): Promise<void>;
  /** The working directory (what relative paths of a child's arguments are relative to). */
  cwd: string;
  daemon: DaemonClient;
}

export interface OptionSpec {
  flags: string;
  description: string;
  defaultValue?: string;
}

export interface CommandInput {
  opts: Record<string, unknown>;
  /** Positional arguments in order; a variadic last argument is spread into the list. */
  args: string[];
}

export interface CommandSpec {
  /** e.g. ['daemon', 'start']; parents without a spec of their own are created as groups. */
  path: readonly string[];
  summary: string;
  arguments?: readonly { name: string; description: string }[];
  options?: readonly OptionSpec[];
  /** Shown under "Examples:" in --help; at least one per command. */
  examples: readonly string[];
  /** Runs when the parent is called without a subcommand (`agentid audit` = `agentid audit list`). */
  isDefault?: boolean;
  /** Options after the first argument belong to the wrapped command (`agentid exec -- cmd --flag`). */
  passThrough?: boolean;
  /** Resolves to the exit code (0 when omitted). Failures throw AgentIdError. */
  run(input: CommandInput, deps: CliDeps): Promise<number | undefined>;
}

export const jsonOption: OptionSpec = { flags: '--json', description: 'print machine-readable JSON' };

export function printJson(deps: CliDeps, value: unknown): void {
  deps.out(`${JSON.stringify(value, null, 2)}\n`);
}
