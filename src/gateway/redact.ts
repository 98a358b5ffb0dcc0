/**
 * Masks the credential where an upstream echoes it in a response body (a debugging endpoint, an
 * error that quotes the request), byte for byte with `*`, so Content-Length stays true and nothing
 * is buffered beyond what could still become a match: only a chunk's tail that is the start of a
 * secret waits for the next chunk. A server-sent event ends in "\n\n", which starts no secret, so
 * events still pass the moment they arrive. Compressed bodies cannot be scanned and are not
 * (README: what secretless does not cover).
 */
import { Transform, type TransformCallback } from 'node:stream';

const MASK = 0x2a;

export class Redactor extends Transform {
  readonly #needles: Buffer[];
  #carry: Buffer = Buffer.alloc(0);
  /** How many occurrences were masked, for the audit row. */
  masked = 0;

  constructor(secrets: readonly string[]) {
    super();
    this.#needles = [...new Set(secrets.filter((s) => s !== ''))].map((s) => Buffer.from(s, 'utf8'));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const data = this.#carry.length ? Buffer.concat([this.#carry, chunk]) : Buffer.from(chunk);
    for (const needle of this.#needles) {
      for (let at = data.indexOf(needle); at >= 0; at = data.indexOf(needle, at + needle.length)) {
        data.fill(MASK, at, at + needle.length);
        this.masked++;
      }
    }
    const held = this.#pendingPrefix(data);
    this.#carry = Buffer.from(data.subarray(data.length - held));
    if (data.length > held) this.push(data.subarray(0, data.length - held));
    done();
  }

  override _flush(done: TransformCallback): void {
    done(null, this.#carry.length ? this.#carry : undefined);
  }

  /** The longest tail of `data` that some secret starts with (and is not all of). */
  #pendingPrefix(data: Buffer): number {
    const longest = Math.max(0, ...this.#needles.map((n) => n.length - 1));
    for (let size = Math.min(longest, data.length); size > 0; size--) {
      const tail = data.subarray(data.length - size);
      if (this.#needles.some((n) => n.length > size && n.subarray(0, size).equals(tail))) return size;
    }
    return 0;
  }
}
