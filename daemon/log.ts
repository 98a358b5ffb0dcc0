/**
 * Daemon log lines: `<ISO time> <level> <message>`, one per line, to whatever sink main.ts gives
 * (stderr in the foreground, the log file when detached). Callers never pass secret values.
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export function createLogger(write: (line: string) => void, now: () => Date): Logger {
  const line = (level: string) => (message: string) => write(`${now().toISOString()} ${level} ${message}\n`);
  return { info: line('info'), warn: line('warn'), error: line('error') };
}
