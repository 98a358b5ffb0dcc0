/**
 * The one command every `agentid setup` writes for another tool to start agentid (git's credential
 * helper, the AWS `credential_process`, MCP client entries, the PATH shim), and how `doctor`
 * proves that what was written still runs. It names agentid by absolute paths — the node binary
 * running now and this CLI's script — because the tools run it with their own PATH (git hooks, AWS
 * SDKs in an IDE, MCP clients started from a desktop), where a bare `agentid` is often not found.
 * Keeping the shape here means a different launcher (a thin POSIX-sh helper) is a change in one
 * module, not in three commands.
 */

/** Absolute paths that start this CLI: `node script ARGS...`. */
export interface AgentidLauncher {
  node: string;
  script: string;
}

/** POSIX shell single-quoting: git runs `!` helpers and the AWS SDKs run credential_process through a shell (botocore: shlex). */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** argv that runs `agentid ARGS...`. */
function agentidArgv(launcher: AgentidLauncher, ...args: string[]): string[] {
  return [launcher.node, launcher.script, ...args];
}

/** The same as one shell command line. */
export function agentidShellCommand(launcher: AgentidLauncher, ...args: string[]): string {
  return agentidArgv(launcher, ...args)
    .map(shellQuote)
    .join(' ');
}

/** `credential.<url>.helper`: git runs a value starting with `!` through the shell, adding the operation. */
export function gitHelperValue(launcher: AgentidLauncher, credential?: string): string {
  const args = ['git-credential', ...(credential === undefined ? [] : ['--credential', credential])];
  return `!${agentidShellCommand(launcher, ...args)}`;
}

/** `credential_process = …` of an AWS profile. */
export function awsCredentialProcessValue(launcher: AgentidLauncher, credential: string): string {
  return agentidShellCommand(launcher, 'aws', 'credential-process', credential);
}

/** `command` + `args` of an MCP client entry that runs `agentid mcp ...`. */
export function mcpLauncher(launcher: AgentidLauncher): { command: string; args: string[] } {
  const [command = '', ...args] = agentidArgv(launcher);
  return { command, args };
}

/** The line every PATH shim carries: install-shim only replaces or removes files that have it. */
export const SHIM_MARK = '# Written by `agentid install-shim`';

/** The PATH shim (`agentid install-shim`): a POSIX sh script that execs the same command. */
export function shimScript(launcher: AgentidLauncher, ...fixedArgs: string[]): string {
  return [
    '#!/bin/sh',
    `${SHIM_MARK}; run it again after moving the clone or changing Node.`,
    `exec ${agentidShellCommand(launcher, ...fixedArgs)} "$@"`,
    '',
  ].join('\n');
}

/**
 * Shell commands that run what a setup wrote without asking for a credential, for `doctor`:
 * each exits 0 (and, for `--version`, prints agentid's version) only if the command still starts
 * agentid. null: the value is not one of ours.
 */
export const probes = {
  /**
   * git runs a helper `!cmd` as `cmd OP`, an absolute path as `path OP`, any other name as
   * `git credential-NAME OP` (gitcredentials(7)); `erase` with no input is answered without the daemon.
   */
  gitHelper(value: string): string | null {
    const command = value.startsWith('!')
      ? value.slice(1)
      : value.startsWith('/')
        ? value
        : `git credential-${value}`;
    const ours = /agentid/.test(command) || /cli\/main\.js'?\s+git-credential\b/.test(command);
    return ours ? `${command} erase </dev/null` : null;
  },
  /** `<launcher> aws credential-process NAME` → `<launcher> --version`. */
  awsCredentialProcess(value: string): string | null {
    const match = /^(.*?)\s+aws\s+credential-process\s+\S+\s*$/.exec(value.trim());
    return match?.[1] ? `${match[1]} --version` : null;
  },
  /** An MCP entry's launcher: `command args…` before `mcp`, with `--version`. */
  mcpEntry(entry: { command?: unknown; args?: unknown }): string[] | null {
    if (typeof entry.command !== 'string' || !Array.isArray(entry.args)) return null;
    const args = entry.args.map(String);
    const at = args.indexOf('mcp');
    const ours =
      args[at + 1] === '--name' || [entry.command, ...args.slice(0, at)].some((w) => /agentid/.test(w));
    if (at === -1 || !ours) return null;
    return [entry.command, ...args.slice(0, at), '--version'];
  },
};
