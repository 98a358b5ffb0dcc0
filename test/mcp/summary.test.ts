/**
 * summarizeCall: what policy and audit see of an MCP request. Table tests for the path rule (the
 * deepest path holding every path-like argument, normalized and resolved like the server does)
 * and the digest (canonical: key order does not change it).
 */
import { describe, expect, it } from 'vitest';
import { commonPath, summarizeCall } from '../../src/mcp/index.js';

const base = { cwd: '/repo', home: '/home/me' };
const call = (args: unknown, name = 'read_file') =>
  summarizeCall('fs', 'tools/call', { name, arguments: args }, base);

describe('summarizeCall', () => {
  it.each([
    ['an absolute path', { path: '/repo/src/a.ts' }, '/repo/src/a.ts'],
    ['a relative path, against the cwd', { path: 'src/a.ts' }, '/repo/src/a.ts'],
    ['a path that climbs out', { path: '/repo/../etc/passwd' }, '/etc/passwd'],
    ['a relative path that climbs out', { path: '../../etc' }, '/etc'],
    ['a home path', { path: '~/notes' }, '/home/me/notes'],
    ['a file URL', { uri: 'file:///repo/x%20y' }, '/repo/x y'],
    ['a move inside the repo', { source: '/repo/a', destination: '/repo/b/c' }, '/repo'],
    ['a move out of the repo', { source: '/repo/a', destination: '/etc/cron.d/x' }, '/'],
    ['a list of paths', { paths: ['/repo/a/1', '/repo/a/2'] }, '/repo/a'],
    ['camelCase path keys', { filePath: '/repo/x' }, '/repo/x'],
    ['no path-like argument', { query: '/etc/passwd' }, undefined],
    ['an http URL', { url: 'https://example.com/a' }, undefined],
  ])('path of %s', (_name, args, path) => {
    expect(call(args)?.path).toBe(path);
  });

  it('digests the arguments canonically: key order does not matter, content does', () => {
    const a = call({ path: '/repo/a', content: 'x' });
    const b = call({ content: 'x', path: '/repo/a' });
    const c = call({ content: 'y', path: '/repo/a' });
    expect(a?.argsDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(a?.argsDigest).toBe(b?.argsDigest);
    expect(a?.argsDigest).not.toBe(c?.argsDigest);
  });

  it('names resources by URI and prompts by name; other methods are not decided', () => {
    expect(summarizeCall('fs', 'resources/read', { uri: 'file:///repo/r' }, base)).toMatchObject({
      method: 'resources/read',
      name: 'file:///repo/r',
      path: '/repo/r',
    });
    expect(
      summarizeCall('fs', 'prompts/get', { name: 'review', arguments: { file: 'a' } }, base),
    ).toMatchObject({
      method: 'prompts/get',
      name: 'review',
      path: '/repo/a',
    });
    expect(summarizeCall('fs', 'ping', {}, base)).toBeNull();
    expect(summarizeCall('fs', 'tools/call', { arguments: {} }, base)).toBeNull();
    expect(summarizeCall('fs', 'tools/call', 'nonsense', base)).toBeNull();
  });
});

describe('commonPath', () => {
  it.each([
    [[], undefined],
    [['/a/b'], '/a/b'],
    [['/a/bc', '/a/b'], '/a'],
    [['/a', '/b'], '/'],
  ])('%j → %s', (paths, expected) => {
    expect(commonPath(paths)).toBe(expected);
  });
});
