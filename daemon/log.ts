/**
 * Daemon log lines: `<ISO time> <level> <message>`, one per line, to whatever sink main.ts gives
 * (stderr in the foreground, the log file when detached). Callers never pass secret values.
 */
import { printable } from '../src/printable.js';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export function createLogger(write: (line: string) => void, now: () => Date): Logger {
  // Messages quote requests and attested processes: escaped, so `cat daemon.log` or `tail -f` is
  // safe and one message stays one line.
  const line = (level: string) => (message: string) =>
    write(`${now().toISOString()} ${level} ${printable(message)}\n`);
  return { info: line('info'), warn: line('warn'), error: line('error') };
}
