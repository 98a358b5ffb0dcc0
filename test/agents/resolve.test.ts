/** resolveAgent: each selector kind, the most specific winner, and what an exec session declares. */
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import {
  type AgentDefinition,
  type MatchSubject,
  parseAgentDefinitions,
  resolveAgent,
} from '../../src/agents/index.js';

const sha = (c: string) => c.repeat(64);
const load = (toml: string): AgentDefinition[] =>
  parseAgentDefinitions(parse(toml).agents ?? {}, 'config.toml');

type Attested = MatchSubject['attestation'];
type SessionFacts = { id: string; agent: string | null; membership?: 'sandbox' | 'subreaper' | 'ancestry' };

/** What the daemon would stat each path as: here every file is `file:<path>`. */
const fileOf = (path: string | null) => (path === null ? null : `file:${path}`);
const FILES = new Map(
  [
    '/usr/bin/node',
    '/usr/local/bin/node',
    '/usr/bin/bash',
    '/usr/bin/tmux',
    '/usr/bin/python3',
    '/bin/sh',
  ].map((p) => [p, fileOf(p)]),
);

/** A node process run by alice from ~/work/api under tmux, in no session. */
function subject(attestation: Partial<Attested> = {}, session: SessionFacts | null = null): MatchSubject {
  const exe = attestation.exe ?? '/usr/bin/node';
  return {
    attestation: {
      uid: 1000,
      exe,
      exeFile: fileOf(exe),
      sha256: sha('a'),
      cmdline: ['node', '/opt/claude/cli.js', '--print'],
      cwd: '/home/alice/work/api',
      repo: { root: '/home/alice/work/api', remote: 'git@github.com:acme/api.git' },
      connection: 'close-on-exec',
      sharedWith: null,
      ancestors: [
        {
          pid: 200,
          startTime: 20,
          exe: '/usr/bin/bash',
          exeFile: fileOf('/usr/bin/bash'),
          cmdline: ['bash'],
        },
        {
          pid: 100,
          startTime: 10,
          exe: '/usr/bin/tmux',
          exeFile: fileOf('/usr/bin/tmux'),
          cmdline: ['tmux'],
        },
        { pid: 1, startTime: 1, exe: null, exeFile: null, cmdline: [] },
      ],
      ...attestation,
    },
    session: session && { membership: 'subreaper', ...session },
    files: FILES,
  };
}

const nameOf = (toml: string, s: MatchSubject) => resolveAgent(load(toml), s).name;

describe('selector kinds', () => {
  it.each([
    ['uid', 'uid = 1000', {}, true],
    ['uid', 'uid = 1001', {}, false],
    ['exe', 'exe = "/usr/bin/node"', {}, true],
    ['exe', 'exe = "/usr/bin/node"', { exe: '/usr/local/bin/node' }, false],
    ['sha256', `sha256 = "${sha('a')}"`, {}, true],
    ['sha256', `sha256 = "${sha('b')}"`, {}, false],
    ['sha256 of an unhashed exe', `sha256 = "${sha('a')}"`, { sha256: null }, false],
    ['ancestor_exe (parent)', 'ancestor_exe = "/usr/bin/bash"', {}, true],
    ['ancestor_exe (grandparent)', 'ancestor_exe = "/usr/bin/tmux"', {}, true],
    ['ancestor_exe', 'ancestor_exe = "/usr/bin/node"', {}, false],
    ['cmdline', 'cmdline = "node */claude/cli.js *"', {}, true],
    ['cmdline', 'cmdline = "node */claude/cli.js"', {}, false],
    ['cmdline (joined by spaces)', 'cmdline = "node /opt/claude/cli.js --print"', {}, true],
    ['cwd (the directory itself)', 'cwd = "/home/alice/work/api"', {}, true],
    ['cwd (below, trailing slash)', 'cwd = "/home/alice/work/"', {}, true],
    ['cwd (root)', 'cwd = "/"', {}, true],
    ['cwd (a sibling sharing a prefix)', 'cwd = "/home/alice/wo"', {}, false],
    ['cwd (unknown)', 'cwd = "/"', { cwd: null }, false],
    ['repo', 'repo = "git@github.com:acme/*"', {}, true],
    ['repo', 'repo = "git@github.com:other/*"', {}, false],
    [
      'repo (* stops at /)',
      'repo = "git@github.com:*"',
      { repo: { root: '/r', remote: 'git@github.com:a/b' } },
      false,
    ],
    ['repo (no remote)', 'repo = "*"', { repo: { root: '/r', remote: null } }, false],
    ['repo (no repository)', 'repo = "*"', { repo: null }, false],
  ] as const)('%s: %s → %s', (_, selector, attestation, matches) => {
    const match = resolveAgent(load(`[agents.a]\n${selector}`), subject(attestation));
    expect(match.name).toBe(matches ? 'a' : 'unknown');
    expect(match.evidence).toBe(
      matches ? (selector.startsWith('sha256') ? 'selector-sha256' : 'selector') : 'none',
    );
  });

  it('session: matches the name the session declared, and nothing outside a session', () => {
    const definitions = load('[agents.a]\nsession = "claude"');
    expect(resolveAgent(definitions, subject({}, { id: 's1', agent: 'claude' })).name).toBe('a');
    expect(resolveAgent(definitions, subject({}, { id: 's1', agent: 'codex' }))).toMatchObject({
      name: 'codex',
      evidence: 'session',
    });
    expect(resolveAgent(definitions, subject({}, { id: 's1', agent: null })).name).toBe('unknown');
    expect(resolveAgent(definitions, subject()).name).toBe('unknown');
  });

  it('needs every selector of a definition to match', () => {
    const toml = '[agents.a]\nexe = "/usr/bin/node"\ncwd = "/home/alice/work"';
    expect(nameOf(toml, subject())).toBe('a');
    expect(nameOf(toml, subject({ cwd: '/tmp' }))).toBe('unknown');
    expect(nameOf(toml, subject({ exe: '/usr/bin/python3' }))).toBe('unknown');
  });
});

