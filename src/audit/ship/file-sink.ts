/**
 * OCSF JSON lines in a file, for collectors that tail files (Fluent Bit `tail`, Vector `file`, the
 * OpenTelemetry Collector's `filelog`): one event per line, the same JSON `agentid audit export
 * --format ocsf` prints, rotated by size (rotation.ts). A row is delivered once its line is written;
 * sync() (fdatasync) runs before the cursor is saved, so a saved cursor never names a line a power
 * loss could take back. The directory must exist: a missing one (an unmounted volume) is an outage,
 * reported and retried like a collector that is down, not papered over by creating it.
 *
 * All I/O is async (libuv's pool), and one write at a time, so a stuck disk holds one pool thread
 * and the shipper's timeout reports it.
 */
import { type FileHandle, open, rename } from 'node:fs/promises';
import type { JsonlFileTarget } from '../../config/index.js';
import type { AuditRow } from '../types.js';
import { mustRotate, rotationRenames } from './rotation.js';
import { type ShipSink, unavailable } from './sink.js';
import { ocsfText } from './source.js';

export class JsonlFileSink implements ShipSink {
  readonly name = 'file';
  readonly target: string;
  readonly #file: JsonlFileTarget;
  #handle: FileHandle | null = null;
  #size = 0;
  #delivered: number | null = null;

  constructor(file: JsonlFileTarget) {
    this.#file = file;
    this.target = file.path;
  }

  async open(): Promise<void> {
    if (this.#handle) return;
    try {
      const handle = await open(this.#file.path, 'a', this.#file.mode);
      try {
        // The daemon's umask would narrow a group-readable mode; the configured mode is what counts.
        await handle.chmod(this.#file.mode);
        this.#size = (await handle.stat()).size;
      } catch (err) {
        await handle.close();
        throw err;
      }
      this.#handle = handle;
    } catch (err) {
      throw unavailable(this.target, err);
    }
  }

  async send(rows: readonly AuditRow[]): Promise<void> {
    let chunk: Buffer[] = [];
    let chunkBytes = 0;
    let chunkLast: number | null = null;
    const flush = async () => {
      await this.#write(chunk, chunkBytes);
      if (chunkLast !== null) this.#delivered = chunkLast;
      chunk = [];
      chunkBytes = 0;
    };
    for (const row of rows) {
      const line = Buffer.from(`${ocsfText(row)}\n`, 'utf8');
      if (mustRotate(this.#size + chunkBytes, line.length, this.#file.maxBytes)) {
        await flush();
        await this.#rotate();
      }
      chunk.push(line);
      chunkBytes += line.length;
      chunkLast = row.seq;
    }
    await flush();
  }

  delivered(): number | null {
    return this.#delivered;
  }

  async sync(): Promise<void> {
    try {
      await this.#handle?.datasync();
    } catch (err) {
      throw unavailable(this.target, err);
    }
  }

  close(): void {
    void this.#handle?.close().catch(() => {});
    this.#handle = null;
    this.#delivered = null;
  }

  async #write(chunk: Buffer[], bytes: number): Promise<void> {
    if (bytes === 0) return;
    const handle = this.#handle;
    if (!handle) throw unavailable(this.target, new Error('not open'));
    const data = Buffer.concat(chunk, bytes);
    try {
      let offset = 0;
      while (offset < data.length) {
        offset += (await handle.write(data, offset)).bytesWritten;
      }
    } catch (err) {
      throw unavailable(this.target, err);
    }
    this.#size += bytes;
  }

  async #rotate(): Promise<void> {
    // What was written must be on disk before the file it is in gets a new name.
    await this.sync();
    await this.#handle?.close();
    this.#handle = null;
    try {
      for (const [from, to] of rotationRenames(this.#file.path, this.#file.keep)) {
        await rename(from, to).catch((err: NodeJS.ErrnoException) => {
          // Fewer rotated files than `keep` exist yet.
          if (err.code !== 'ENOENT') throw err;
        });
      }
    } catch (err) {
      throw unavailable(this.target, err);
    }
    await this.open();
  }
}
