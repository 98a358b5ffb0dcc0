/**
 * Masking an echoed credential in a streamed body: whatever the chunking, the output is the input
 * with every occurrence masked, the length is unchanged, and a chunk is held back only while its
 * tail could still become the secret.
 */
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/gateway/redact.js';

async function run(secrets: string[], chunks: string[]): Promise<{ out: string; masked: number }> {
  const redactor = new Redactor(secrets);
  const parts: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    Readable.from(chunks.map((c) => Buffer.from(c)))
      .pipe(redactor)
      .on('data', (c: Buffer) => parts.push(c))
      .on('end', resolve)
      .on('error', reject);
  });
  return { out: Buffer.concat(parts).toString(), masked: redactor.masked };
}

describe('Redactor', () => {
  it('masks a secret split across chunks, keeping the length', async () => {
    const { out, masked } = await run(['sk-secret'], ['{"key":"sk-', 'sec', 'ret","n":1}']);
    expect(out).toBe('{"key":"*********","n":1}');
    expect(masked).toBe(1);
  });

  it('passes a chunk at once when its tail cannot start the secret (an SSE event)', () => {
    const redactor = new Redactor(['sk-secret']);
    const seen: string[] = [];
    redactor.on('data', (c: Buffer) => seen.push(c.toString()));
    redactor.write(Buffer.from('data: one\n\n'));
    expect(seen).toEqual(['data: one\n\n']);
    redactor.write(Buffer.from('data: s'));
    expect(seen).toEqual(['data: one\n\n', 'data: ']);
    redactor.write(Buffer.from('ky\n\n'));
    expect(seen.join('')).toBe('data: one\n\ndata: sky\n\n');
  });

  it('flushes a held tail that never became the secret', async () => {
    expect((await run(['sk-secret'], ['ends with sk-sec'])).out).toBe('ends with sk-sec');
  });

  it('for any chunking, masks exactly the occurrences', async () => {
    const secret = 'Bearer tok-3x';
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.constant(secret), fc.constant('tok-3x'), fc.string({ maxLength: 12 })), {
          maxLength: 12,
        }),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 20 }),
        async (pieces, sizes) => {
          const text = pieces.join('');
          const chunks: string[] = [];
          for (let at = 0, i = 0; at < text.length; i++) {
            const size = sizes[i % sizes.length] as number;
            chunks.push(text.slice(at, at + size));
            at += size;
          }
          const expected = text.replaceAll(secret, '*'.repeat(secret.length)).replaceAll('tok-3x', '******');
          const { out } = await run([secret, 'tok-3x'], chunks);
          expect(out).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
