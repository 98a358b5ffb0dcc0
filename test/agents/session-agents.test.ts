/** sessionAgents: every agent a process of an exec session could be named, for the exec pre-check. */
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { parseAgentDefinitions, sessionAgents } from '../../src/agents/index.js';

const load = (toml: string) => parseAgentDefinitions(parse(toml).agents ?? {}, 'config.toml');
const names = (toml: string, declared: string | null, uid = 1000) =>
  sessionAgents(load(toml), declared, uid).map((a) => `${a.name}:${a.evidence}`);

describe('sessionAgents', () => {
  it.each([
    ['no definitions, a declared agent: only it', '', 'demo', ['demo:declared']],
    ['no definitions, nothing declared: unknown', '', null, ['unknown:none']],
    [
      'a definition any process could match, and the undefined declaration',
      '[agents.claude]\nexe = "/usr/bin/claude"\n',
      'demo',
      ['claude:selector', 'demo:declared'],
    ],
    [
      'the declared agent has a definition: a process it does not match is unknown',
      '[agents.demo]\nexe = "/usr/bin/demo"\n',
      'demo',
      ['demo:selector', 'unknown:none'],
    ],
    [
      'a session selector naming another declaration cannot match here',
      '[agents.bot]\nsession = "bot"\ncwd = "/srv"\n',
      'demo',
      ['demo:declared'],
    ],
    [
      'a session selector naming this declaration can',
      '[agents.bot]\nsession = "demo"\ncwd = "/srv"\n',
      'demo',
      ['bot:selector', 'demo:declared'],
    ],
    ['another uid never asks this daemon', '[agents.other]\nuid = 2000\n', 'demo', ['demo:declared']],
    ['this uid does', '[agents.mine]\nuid = 1000\n', 'demo', ['mine:selector', 'demo:declared']],
  ])('%s', (_, toml, declared, expected) => {
    expect(names(toml, declared)).toEqual(expected);
  });

  it('a selector candidate carries the kinds of its definition (what resolveAgent reports when it wins)', () => {
    const [claude] = sessionAgents(
      load('[agents.claude]\nexe = "/usr/bin/claude"\ncwd = "/w"\n'),
      null,
      1000,
    );
    expect(claude).toEqual({ name: 'claude', evidence: 'selector', matched: ['exe', 'cwd'] });
  });
});
