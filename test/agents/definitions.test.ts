/** `[agents.<name>]` tables: what loads, and every refusal naming the file, the table and the key. */
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { type AgentDefinition, parseAgentDefinitions, resolveAgent } from '../../src/agents/index.js';

const sha = (c: string) => c.repeat(64);
const load = (toml: string): AgentDefinition[] =>
  parseAgentDefinitions(parse(toml).agents ?? {}, 'config.toml');

function refusal(toml: string): string {
  try {
    load(toml);
  } catch (err) {
    expect(err).toMatchObject({ code: 'ERR_CONFIG_INVALID' });
    return (err as Error).message;
  }
  throw new Error('expected ERR_CONFIG_INVALID, nothing was thrown');
}

describe('parseAgentDefinitions', () => {
  it('reads every selector kind, strongest first, and sums their weights', () => {
    const [claude] = load(`
      [agents.claude]
      uid = 1000
      cmdline = "node */claude/cli.js*"
      repo = "git@github.com:acme/*"
      cwd = "/home/alice/work/"
      exe = "/usr/bin/node"
      session = "claude"
      ancestor_exe = "/usr/bin/tmux"
      sha256 = "${sha('a')}"
    `);
    expect(claude).toEqual({
      name: 'claude',
      selectors: [
        { kind: 'sha256', value: sha('a') },
        { kind: 'exe', value: '/usr/bin/node' },
        { kind: 'ancestor_exe', value: '/usr/bin/tmux' },
        { kind: 'repo', glob: 'git@github.com:acme/*' },
        { kind: 'cwd', prefix: '/home/alice/work' },
        { kind: 'session', value: 'claude' },
        { kind: 'cmdline', glob: 'node */claude/cli.js*' },
        { kind: 'uid', value: 1000 },
      ],
      specificity: 255,
    });
  });

  // One selector of each tier, all matching the same process: kernel-backed evidence (the hash)
  // over paths over context over argv over the uid.
  const tiers = [
    `sha256 = "${sha('a')}"`,
    'exe = "/usr/bin/node"',
    'ancestor_exe = "/usr/bin/tmux"',
    'cwd = "/home/alice"',
    'cmdline = "node *"',
    'uid = 1000',
  ];
  const process = {
    attestation: {
      uid: 1000,
      exe: '/usr/bin/node',
      sha256: sha('a'),
      cmdline: ['node', 'cli.js'],
      cwd: '/home/alice/work',
      repo: null,
      ancestors: [{ pid: 10, startTime: 1, exe: '/usr/bin/tmux', cmdline: ['tmux'] }],
    },
    session: null,
  };
  it.each(tiers.slice(0, -1).map((stronger, i) => [stronger, tiers[i + 1] ?? '']))(
    'ranks a definition by %s above one by %s when both match',
    (stronger, weaker) => {
      const both = load(`[agents.weak]\n${weaker}\n[agents.strong]\n${stronger}\n`);
      expect(resolveAgent(both, process)).toMatchObject({ name: 'strong', evidence: 'selector' });
    },
  );

  it('has no definitions without [agents] tables, and takes quoted names with dots', () => {
    expect(load('')).toEqual([]);
    expect(load('[agents."claude.v2"]\nuid = 1\n')).toMatchObject([{ name: 'claude.v2' }]);
    expect(load('[agents.a_b-c9]\ncwd = "/"\n')).toMatchObject([
      { selectors: [{ kind: 'cwd', prefix: '/' }] },
    ]);
  });

  it.each([
    [
      '[agents.x]\nexe_path = "/usr/bin/node"',
      'config.toml: [agents.x] unknown selector "exe_path"; known: sha256,',
    ],
    [
      '[agents.claude]\ncmdline = "[a-"',
      'config.toml: [agents.claude] cmdline: bad glob "[a-": unclosed character class',
    ],
    ['[agents.x]\nrepo = "https://[z-a]"', '[agents.x] repo: bad glob "https://[z-a]": bad range "z-a"'],
    ['[agents.x]\nrepo = ""', '[agents.x] repo must be a non-empty glob string'],
    ['[agents.x]\ncmdline = ["a", "b"]', '[agents.x] cmdline must be a non-empty glob string'],
    ['[agents.x]\nsha256 = "abc"', 'config.toml: [agents.x] sha256 must be 64 lowercase hex characters'],
    [`[agents.x]\nsha256 = "${sha('A')}"`, '[agents.x] sha256 must be 64 lowercase hex characters'],
    ['[agents.x]\nuid = "1000"', '[agents.x] uid must be an integer between 0 and 4294967294'],
    ['[agents.x]\nuid = -1', '[agents.x] uid must be an integer'],
    ['[agents.x]\nuid = 1.5', '[agents.x] uid must be an integer'],
    ['[agents.x]\nexe = 42', '[agents.x] exe must be a string (an absolute path)'],
    [
      '[agents.x]\nexe = "node"',
      '[agents.x] exe must be an absolute path without ".", ".." or empty segments',
    ],
    ['[agents.x]\nexe = "/usr/bin/../bin/node"', '[agents.x] exe must be an absolute path'],
    ['[agents.x]\nexe = "/usr/bin/"', '[agents.x] exe must be an absolute path'],
    ['[agents.x]\nancestor_exe = "/usr//bin/tmux"', '[agents.x] ancestor_exe must be an absolute path'],
    ['[agents.x]\ncwd = "work/"', '[agents.x] cwd must be an absolute path'],
    ['[agents.x]\ncwd = true', '[agents.x] cwd must be a string'],
    ['[agents.x]\nsession = "Claude"', '[agents.x] session must be an agent name'],
    ['[agents.x]\nsession = "unknown"', '[agents.x] session must be an agent name'],
    ['[agents.x]', 'config.toml: [agents.x] has no selectors; give it at least one of sha256, exe,'],
    ['[agents.unknown]\nuid = 1', 'config.toml: [agents.unknown] "unknown" is reserved'],
    ['[agents.Claude]\nuid = 1', 'config.toml: [agents.Claude] invalid agent name: use 1-64 characters'],
    ['[agents."a b"]\nuid = 1', '[agents."a b"] invalid agent name'],
    [`[agents.${'a'.repeat(65)}]\nuid = 1`, 'invalid agent name'],
    ['[agents]\nclaude = 1', 'config.toml: [agents.claude] must be a table of selectors'],
    [
      '[agents.claude.v2]\nuid = 1',
      'unknown selector "v2" (a name with "." is written quoted: [agents."claude.v2"])',
    ],
  ])('refuses %j', (toml, message) => {
    expect(refusal(toml)).toContain(message);
  });

  it('refuses an agents value that is not a table', () => {
    expect(() => parseAgentDefinitions([], 'config.toml')).toThrow(
      expect.objectContaining({
        code: 'ERR_CONFIG_INVALID',
        message: expect.stringContaining('config.toml'),
      }),
    );
  });
});

