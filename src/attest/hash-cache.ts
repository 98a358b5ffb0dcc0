/**
 * sha256 of a running executable, opened through /proc/PID/exe so the digest is of the inode the
 * process runs, not of whatever its path names now. Results are keyed by the file's identity and
 * change stamps (stat), so a hot caller costs one stat. A cold hash streams in chunks through
 * the thread pool, so a large binary does not stall the daemon, and concurrent callers of one
 * file share one digest.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, read } from 'node:fs';
import type { FileStat } from '../native/libc.js';
import { BoundedCache } from './bounded-cache.js';
import { statOrNull } from './file-identity.js';
import { stampOf } from './file-stamp.js';
import { errnoOf } from './procfs.js';

/** Hex sha256 of the whole file behind fd, read from offset 0; rejects past maxBytes. */
export type Digest = (fd: number, maxBytes: number) => Promise<string>;

export interface HashOutcome {
  sha256: string | null;
  /** Why sha256 is null. */
  skipped: string | null;
}

export interface HashCache {
  /**
   * Stats (or, for a digest not yet known, opens) `path` before returning, so the inode is fixed
   * by the time the caller checks that the process is still the one it attested; only the digest
   * itself is awaited. `known`: the caller's own stat of `path`, taken in that same window, used
   * instead of another (null: it failed). Never rejects.
   */
  hash(path: string, known?: FileStat | null): Promise<HashOutcome>;
}

const CHUNK_BYTES = 1024 * 1024;
const MAX_ENTRIES = 256;

function readAt(fd: number, buffer: Buffer, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    read(fd, buffer, 0, buffer.length, position, (err, n) => (err ? reject(err) : resolve(n)));
  });
}

export const digestFd: Digest = async (fd, maxBytes) => {
  const hash = createHash('sha256');
  const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  let position = 0;
  for (;;) {
    const n = await readAt(fd, chunk, position);
    if (n === 0) return hash.digest('hex');
    position += n;
    // The size was checked before; a file still growing is not hashed to the end of time.
    if (position > maxBytes) throw Object.assign(new Error('file grew past the hash cap'), { code: 'EFBIG' });
    hash.update(chunk.subarray(0, n));
  }
};

function skipped(reason: string): HashOutcome {
  return { sha256: null, skipped: reason };
}

export function createHashCache(maxBytes: number, digest: Digest = digestFd): HashCache {
  const done = new BoundedCache<string, string>(MAX_ENTRIES);
  const inflight = new Map<string, Promise<HashOutcome>>();

  async function compute(fd: number, key: string): Promise<HashOutcome> {
    try {
      const sha256 = await digest(fd, maxBytes);
      // Bytes read while the file changed under us match no real content: neither report nor keep them.
      if (stampOf(fstatSync(fd, { bigint: true })) !== key) {
        return skipped('executable changed while it was being hashed');
      }
      done.set(key, sha256);
      return { sha256, skipped: null };
    } catch (err) {
      return skipped(`executable could not be read (${errnoOf(err) ?? 'error'})`);
    }
  }

  return {
    hash(path, known = statOrNull(path)) {
      // Warm: a stat of the path (through /proc's magic link, the very inode an open would give),
      // or the caller's own of it, finds a known digest without an open and a close. Anything else
      // opens the file; a failed stat is reported by the open.
      const digest = known && done.get(stampOf(known));
      if (digest) return Promise.resolve({ sha256: digest, skipped: null });
      let fd: number;
      try {
        fd = openSync(path, 'r');
      } catch (err) {
        // e.g. an execute-only binary: the process is attested, its content just cannot be hashed.
        return Promise.resolve(skipped(`executable could not be opened (${errnoOf(err) ?? 'error'})`));
      }
      let handedOver = false;
      try {
        const st = fstatSync(fd, { bigint: true });
        if (!st.isFile()) return Promise.resolve(skipped('executable is not a regular file'));
        if (st.size > BigInt(maxBytes)) {
          return Promise.resolve(
            skipped(`executable is ${st.size} bytes, over the ${maxBytes}-byte hash cap (max_hash_bytes)`),
          );
        }
        const key = stampOf(st);
        const sha256 = done.get(key);
        if (sha256 !== undefined) return Promise.resolve({ sha256, skipped: null });
        const pending = inflight.get(key);
        if (pending) return pending;
        handedOver = true;
        const job = compute(fd, key).finally(() => {
          closeSync(fd);
          inflight.delete(key);
        });
        inflight.set(key, job);
        return job;
      } catch (err) {
        return Promise.resolve(skipped(`executable could not be examined (${errnoOf(err) ?? 'error'})`));
      } finally {
        if (!handedOver) closeSync(fd);
      }
    },
  };
}