describe('winner', () => {
  const toml = `
    [agents.anything-node]
    exe = "/usr/bin/node"
    [agents.claude]
    exe = "/usr/bin/node"
    cmdline = "node */claude/*"
    [agents.pinned]
    sha256 = "${sha('a')}"
    cwd = "/home/alice/work"
    [agents.mine]
    uid = 1000
  `;

  it('is the most specific matching definition, with its selectors and why', () => {
    expect(resolveAgent(load(toml), subject())).toEqual({
      name: 'pinned',
      evidence: 'selector-sha256',
      matched: ['sha256', 'cwd'],
      reason: 'sha256 and cwd of [agents.pinned] matched',
    });
  });

  it.each<[Partial<Attested>, string, string[], string]>([
    [{ cwd: '/tmp' }, 'claude', ['exe', 'cmdline'], 'exe and cmdline of [agents.claude] matched'],
    [
      { cwd: '/tmp', cmdline: ['node', 'x.js'] },
      'anything-node',
      ['exe'],
      'exe of [agents.anything-node] matched',
    ],
    [{ exe: '/usr/bin/python3', sha256: null }, 'mine', ['uid'], 'uid of [agents.mine] matched'],
  ])('falls to the next most specific: %j → %s', (attestation, name, matched, reason) => {
    expect(resolveAgent(load(toml), subject(attestation))).toEqual({
      name,
      evidence: 'selector',
      matched,
      reason,
    });
  });

  it('is unknown when nothing matches', () => {
    expect(resolveAgent(load(toml), subject({ uid: 1001, exe: '/bin/sh', sha256: null }))).toEqual({
      name: 'unknown',
      evidence: 'none',
      matched: [],
      reason: 'no agent definition matched',
    });
    expect(resolveAgent([], subject()).name).toBe('unknown');
  });

  it('names three or more selectors as a list', () => {
    const match = resolveAgent(load('[agents.a]\nuid = 1000\nexe = "/usr/bin/node"\ncwd = "/"'), subject());
    expect(match.reason).toBe('exe, cwd and uid of [agents.a] matched');
  });
});

