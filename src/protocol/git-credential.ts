/**
 * git's credential helper protocol (git-credential(1), gitcredentials(7)), pure: `key=value`
 * lines ended by a blank line or EOF, no quoting, `key[]` attributes as ordered lists that an
 * empty value resets, unknown keys ignored. Input is bounded (line and total size) because git is
 * not the only program that can run a helper. Answers use the newer `authtype`/`credential`
 * fields only when git announced `capability[]=authtype`, as the protocol requires. Shared by
 * the Node helper and the daemon's text mode, where the thin sh helper sends git's input as is.
 */
import { AgentIdError } from '../errors.js';
import type { GitCredentialRequest, GitCredentialResponse } from './types.js';

/** git itself refuses credential lines of 64 KiB and more; we need far less. */
export const MAX_LINE_BYTES = 16 * 1024;
export const MAX_INPUT_BYTES = 64 * 1024;

export interface CredentialInput {
  protocol?: string;
  host?: string;
  path?: string;
  username?: string;
  /** `capability[]` values git announced, in order. */
  capabilities: string[];
}

export interface CredentialAnswer {
  username: string;
  password: string;
  expiresAt: Date;
}

const SINGLE_KEYS = ['protocol', 'host', 'path', 'username'] as const;

export function parseCredentialInput(text: string): CredentialInput {
  if (Buffer.byteLength(text) > MAX_INPUT_BYTES) {
    throw invalid(`the input is larger than ${MAX_INPUT_BYTES} bytes`);
  }
  const input: CredentialInput = { capabilities: [] };
  const lists = new Map<string, string[]>();
  for (const rawLine of text.split('\n')) {
    // git reads lines with strbuf_getline, which drops a CR before the LF.
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line === '') break;
    if (Buffer.byteLength(line) > MAX_LINE_BYTES)
      throw invalid(`a line is longer than ${MAX_LINE_BYTES} bytes`);
    if (line.includes('\0')) throw invalid('a line contains a NUL byte');
    const eq = line.indexOf('=');
    // git itself rejects such a line ("invalid credential line").
    if (eq <= 0) throw invalid(`a line is not key=value: ${JSON.stringify(line.slice(0, 40))}`);
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    if (key.endsWith('[]')) {
      if (value === '') lists.set(key, []);
      else lists.set(key, [...(lists.get(key) ?? []), value]);
    } else if ((SINGLE_KEYS as readonly string[]).includes(key)) {
      input[key as (typeof SINGLE_KEYS)[number]] = value;
    }
  }
  input.capabilities = lists.get('capability[]') ?? [];
  return input;
}

/** Protocols whose credentials the daemon can serve. */
const PROTOCOLS = new Set(['https', 'http']);

/**
 * What to ask the daemon for a `get`; null for what it never serves, where the helper stays
 * silent so git asks the next helper.
 */
export function credentialRequest(input: CredentialInput, credential?: string): GitCredentialRequest | null {
  if (!input.protocol || !input.host || !PROTOCOLS.has(input.protocol)) return null;
  return {
    protocol: input.protocol,
    host: input.host,
    ...(input.path ? { path: input.path } : {}),
    ...(credential ? { credential } : {}),
  };
}

/** What the helper prints for the daemon's answer: nothing for a host that is not ours. */
export function answerText(response: GitCredentialResponse, capabilities: readonly string[]): string {
  if (!response.served) return '';
  if (!safeValue(response.username) || !safeValue(response.password)) {
    throw new AgentIdError('ERR_DAEMON_PROTOCOL', 'the credential contains a line break');
  }
  return formatAnswer({ ...response, expiresAt: new Date(response.expiresAt) }, capabilities);
}

/** The answer to `get`. With the authtype capability: a pre-encoded Basic credential git must not store. */
export function formatAnswer(answer: CredentialAnswer, capabilities: readonly string[]): string {
  const expiry = `password_expiry_utc=${Math.floor(answer.expiresAt.getTime() / 1000)}`;
  if (capabilities.includes('authtype')) {
    const basic = Buffer.from(`${answer.username}:${answer.password}`).toString('base64');
    return `capability[]=authtype\nauthtype=Basic\ncredential=${basic}\nephemeral=1\n${expiry}\n`;
  }
  return `username=${answer.username}\npassword=${answer.password}\n${expiry}\n`;
}

/** Tells git to stop: no further helper and no prompt (used when policy denies). */
export const QUIT_ANSWER = 'quit=1\n';

/** A value git would misread: a newline would start a new attribute, NUL ends it. */
export function safeValue(value: string): boolean {
  return !/[\n\r\0]/.test(value);
}

function invalid(why: string): AgentIdError {
  return new AgentIdError('ERR_GIT_INPUT_INVALID', `git-credential input rejected: ${why}`);
}
