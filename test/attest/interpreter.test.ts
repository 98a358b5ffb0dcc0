import { describe, expect, it } from 'vitest';
import { scriptOf } from '../../src/attest/interpreter.js';

const cwd = '/work/repo';

describe('scriptOf', () => {
  it.each([
    ['/usr/bin/node', ['node', '/tmp/x/script.js'], 'node', '/tmp/x/script.js'],
    ['/usr/bin/node', ['node', 'script.js'], 'node', '/work/repo/script.js'],
    ['/usr/bin/node', ['node', '../other/cli.mjs', '--flag'], 'node', '/work/other/cli.mjs'],
    ['/usr/bin/nodejs', ['nodejs', './a.js'], 'nodejs', '/work/repo/a.js'],
    ['/usr/bin/node', ['node', '--enable-source-maps', 'dist/main.js'], 'node', '/work/repo/dist/main.js'],
    ['/usr/bin/node', ['node', '-r', 'ts-node/register', 'app.ts'], 'node', '/work/repo/app.ts'],
    ['/usr/bin/node', ['node', '--require', 'x', '--import=y', 'app.js'], 'node', '/work/repo/app.js'],
    ['/usr/bin/node', ['node', '--conditions', 'dev', '--', 'app.js'], 'node', '/work/repo/app.js'],
    ['/usr/bin/node (deleted)', ['node', 'app.js'], 'node', '/work/repo/app.js'],
    ['/usr/bin/python3.12', ['python3', 'agent.py'], 'python3.12', '/work/repo/agent.py'],
    ['/usr/bin/python3', ['python3', '-u', '-W', 'ignore', 'agent.py'], 'python3', '/work/repo/agent.py'],
    ['/usr/bin/python3', ['python3', '-Xdev', '-B', 'agent.py'], 'python3', '/work/repo/agent.py'],
    ['/usr/bin/python', ['python', '/opt/a.py'], 'python', '/opt/a.py'],
    ['/usr/bin/pypy3', ['pypy3', 'a.py'], 'pypy3', '/work/repo/a.py'],
    ['/usr/bin/ruby', ['ruby', '-I', 'lib', '-w', 'bin/agent'], 'ruby', '/work/repo/bin/agent'],
    ['/usr/bin/ruby3.2', ['ruby', '-W0', 'a.rb'], 'ruby3.2', '/work/repo/a.rb'],
    ['/usr/bin/perl', ['perl', '-w', '-I', 'lib', 'a.pl'], 'perl', '/work/repo/a.pl'],
    ['/usr/bin/perl', ['perl', '-MData::Dumper', 'a.pl'], 'perl', '/work/repo/a.pl'],
    ['/usr/bin/perl', ['perl', '-i.bake', 'a.pl'], 'perl', '/work/repo/a.pl'],
    ['/usr/bin/bash', ['bash', 'run.sh'], 'bash', '/work/repo/run.sh'],
    ['/usr/bin/dash', ['sh', '-e', 'run.sh', 'arg'], 'dash', '/work/repo/run.sh'],
    ['/usr/bin/bash', ['bash', '-o', 'pipefail', '+x', 'run.sh'], 'bash', '/work/repo/run.sh'],
    ['/usr/bin/bash', ['bash', '--rcfile', 'rc', 'run.sh'], 'bash', '/work/repo/run.sh'],
    ['/usr/bin/zsh', ['zsh', '--', '-odd-name.sh'], 'zsh', '/work/repo/-odd-name.sh'],
    ['/usr/bin/dash', ['sh', '-', 'run.sh'], 'dash', '/work/repo/run.sh'],
    ['/usr/bin/deno', ['deno', 'run', '-A', 'main.ts'], 'deno', '/work/repo/main.ts'],
    ['/usr/bin/deno', ['deno', 'run', '--config', 'deno.json', 'main.ts'], 'deno', '/work/repo/main.ts'],
    ['/usr/bin/deno', ['deno', 'run', 'https://deno.land/x/a.ts'], 'deno', 'https://deno.land/x/a.ts'],
    ['/usr/bin/deno', ['deno', 'main.ts'], 'deno', '/work/repo/main.ts'],
    ['/usr/bin/bun', ['bun', 'run', 'index.ts'], 'bun', '/work/repo/index.ts'],
    ['/usr/bin/bun', ['bun', './cli.js'], 'bun', '/work/repo/cli.js'],
  ])('%s %j runs a script', (exe, cmdline, interpreter, path) => {
    expect(scriptOf(exe, cmdline, cwd)).toEqual({ interpreter, path, weak: true });
  });

  it.each([
    ['/usr/bin/node', ['node']],
    ['/usr/bin/node', ['node', '-e', 'require("./x.js")']],
    ['/usr/bin/node', ['node', '-pe', '1+1']],
    ['/usr/bin/node', ['node', '--eval', 'x', 'y.js']],
    ['/usr/bin/node', ['node', '--print=1']],
    ['/usr/bin/node', ['node', '-']],
    ['/usr/bin/node', ['node', '-r', 'x']],
    ['/usr/bin/python3', ['python3', '-c', 'print(1)', 'a.py']],
    ['/usr/bin/python3', ['python3', '-m', 'http.server']],
    ['/usr/bin/python3', ['python3', '-uc', 'print(1)']],
    ['/usr/bin/ruby', ['ruby', '-e', 'p 1']],
    ['/usr/bin/perl', ['perl', '-lne', 'print', 'file.txt']],
    ['/usr/bin/perl', ['perl', '-E', 'say 1']],
    ['/usr/bin/bash', ['bash', '-c', 'echo hi', 'script-name']],
    ['/usr/bin/bash', ['bash', '-ec', 'echo hi']],
    ['/usr/bin/bash', ['-bash']],
    ['/usr/bin/bash', ['bash', '-s', 'arg']],
    ['/usr/bin/deno', ['deno', 'task', 'dev']],
    ['/usr/bin/deno', ['deno', 'eval', 'console.log(1)']],
    ['/usr/bin/bun', ['bun', 'run', 'dev']],
    ['/usr/bin/bun', ['bun', '-e', '1']],
    ['/usr/bin/sleep', ['sleep', '30']],
    ['/usr/bin/git', ['git', 'credential', 'get']],
    ['/usr/bin/node-gyp', ['node-gyp', 'x.js']],
    ['/usr/bin/node', ['npm exec vitest', '', '']],
  ])('%s %j runs no script', (exe, cmdline) => {
    expect(scriptOf(exe, cmdline, cwd)).toBeNull();
  });

  it('cannot place a relative script without a cwd, but can an absolute one', () => {
    expect(scriptOf('/usr/bin/node', ['node', 'a.js'], null)).toBeNull();
    expect(scriptOf('/usr/bin/node', ['node', '/x/../a.js'], null)).toEqual({
      interpreter: 'node',
      path: '/a.js',
      weak: true,
    });
  });
});