describe('sessions', () => {
  const toml = `
    [agents.claude]
    exe = "/usr/bin/node"
    cmdline = "node */claude/*"
    [agents.codex]
    sha256 = "${sha('c')}"
    [agents.node]
    exe = "/usr/bin/node"
  `;
  const inSession = (
    agent: string | null,
    attestation: Partial<Attested> = {},
    membership: SessionFacts['membership'] = 'subreaper',
  ) => resolveAgent(load(toml), subject(attestation, { id: 's1', agent, membership }));

  it('accepts a name no definition claims as declared, when no selector matched', () => {
    expect(inSession('demo', { exe: '/bin/sh', sha256: null })).toEqual({
      name: 'demo',
      evidence: 'session',
      matched: [],
      reason: 'declared by session s1 (agentid exec --agent demo); no [agents.demo] to check it against',
    });
  });

  it('lets selector evidence win over a bare declaration, and says so', () => {
    expect(inSession('demo')).toEqual({
      name: 'claude',
      evidence: 'selector',
      matched: ['exe', 'cmdline'],
      reason:
        'exe and cmdline of [agents.claude] matched; selector evidence outranks the declaration of "demo" by session s1',
    });
  });

  it('names a defined agent whose selectors match, with the stronger of selector and session evidence', () => {
    expect(inSession('claude')).toEqual({
      name: 'claude',
      evidence: 'session',
      matched: ['exe', 'cmdline'],
      reason: 'exe and cmdline of [agents.claude] matched, confirming what session s1 declared',
    });
  });

  it('falls back to normal matching when the declared agent’s selectors do not match', () => {
    expect(inSession('codex')).toEqual({
      name: 'claude',
      evidence: 'selector',
      matched: ['exe', 'cmdline'],
      reason:
        'exe and cmdline of [agents.claude] matched; session s1 declared "codex" but the selectors of [agents.codex] did not match',
    });
    expect(inSession('codex', { exe: '/bin/sh', sha256: null })).toEqual({
      name: 'unknown',
      evidence: 'none',
      matched: [],
      reason:
        'no agent definition matched; session s1 declared "codex" but the selectors of [agents.codex] did not match',
    });
  });

  it('keeps a more specific match over the declared, less specific definition', () => {
    // Any process of the user can start a session and declare a name: it must not shed an identity.
    const match = inSession('node');
    expect(match).toMatchObject({ name: 'claude', evidence: 'selector', matched: ['exe', 'cmdline'] });
    expect(match.reason).toBe(
      'exe and cmdline of [agents.claude] matched; it is more specific (60) than [agents.node] (50), ' +
        'which session s1 declared and which matched too',
    );
  });

  it('ignores a declared name that is not a valid agent name', () => {
    expect(inSession('unknown', { exe: '/bin/sh', sha256: null })).toMatchObject({
      name: 'unknown',
      evidence: 'none',
      reason: 'no agent definition matched; session s1 declared "unknown", which is not a valid agent name',
    });
    expect(inSession('Bad Name')).toMatchObject({ name: 'claude', evidence: 'selector' });
  });

  it('is normal matching in a session that declared no agent', () => {
    expect(inSession(null)).toMatchObject({
      name: 'claude',
      reason: 'exe and cmdline of [agents.claude] matched',
    });
    expect(inSession(null, { exe: '/bin/sh' })).toMatchObject({ name: 'unknown', evidence: 'none' });
  });
});

describe('evidence', () => {
  const toml = `
    [agents.codex]
    sha256 = "${sha('c')}"
  `;
  it.each([
    ['sandbox', 'sandbox'],
    ['subreaper', 'session'],
    ['ancestry', 'declared'],
  ] as const)('a name a session declared, held by %s, is %s evidence', (membership, evidence) => {
    const match = resolveAgent(
      load(toml),
      subject({ exe: '/bin/sh', sha256: null }, { id: 's', agent: 'demo', membership }),
    );
    expect(match).toMatchObject({ name: 'demo', evidence });
  });

  it('keeps the stronger evidence when a sha256 definition confirms a name an ancestry session declared', () => {
    const match = resolveAgent(
      load(toml),
      subject({ sha256: sha('c') }, { id: 's', agent: 'codex', membership: 'ancestry' }),
    );
    expect(match).toMatchObject({ name: 'codex', evidence: 'selector-sha256' });
  });
});

describe('exe by file, not by path', () => {
  it('does not match a process running another file at the configured path (another mount namespace)', () => {
    const definitions = load('[agents.a]\nexe = "/usr/bin/node"');
    expect(resolveAgent(definitions, subject()).name).toBe('a');
    expect(resolveAgent(definitions, subject({ exeFile: 'file:/tmp/evil' })).name).toBe('unknown');
    expect(resolveAgent(definitions, subject({ exeFile: null })).name).toBe('unknown');
  });

  it('does the same for ancestor_exe', () => {
    const definitions = load('[agents.a]\nancestor_exe = "/usr/bin/tmux"');
    const spoofed = subject({
      ancestors: [{ pid: 100, startTime: 10, exe: '/usr/bin/tmux', exeFile: 'file:/tmp/evil', cmdline: [] }],
    });
    expect(resolveAgent(definitions, spoofed).name).toBe('unknown');
  });
});

describe('a connection that may predate an exec', () => {
  const toml = `[agents.claude]\nsha256 = "${sha('a')}"\n[agents.here]\ncwd = "/home/alice"`;
  it('(shared with another program) matches no exe, sha256 or cmdline selector', () => {
    expect(resolveAgent(load(toml), subject({ sharedWith: ['file:/usr/bin/python3'] })).name).toBe('here');
    // Shared with another process of the same program (a fork that did not exec): still claude.
    expect(resolveAgent(load(toml), subject({ sharedWith: ['file:/usr/bin/node'] })).name).toBe('claude');
  });

  it.each(['inheritable', 'unknown'] as const)(
    '(%s) matches no exe, sha256 or cmdline selector, and says why',
    (connection) => {
      const match = resolveAgent(load(toml), subject({ connection }));
      expect(match.name).toBe('here');
      expect(match.reason).toContain('not close-on-exec');
    },
  );
});
