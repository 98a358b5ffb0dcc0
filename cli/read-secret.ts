/**
 * Reads a secret value the way `gh secret set` and `op` do: all of stdin when it is piped, or one
 * line typed at a terminal with echo off. Never from argv.
 */
import type { ReadStream } from 'node:tty';
import { AgentIdError } from '../src/errors.js';

const MAX_BYTES = 60 * 1024;

export function readSecretInput(
  stdin: NodeJS.ReadableStream & Partial<Pick<ReadStream, 'isTTY' | 'setRawMode'>>,
  promptOut: NodeJS.WritableStream,
  prompt: string,
): Promise<string> {
  return stdin.isTTY && stdin.setRawMode
    ? readHiddenLine(stdin as ReadStream, promptOut, prompt)
    : readAll(stdin);
}

function readAll(stdin: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stdin.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BYTES) {
        reject(new AgentIdError('ERR_USAGE', `the value on stdin is larger than ${MAX_BYTES} bytes`));
        stdin.removeAllListeners('data');
        stdin.pause();
        return;
      }
      chunks.push(chunk);
    });
    stdin.on('error', reject);
    stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

function readHiddenLine(
  stdin: ReadStream,
  promptOut: NodeJS.WritableStream,
  prompt: string,
): Promise<string> {
  promptOut.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const done = (result: AgentIdError | string) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener('data', onData);
      promptOut.write('\n');
      if (result instanceof AgentIdError) reject(result);
      else resolve(result);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done(value);
        if (ch === '\u0003') return done(new AgentIdError('ERR_USAGE', 'cancelled'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}
