/** The client config entries `agentid setup mcp` prints and merges, per client format. */
import { describe, expect, it } from 'vitest';
import { clientEntry, mergeClientConfig, type WrappedServer } from '../../src/mcp/index.js';

const wrapped: WrappedServer = {
  name: 'fs',
  launcher: { command: '/usr/bin/node', args: ['/opt/agentid/dist/cli/main.js'] },
  env: ['API_TOKEN=identity:api'],
  server: ['npx', '-y', '@modelcontextprotocol/server-filesystem', '.'],
};
const args = [
  '/opt/agentid/dist/cli/main.js',
  'mcp',
  '--name',
  'fs',
  '--env',
  'API_TOKEN=identity:api',
  '--',
  'npx',
  '-y',
  '@modelcontextprotocol/server-filesystem',
  '.',
];

describe('setup mcp entries', () => {
  it.each([
    ['claude', { type: 'stdio', command: '/usr/bin/node', args }],
    ['cursor', { command: '/usr/bin/node', args }],
    ['vscode', { type: 'stdio', command: '/usr/bin/node', args }],
  ] as const)('%s', (client, entry) => {
    expect(clientEntry(client, wrapped)).toEqual(entry);
  });

  it('merges into an existing file, keeping other servers and keys, and is idempotent', () => {
    const before = JSON.stringify({ inputs: [], servers: { other: { command: 'x' } } });
    const first = mergeClientConfig('vscode', before, wrapped);
    expect(first.changed).toBe(true);
    expect(JSON.parse(first.text)).toEqual({
      inputs: [],
      servers: { other: { command: 'x' }, fs: clientEntry('vscode', wrapped) },
    });
    expect(mergeClientConfig('vscode', first.text, wrapped)).toEqual({ text: first.text, changed: false });
    expect(JSON.parse(mergeClientConfig('claude', null, wrapped).text)).toEqual({
      mcpServers: { fs: clientEntry('claude', wrapped) },
    });
  });

  it('refuses to rewrite a file that is not JSON', () => {
    expect(() => mergeClientConfig('cursor', '{oops', wrapped)).toThrow(
      expect.objectContaining({ code: 'ERR_USAGE' }),
    );
  });
});
