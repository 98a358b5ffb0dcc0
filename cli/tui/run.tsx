/**
 * Starts the audit TUI on the terminal: the alternate screen (so quitting gives back the shell's
 * screen as it was), ink on the given streams, and the reader closed on the way out. Loaded by
 * `agentid audit` only when it opens the TUI, so no other command pays for ink and react.
 */
import { render } from 'ink';
import type { AuditReader } from '../../src/audit/index.js';
import { AuditApp } from './app.js';
import type { AuditFilter } from './filter.js';

export interface RunTuiOptions {
  reader: AuditReader;
  path: string;
  filter: AuditFilter;
  follow: boolean;
  now: () => Date;
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
}

const ENTER_ALT_SCREEN = '\x1b[?1049h\x1b[H';
const LEAVE_ALT_SCREEN = '\x1b[?1049l';

export async function runAuditTui(o: RunTuiOptions): Promise<void> {
  o.stdout.write(ENTER_ALT_SCREEN);
  try {
    const app = render(
      <AuditApp source={o.reader} path={o.path} initialFilter={o.filter} follow={o.follow} now={o.now} />,
      { stdin: o.stdin, stdout: o.stdout, exitOnCtrlC: true, patchConsole: false },
    );
    await app.waitUntilExit();
  } finally {
    o.stdout.write(LEAVE_ALT_SCREEN);
  }
}
