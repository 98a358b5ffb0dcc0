/**
 * Sessions in the daemon: persisted on every change and restored (roots that died are ended, a
 * sandbox that cannot be pinned again is dropped), found by user namespace before ancestry, and
 * never left through ancestry once inside a sandbox.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  fileSessionStore,
  membershipOf,
  type SessionRecord,
  SessionRegistry,
} from '../../src/sessions/index.js';

const human = { sub: 'local:me@host', idp: 'local' as const, user: 'me', host: 'host' };

function record(id: string, overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id,
    agent: id,
    human,
    rootPid: 100,
    rootStartTime: 10,
    startedAt: '2026-01-01T00:00:00.000Z',
    parent: null,
    bounds: [id],
    subreaper: true,
    sandbox: null,
    ...overrides,
  };
}

const pinned = () => ({
  closed: false,
  close() {
    this.closed = true;
  },
});

describe('SessionRegistry', () => {
  let dir: string;
  let file: string;
  const warnings: string[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'agentid-sessions-'));
    file = join(dir, 'sessions.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const open = () => new SessionRegistry(fileSessionStore(file, (m) => warnings.push(m)));

  it('persists every change to a 0600 file, and a new registry restores the sessions whose root lives', () => {
    const first = open();
    first.add(record('a'));
    first.add(record('b', { rootPid: 200 }));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const second = open();
    const restored = second.restore(
      (pid) => pid === 100,
      () => null,
    );
    expect(restored).toEqual({ restored: 1, ended: ['b'] });
    expect(second.rootedAt(100, 10)?.id).toBe('a');
    // What was ended is gone from the file too.
    expect(
      (JSON.parse(readFileSync(file, 'utf8')) as { sessions: SessionRecord[] }).sessions.map((s) => s.id),
    ).toEqual(['a']);
  });

  it('pins a sandbox again on restore, or drops it when its namespace cannot be held', () => {
    const first = open();
    first.add(record('s', { sandbox: { pid: 300, startTime: 30, userns: '4:1' } }));
    first.add(record('t', { rootPid: 101, sandbox: { pid: 301, startTime: 31, userns: '4:2' } }));
    const held = pinned();
    const second = open();
    second.restore(
      () => true,
      (sandbox) => (sandbox.userns === '4:1' ? held : null),
    );
    expect(second.byUserns(['4:1'])?.id).toBe('s');
    expect(second.byUserns(['4:2'])).toBeNull();
    expect(second.get('t')?.sandbox).toBeNull();
    second.remove('s');
    expect(held.closed).toBe(true);
  });

  it('treats an unreadable sessions file as no sessions, and says so', () => {
    const restored = () =>
      open().restore(
        () => true,
        () => null,
      ).restored;
    writeFileSync(file, '{"version": 1, "sessions": [{"id": 5}]}');
    expect(restored()).toBe(0);
    writeFileSync(file, 'not json');
    expect(restored()).toBe(0);
    expect(warnings.at(-1)).toContain('not a valid sessions file');
  });

  it('refuses to let anyone but the root own a session', () => {
    const registry = open();
    registry.add(record('a'));
    expect(registry.ownedBy('a', { pid: 100, startTime: 10 }).id).toBe('a');
    expect(() => registry.ownedBy('a', { pid: 100, startTime: 11 })).toThrow(
      expect.objectContaining({ code: 'ERR_SESSION_NOT_FOUND' }),
    );
  });

  it('keeps a session whose root died while its sandbox lives; prunes it when both are gone', () => {
    const registry = open();
    registry.add(record('s'));
    registry.attachSandbox('s', { pid: 300, startTime: 30, userns: '4:1' }, pinned());
    expect(registry.prune((pid) => pid === 300)).toEqual([]);
    expect(registry.prune(() => false).map((s) => s.id)).toEqual(['s']);
    expect(registry.size).toBe(0);
  });
});

describe('membershipOf', () => {
  const open = () =>
    new SessionRegistry({
      load: () => [],
      save: () => {},
    });
  const process = (userns: string[], ancestors: [number, number][]) => ({
    pid: 999,
    startTime: 99,
    userns,
    ancestors: ancestors.map(([pid, startTime]) => ({ pid, startTime })),
  });

  it('finds a sandboxed process by its user namespace, whatever its ancestry says', () => {
    const registry = open();
    registry.add(record('s'));
    registry.attachSandbox('s', { pid: 300, startTime: 30, userns: '4:1' }, pinned());
    // Reparented to init (setsid, double fork, a killed wrapper): still the session's.
    expect(membershipOf(registry, process(['4:1'], [[1, 1]]))).toMatchObject({
      session: { id: 's' },
      membership: 'sandbox',
      sandboxed: true,
    });
    // In a namespace of its own inside the sandbox (unshare -U): still the session's.
    expect(membershipOf(registry, process(['4:77', '4:1'], [[1, 1]]))?.session.id).toBe('s');
  });

  it('takes a session nested inside the sandbox by ancestry, but never one outside it', () => {
    const registry = open();
    registry.add(record('outer'));
    registry.attachSandbox('outer', { pid: 300, startTime: 30, userns: '4:1' }, pinned());
    registry.add(
      record('inner', { rootPid: 400, rootStartTime: 40, parent: 'outer', bounds: ['outer', 'inner'] }),
    );
    registry.add(record('elsewhere', { rootPid: 500, rootStartTime: 50 }));
    expect(
      membershipOf(
        registry,
        process(
          ['4:1'],
          [
            [400, 40],
            [300, 30],
          ],
        ),
      ),
    ).toMatchObject({
      session: { id: 'inner' },
      membership: 'subreaper',
      sandboxed: true,
    });
    expect(membershipOf(registry, process(['4:1'], [[500, 50]]))?.session.id).toBe('outer');
  });

  it('without a sandbox, is the nearest session by ancestry (pid and start time), held as its wrapper holds it', () => {
    const registry = open();
    registry.add(record('plain', { subreaper: false }));
    expect(membershipOf(registry, process([], [[100, 10]]))).toMatchObject({
      session: { id: 'plain' },
      membership: 'ancestry',
      sandboxed: false,
    });
    expect(membershipOf(registry, process([], [[100, 11]]))).toBeNull();
  });
});
