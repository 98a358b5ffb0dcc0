/**
 * The facts `agentid doctor` judges, gathered from the machine: the socket directory, the IdP's
 * discovery document, git's helper config, the AWS config file, MCP client configs, and what
 * running each command a setup wrote (cli/setup/helper-command.ts) shows.
 * Each probe is bounded in time and turns its own failure into data, so one broken tool never
 * hides the other checks.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { clientFile, MCP_CLIENTS } from '../../src/mcp/client-config.js';
import type { Env } from '../../src/paths.js';
import { probes } from '../setup/helper-command.js';
import { shellQuote } from '../setup/shell-quote.js';
import { pathDirs } from '../setup/shim.js';
import type { DirFacts, Discovery, GitHelperEntry, ProbeRun } from './checks.js';

// Generous: each probe starts a Node process, which takes seconds on a loaded machine, and a
// timeout would be reported as a setup that does not run.
const PROBE_TIMEOUT_MS = 15_000;

function run(
  command: string,
  args: string[],
  env: Env,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { env, timeout: PROBE_TIMEOUT_MS, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 127) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export function dirFacts(path: string): DirFacts {
  try {
    const st = statSync(path);
    return { path, stat: { isDirectory: st.isDirectory(), uid: st.uid, mode: st.mode } };
  } catch {
    return { path, stat: null };
  }
}

export async function discover(issuer: string, timeoutMs: number, fetchFn: typeof fetch): Promise<Discovery> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  try {
    const res = await fetchFn(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
    if (!res.ok) return { ok: false, error: `HTTP ${res.status}` };
    const doc = (await res.json()) as { issuer?: unknown };
    if (typeof doc.issuer !== 'string') return { ok: false, error: 'the document has no issuer' };
    return { ok: true, issuer: doc.issuer, date: res.headers.get('date') };
  } catch (err) {
    const e = err as Error;
    const why = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause as Error)?.message;
    return { ok: false, error: why ?? e.message };
  }
}

/** `credential.<url>.helper` entries as git sees them from here (system, global and local config). */
export async function gitHelperEntries(env: Env): Promise<GitHelperEntry[] | { error: string }> {
  const { code, stdout } = await run('git', ['config', '--get-regexp', '^credential\\..*\\.helper$'], env);
  // `git config --get-regexp` exits 1 when nothing matches.
  if (code === 1) return [];
  if (code !== 0) return { error: code === 127 ? 'git is not installed' : `git config failed (${code})` };
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const space = line.indexOf(' ');
      return space === -1
        ? { key: line, value: '' }
        : { key: line.slice(0, space), value: line.slice(space + 1) };
    });
}

/** The AWS config file the AWS tools read (AWS_CONFIG_FILE, else ~/.aws/config); null text when absent. */
export function awsConfig(env: Env): { file: string; text: string | null } {
  const file = env.AWS_CONFIG_FILE || join(env.HOME || homedir(), '.aws', 'config');
  try {
    return { file, text: readFileSync(file, 'utf8') };
  } catch {
    return { file, text: null };
  }
}

/** Runs each probe command once (in parallel) with autostart off: doctor never starts the daemon. */
export async function runProbes(commands: readonly string[], env: Env): Promise<Map<string, ProbeRun>> {
  const quiet = { ...env, AGENTID_NO_AUTOSTART: '1' };
  const unique = [...new Set(commands)];
  const runs = await Promise.all(
    unique.map(async (command): Promise<ProbeRun> => {
      const { code, stdout, stderr } = await run('sh', ['-c', command], quiet);
      const output = `${stderr.trim()}\n${stdout.trim()}`.trim().split('\n', 1)[0] ?? '';
      return { command, code, output: output.slice(0, 300) };
    }),
  );
  return new Map(runs.map((r) => [r.command, r]));
}

/** The first `agentid` on PATH, as a shell would find it. */
export function agentidOnPath(env: Env): string | null {
  for (const dir of pathDirs(env.PATH)) {
    const candidate = join(dir, 'agentid');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return null;
}

/** Entries of this directory's MCP client configs that run `agentid mcp`, with their probe. */
export function mcpEntries(cwd: string): { file: string; name: string; probe: string }[] {
  return MCP_CLIENTS.flatMap((client) => {
    const file = join(cwd, clientFile(client));
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch {
      return [];
    }
    const servers = (doc?.mcpServers ?? doc?.servers ?? {}) as Record<
      string,
      { command?: unknown; args?: unknown }
    >;
    return Object.entries(servers).flatMap(([name, entry]) => {
      const argv = typeof entry === 'object' && entry !== null ? probes.mcpEntry(entry) : null;
      return argv ? [{ file: clientFile(client), name, probe: argv.map(shellQuote).join(' ') }] : [];
    });
  });
}
