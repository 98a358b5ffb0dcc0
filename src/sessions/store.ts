/**
 * Sessions on disk, so a restarted daemon (crashed, upgraded, or killed by an agent) still knows
 * them: state/sessions.json, 0600, replaced atomically (write a temp file, fsync, rename). A file
 * that does not parse is reported and treated as empty rather than trusted in part.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import type { SessionRecord } from '../protocol/index.js';

export interface SessionStore {
  load(): SessionRecord[];
  save(records: readonly SessionRecord[]): void;
}

const VERSION = 1;

export function fileSessionStore(path: string, warn: (message: string) => void): SessionStore {
  return {
    load() {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        warn(`cannot read ${path}: ${(err as Error).message}; starting with no sessions`);
        return [];
      }
      try {
        const doc = JSON.parse(text) as { version?: unknown; sessions?: unknown };
        if (doc.version !== VERSION || !Array.isArray(doc.sessions)) throw new Error('not a sessions file');
        return doc.sessions.filter(isRecord);
      } catch (err) {
        warn(`${path} is not a valid sessions file (${(err as Error).message}); starting with no sessions`);
        return [];
      }
    },
    save(records) {
      // Only the daemon writes it, under its single-instance lock: one temp name is enough.
      const temp = `${path}.tmp`;
      const fd = openSync(temp, 'w', 0o600);
      try {
        writeSync(fd, JSON.stringify({ version: VERSION, sessions: records }));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      try {
        renameSync(temp, path);
      } catch (err) {
        unlinkSync(temp);
        throw err;
      }
    },
  };
}

function isRecord(value: unknown): value is SessionRecord {
  const r = value as Partial<SessionRecord> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.id === 'string' &&
    (r.agent === null || typeof r.agent === 'string') &&
    typeof r.human === 'object' &&
    r.human !== null &&
    Number.isSafeInteger(r.rootPid) &&
    Number.isSafeInteger(r.rootStartTime) &&
    typeof r.startedAt === 'string' &&
    (r.parent === null || typeof r.parent === 'string') &&
    Array.isArray(r.bounds) &&
    r.bounds.every((b) => typeof b === 'string') &&
    typeof r.subreaper === 'boolean' &&
    (r.sandbox === null ||
      (typeof r.sandbox === 'object' &&
        Number.isSafeInteger(r.sandbox?.pid) &&
        Number.isSafeInteger(r.sandbox?.startTime) &&
        typeof r.sandbox?.userns === 'string'))
  );
}
