/**
 * Start-up is a feature: what the built CLI imports for its frequent paths, recorded by an ESM
 * loader hook (module.register) in a real process. Not a timing (those are in the bench): a list
 * of what must stay out — the heavy libraries and the daemon — so a stray top-level import that
 * would cost every `agentid --version` or every git operation fails here.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliPath, makeHome, startDaemon } from '../e2e/harness.js';

const HEAVY = [
  'jose',
  'better-sqlite3',
  'zod',
  'smol-toml',
  '@napi-rs/keyring',
  'koffi',
  'ink',
  'react',
  '@modelcontextprotocol/sdk',
  '@aws-sdk',
  'openid-client',
  '@cedar-policy/cedar-wasm',
];
const hook = `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(process.env.AGENTID_TEST_IMPORTS, url + '\\n');
  return next(url, context);
}`;
const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`;

const work = mkdtempSync(join(tmpdir(), 'agentid-imports-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let runs = 0;
function importsOf(args: string[], input = '', home = work): string[] {
  // One file per run: the same command run by two tests must not read the other's list.
  const file = join(work, `${runs++}-${args.join('_').replace(/\W+/g, '_')}.txt`);
  spawnSync(
    process.execPath,
    ['--import', `data:text/javascript,${encodeURIComponent(register)}`, cliPath, ...args],
    {
      env: { ...process.env, AGENTID_HOME: home, AGENTID_NO_AUTOSTART: '1', AGENTID_TEST_IMPORTS: file },
      input,
    },
  );
  return readFileSync(file, 'utf8').trim().split('\n');
}

describe('what the CLI imports to start', () => {
  it.each([
    [['--version']],
    [['--help']],
    [['whoami']],
    [['status']],
    [['aws', 'credential-process', 'dev']],
    [['git-credential', 'get']],
  ])('agentid %j: none of the heavy libraries, nothing of the daemon', (args) => {
    const urls = importsOf(args, 'protocol=https\nhost=example.com\n\n');
    expect(urls.some((u) => u.endsWith('/dist/cli/main.js'))).toBe(true);
    const heavy = urls.filter((u) => HEAVY.some((name) => u.includes(`/node_modules/${name}/`)));
    expect(heavy).toEqual([]);
    expect(urls.filter((u) => u.includes('/dist/daemon/'))).toEqual([]);
  });

  it.each([[['whoami']], [['status']], [['token', '--audience', 'x']], [['git-credential', 'get']]])(
    'agentid %j: the protocol through its client door, without the request checks or keep-alive',
    (args) => {
      const protocol = importsOf(args, 'protocol=https\nhost=example.com\n\n').filter((u) =>
        u.includes('/dist/src/protocol/'),
      );
      expect(protocol.some((u) => u.endsWith('/dist/src/protocol/client/index.js'))).toBe(true);
      // connect.ts verifies the daemon before anything is sent: on this path too.
      expect(protocol.some((u) => u.endsWith('/dist/src/protocol/connect.js'))).toBe(true);
      const daemonOnly = /\/protocol\/(index|request-checks|requests|mcp-requests|check|keep-alive)\.js$/;
      expect(protocol.filter((u) => daemonOnly.test(u))).toEqual([]);
    },
  );

  it('agentid aws credential-process, answered by a daemon: the client past its door, connect.ts included', async () => {
    const home = makeHome();
    const daemon = await startDaemon(home);
    try {
      // An unknown credential: the daemon answers (with a coded error), so no fallback loads.
      const protocol = importsOf(['aws', 'credential-process', 'nope'], '', home.dir).filter((u) =>
        u.includes('/dist/src/protocol/'),
      );
      expect(protocol.map((u) => u.replace(/.*\/dist\/src\/protocol\//, '')).sort()).toEqual([
        'client.js',
        'connect.js',
        'endpoints.js',
      ]);
    } finally {
      await daemon.stop();
      home.cleanup();
    }
  });

  it('--version reads no command module and no command table', () => {
    const urls = importsOf(['--version']);
    expect(urls.filter((u) => u.includes('/dist/cli/command'))).toEqual([]);
  });
});
