/**
 * Opt-in file backend for machines without a usable OS keychain (headless servers, containers).
 * Secrets sit unencrypted in one JSON file, so it is created 0600, refused when it is not a
 * private regular file of ours, and replaced atomically (temp file + rename) so a crash never
 * leaves half a file. Every call rereads the file: it is small, and a reread sees edits made by
 * another agentid process. The reread is synchronous: for a file this small, open, fstat, read and
 * close take ~16 µs here, against ~155 µs through libuv's threadpool (five hops, each a thread
 * wake-up and an event-loop turn), and the daemon reads it on a cold AWS issue. Writes stay
 * asynchronous: they fsync.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname } from 'node:path';
import { AgentIdError } from '../errors.js';
import { ensurePrivateDir } from '../paths.js';
import type { SecretStore } from './types.js';

const VERSION = 1;

export async function openFileStore(filePath: string): Promise<SecretStore> {
  const uid = userInfo().uid;
  ensurePrivateDir(dirname(filePath), uid);
  if (load(filePath, uid) === undefined) await save(filePath, new Map());

  const read = async () => load(filePath, uid) ?? new Map<string, string>();
  // Read-modify-write cycles of this process run one at a time so none loses another's update.
  let queue: Promise<unknown> = Promise.resolve();
  const update = <T>(change: (secrets: Map<string, string>) => T): Promise<T> => {
    const next = queue.then(async () => {
      const secrets = await read();
      const result = change(secrets);
      await save(filePath, secrets);
      return result;
    });
    queue = next.catch(() => undefined);
    return next;
  };

  return {
    backend: 'file',
    get: async (name) => (await read()).get(name),
    set: (name, value) =>
      update((secrets) => {
        secrets.set(name, value);
      }),
    delete: (name) => update((secrets) => secrets.delete(name)),
    list: async () => [...(await read()).keys()].sort(),
  };
}

function load(filePath: string, uid: number): Map<string, string> | undefined {
  let fd: number;
  try {
    // O_NOFOLLOW: a symlink planted in our place must not redirect reads. O_NONBLOCK: a FIFO
    // planted there opens at once (and is refused below as not a regular file) instead of
    // blocking the daemon's event loop until something writes to it.
    fd = openSync(filePath, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP')
      throw backendError(`${filePath} is a symlink; replace it with the file itself`, err);
    throw backendError(`cannot open ${filePath}: ${(err as Error).message}`, err);
  }
  try {
    // fstat of the opened handle, not stat of the path, so the checked file is the file read.
    const st = fstatSync(fd);
    if (!st.isFile()) throw backendError(`${filePath} is not a regular file; remove it`);
    if (st.uid !== uid) {
      throw backendError(
        `${filePath} is owned by uid ${st.uid}, not by you (uid ${uid}); it holds secrets in clear ` +
          `text, so agentid will not trust it: chown it to yourself or remove it`,
      );
    }
    const mode = st.mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw backendError(
        `${filePath} has mode ${mode.toString(8)} but holds secrets in clear text; ` +
          `make it private: chmod 600 ${filePath}`,
      );
    }
    return parse(readFileSync(fd, 'utf8'), filePath);
  } finally {
    closeSync(fd);
  }
}

// The parser's own message quotes the file's text, which is secrets: report only where.
function parse(text: string, filePath: string): Map<string, string> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw backendError(`${filePath} is not valid JSON; restore it from a backup or remove it`);
  }
  if (!isRecord(data) || data.version !== VERSION || !isRecord(data.secrets)) {
    throw backendError(`${filePath} is not an agentid secrets file (version ${VERSION})`);
  }
  const secrets = new Map<string, string>();
  for (const [name, value] of Object.entries(data.secrets)) {
    if (typeof value !== 'string') throw backendError(`${filePath}: secret "${name}" is not a string`);
    secrets.set(name, value);
  }
  return secrets;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function save(filePath: string, secrets: Map<string, string>): Promise<void> {
  const text = `${JSON.stringify({ version: VERSION, secrets: Object.fromEntries([...secrets].sort()) }, null, 2)}\n`;
  const temp = `${filePath}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    // 'wx' never reuses an existing path; 0600 holds from the first byte written.
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, filePath);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw backendError(`cannot write ${filePath}: ${(err as Error).message}`, err);
  }
}

function backendError(message: string, cause?: unknown): AgentIdError {
  return new AgentIdError('ERR_SECRETS_BACKEND', message, { cause });
}
