/** The bubblewrap command line of a sandboxed exec, from facts: what is hidden, read-only, shared. */
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/index.js';
import { resolvePaths } from '../../src/paths.js';
import { busPath, type SandboxFacts, sandboxPlan } from '../../src/sandbox/index.js';

const home = '/home/me';
const xdgEnv = {
  HOME: home,
  PATH: '/usr/bin',
  XDG_RUNTIME_DIR: '/run/user/1000',
  DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus',
  SSH_AUTH_SOCK: '/tmp/ssh-abc/agent.42',
  TMUX: '/tmp/tmux-1000/default,1,0',
  KEEP: 'me',
};

function facts(overrides: Partial<SandboxFacts> = {}, existing: string[] = []): SandboxFacts {
  const env = overrides.env ?? xdgEnv;
  return {
    paths: resolvePaths(env, 1000, home),
    env,
    uid: 1000,
    cwd: '/home/me/src',
    config: defaultConfig().sandbox,
    exists: (p) => existing.includes(p),
    infoFd: 3,
    blockFd: 4,
    ...overrides,
  };
}

/** The mounts as [option, ...operands] groups, for readable expectations. */
function mounts(args: string[]): string[][] {
  const groups: string[][] = [];
  const arity: Record<string, number> = {
    '--bind': 2,
    '--ro-bind': 2,
    '--dev-bind': 2,
    '--tmpfs': 1,
    '--proc': 1,
  };
  for (let i = 0; i < args.length; i++) {
    const n = arity[args[i] as string];
    if (n !== undefined) {
      groups.push(args.slice(i, i + 1 + n));
      i += n;
    }
  }
  return groups;
}

describe('sandboxPlan', () => {
  it('makes user, pid and IPC namespaces, a new session, and dies with its parent', () => {
    const { args } = sandboxPlan(facts());
    for (const flag of [
      '--unshare-user',
      '--unshare-pid',
      '--unshare-ipc',
      '--new-session',
      '--die-with-parent',
    ]) {
      expect(args).toContain(flag);
    }
    expect(args).not.toContain('--unshare-net');
    expect(args.slice(-7)).toEqual(['--chdir', '/home/me/src', '--info-fd', '3', '--block-fd', '4', '--']);
  });

  it('hides the runtime dir, tmux and the ssh-agent, protects agentid (XDG layout), and drops their variables', () => {
    const plan = sandboxPlan(facts({}, ['/run/user/1000', '/tmp/tmux-1000', '/tmp/ssh-abc/agent.42']));
    expect(mounts(plan.args)).toEqual([
      ['--bind', '/', '/'],
      ['--dev-bind', '/dev', '/dev'],
      ['--proc', '/proc'],
      ['--tmpfs', '/run/user/1000'],
      ['--tmpfs', '/tmp/tmux-1000'],
      ['--ro-bind', '/dev/null', '/tmp/ssh-abc/agent.42'],
      ['--ro-bind', '/home/me/.config/agentid', '/home/me/.config/agentid'],
      ['--tmpfs', '/home/me/.local/state/agentid'],
      ['--ro-bind', '/run/user/1000/agentid', '/run/user/1000/agentid'],
    ]);
    expect(plan.env).toMatchObject({ KEEP: 'me', PATH: '/usr/bin' });
    for (const gone of ['DBUS_SESSION_BUS_ADDRESS', 'SSH_AUTH_SOCK', 'TMUX'])
      expect(plan.env[gone]).toBeUndefined();
    expect(plan.hidden).toContain('/home/me/.local/state/agentid');
    expect(plan.readOnly).toEqual(['/home/me/.config/agentid', '/run/user/1000/agentid']);
  });

  it('protects all of AGENTID_HOME, hides its state dir, keeps its socket dir', () => {
    const env = { PATH: '/usr/bin', AGENTID_HOME: '/h' };
    expect(mounts(sandboxPlan(facts({ env })).args).slice(3)).toEqual([
      ['--ro-bind', '/h', '/h'],
      ['--tmpfs', '/h/state'],
      ['--ro-bind', '/h/run', '/h/run'],
    ]);
  });

  it('hides a session bus named outside the runtime dir, or binds it back with [sandbox] dbus', () => {
    const env = { ...xdgEnv, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/tmp/dbus-x,guid=1' };
    expect(mounts(sandboxPlan(facts({ env }, ['/tmp/dbus-x'])).args)).toContainEqual([
      '--ro-bind',
      '/dev/null',
      '/tmp/dbus-x',
    ]);
    const config = { ...defaultConfig().sandbox, dbus: true };
    const allowed = sandboxPlan(facts({ config }, ['/run/user/1000', '/run/user/1000/bus']));
    expect(mounts(allowed.args)).toContainEqual(['--bind', '/run/user/1000/bus', '/run/user/1000/bus']);
    expect(allowed.env.DBUS_SESSION_BUS_ADDRESS).toBe('unix:path=/run/user/1000/bus');
  });

  it('brings back what [sandbox] share names, and keeps a shared ssh-agent', () => {
    const config = { ...defaultConfig().sandbox, share: ['/tmp/ssh-abc/agent.42'] };
    const plan = sandboxPlan(facts({ config }, ['/tmp/ssh-abc/agent.42']));
    expect(mounts(plan.args)).toContainEqual(['--bind', '/tmp/ssh-abc/agent.42', '/tmp/ssh-abc/agent.42']);
    expect(plan.env.SSH_AUTH_SOCK).toBe('/tmp/ssh-abc/agent.42');
  });
});

describe('busPath', () => {
  it.each([
    ['unix:path=/run/user/1000/bus', '/run/user/1000/bus'],
    ['unix:path=/tmp/a%20b,guid=9;unix:abstract=/x', '/tmp/a b'],
    ['unix:abstract=/tmp/dbus-x', null],
    ['tcp:host=localhost,port=1', null],
    [undefined, null],
  ])('%s → %s', (address, path) => expect(busPath(address)).toBe(path));
});
