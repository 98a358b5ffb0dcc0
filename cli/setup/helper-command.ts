/**
 * The commands every `agentid setup` writes for another tool to start agentid, and how `doctor`
 * proves that what was written still runs. git's credential helper and the AWS
 * `credential_process` are the thin sh helpers (cli/thin-helpers.ts), (re)written here with this
 * CLI's absolute paths for their Node fallback; MCP client entries and the PATH shim run agentid
 * itself by those paths. Absolute, because the tools run them with their own PATH (git hooks, AWS
 * SDKs in an IDE, MCP clients started from a desktop), where a bare `agentid` is often not found.
 * The one place that decides what setup writes.
 */
import type { Paths } from '../../src/paths.js';
import { installThinHelper, THIN_HELPER_FILES } from '../thin-helpers.js';
import { shellQuote } from './shell-quote.js';

/** Absolute paths that start this CLI: `node script ARGS...`. */
export interface AgentidLauncher {
  node: string;
  script: string;
}

/** Where setup writes the thin helpers, and the launcher their Node fallback runs. */
export interface HelperSite {
  paths: Pick<Paths, 'helpersDir'>;
  agentid: AgentidLauncher;
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

/** The command words of git's `credential.<url>.helper`: the thin sh helper, (re)written now. */
export function gitHelperWords(site: HelperSite): string[] {
  return [installThinHelper(site.paths.helpersDir, 'git', site.agentid)];
}

/** `credential.<url>.helper`: git runs a value starting with `!` through the shell, adding the operation. */
export function gitHelperValue(words: readonly string[], credential?: string): string {
  const args = credential === undefined ? [] : ['--credential', credential];
  return `!${[...words, ...args].map(shellQuote).join(' ')}`;
}

/**
 * `credential_process = …` of an AWS profile: the thin sh helper (written now) and the credential;
 * with `program` (setup aws --command), `<program> aws credential-process NAME` as the user asked.
 */
export function awsCredentialProcessValue(site: HelperSite, credential: string, program?: string): string {
  if (program !== undefined) return `${program} aws credential-process ${credential}`;
  return `${shellQuote(installThinHelper(site.paths.helpersDir, 'aws', site.agentid))} ${credential}`;
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
    const thin = thinHelperWord(value.startsWith('!') ? value.slice(1) : value, 'git');
    // The thin helper answers store/erase itself: --help runs its Node fallback, which prints the
    // usage; a fallback gone says so and exits 0 (git goes on to the next helper), hence the check.
    if (thin !== null) {
      return `out=$(${thin} --help 2>&1) && case $out in *'usage: ${THIN_HELPER_FILES.git}'*) exit 0 ;; esac; printf '%s\\n' "$out" >&2; exit 1`;
    }
    const command = value.startsWith('!')
      ? value.slice(1)
      : value.startsWith('/')
        ? value
        : `git credential-${value}`;
    const ours = /agentid/.test(command) || /cli\/main\.js'?\s+git-credential\b/.test(command);
    return ours ? `${command} erase </dev/null` : null;
  },
  /**
   * `<launcher> aws credential-process NAME` → `<launcher> --version`; the thin helper →
   * `<helper> --help`, which runs its Node fallback (exit 5 when that is gone).
   */
  awsCredentialProcess(value: string): string | null {
    const thin = thinHelperWord(value.trim(), 'aws');
    if (thin !== null) return `${thin} --help >/dev/null`;
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

/** The first word of a shell command, as written, if it is the thin helper of `kind` by absolute path. */
function thinHelperWord(command: string, kind: keyof typeof THIN_HELPER_FILES): string | null {
  const word = /^('[^']*'|[^\s']+)/.exec(command)?.[1] ?? '';
  const path = word.replace(/^'(.*)'$/, '$1');
  return path.startsWith('/') && path.endsWith(`/${THIN_HELPER_FILES[kind]}`) ? word : null;
}