describe('ties', () => {
  it('refuses two equally specific definitions that may match one process, naming both', () => {
    expect(
      refusal(
        `[agents.a]\nsha256 = "${sha('a')}"\n[agents.b]\nexe = "/usr/bin/a"\nancestor_exe = "/x"\nrepo = "*"`,
      ),
    ).toBe(
      'config.toml: [agents.a] and [agents.b] tie (specificity 100) and may match the same process; make one more specific',
    );
  });

  it.each([
    ['the same selectors', 'exe = "/usr/bin/node"', 'exe = "/usr/bin/node"'],
    ['different kinds', 'repo = "git@github.com:acme/*"', 'cwd = "/home/alice"'],
    ['nested cwd prefixes', 'cwd = "/home/alice"', 'cwd = "/home/alice/work"'],
    [
      'different ancestors (a process has many)',
      'ancestor_exe = "/usr/bin/tmux"',
      'ancestor_exe = "/usr/bin/sshd"',
    ],
    ['overlapping globs', 'cmdline = "node *"', 'cmdline = "* --print"'],
    [
      'a glob and a literal it matches',
      'repo = "https://github.com/acme/api"',
      'repo = "https://github.com/*/api"',
    ],
    ['one disjoint pair that is not shared', 'exe = "/a"\ncwd = "/w"', 'exe = "/a"\nsession = "s"'],
  ])('counts %s as a tie', (_, a, b) => {
    expect(refusal(`[agents.a]\n${a}\n[agents.b]\n${b}`)).toContain('[agents.a] and [agents.b] tie');
  });

  it.each([
    ['different uids', 'uid = 1000', 'uid = 1001'],
    ['different exes', 'exe = "/usr/bin/node"', 'exe = "/usr/bin/python3"'],
    ['different hashes', `sha256 = "${sha('a')}"`, `sha256 = "${sha('b')}"`],
    ['different sessions', 'session = "claude"', 'session = "codex"'],
    ['cwd prefixes on separate paths', 'cwd = "/home/alice/work"', 'cwd = "/home/alice/workshop"'],
    ['different literal globs', 'cmdline = "claude"', 'cmdline = "codex"'],
    ['a literal the other glob misses', 'cmdline = "codex --x"', 'cmdline = "claude *"'],
    [
      'globs with different literal prefixes',
      'repo = "https://github.com/acme/*"',
      'repo = "https://github.com/beta/*"',
    ],
    ['globs with different literal suffixes', 'repo = "*/api.git"', 'repo = "*/web.git"'],
    ['one disjoint pair among overlapping ones', 'exe = "/a"\ncwd = "/w"', 'exe = "/b"\nrepo = "*"'],
  ])('allows equally specific definitions with %s', (_, a, b) => {
    expect(load(`[agents.a]\n${a}\n[agents.b]\n${b}`)).toHaveLength(2);
  });

  it('allows overlapping definitions of different specificity: the more specific wins', () => {
    expect(
      load('[agents.a]\nexe = "/usr/bin/node"\n[agents.b]\nexe = "/usr/bin/node"\ncwd = "/w"'),
    ).toHaveLength(2);
  });
});
