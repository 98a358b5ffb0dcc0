/**
 * The facts `agentid doctor` judges, gathered from the machine: the node that runs agentid, the
 * socket directory, the IdP's discovery document, git's helper config and the AWS config file.
 * Each probe is bounded in time and turns its own failure into data, so one broken tool never
 * hides the other checks.
 */
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Env } from '../../src/paths.js';
import type { DirFacts, Discovery, GitHelperEntry } from './checks.js';

const PROBE_TIMEOUT_MS = 5_000;

function run(command: string, args: string[], env: Env): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { env, timeout: PROBE_TIMEOUT_MS, encoding: 'utf8' }, (err, stdout) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 127) : 0;
      resolve({ code, stdout });
    });
  });
}

/** The version of the node binary that agentid's helpers (git, credential_process) are started with. */
export async function nodeVersion(node: string, env: Env): Promise<string | null> {
  const { code, stdout } = await run(node, ['-p', 'process.versions.node'], env);
  return code === 0 ? stdout.trim() : null;
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
