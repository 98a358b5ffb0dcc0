/**
 * `agentid policy explain`: what-if. The decision for an agent, a credential and a human, the
 * policies that decided, and for a deny the permit that came closest and the parts of it that
 * failed. Exit 0 for allow, 3 for deny, so a script can branch on it.
 */
import { AgentIdError, ExitCode } from '../../../src/errors.js';
import type { Explanation } from '../../../src/policy/index.js';
import { printableLines } from '../../../src/printable.js';
import { type CommandSpec, jsonOption, printJson } from '../../command.js';
import { dirOption, importPolicy, openValidPolicyEngine } from '../../policy-engine.js';

export const policyExplain: CommandSpec = {
  path: ['policy', 'explain'],
  summary: 'what-if: would policy give this agent this credential, and why (exit 3 when denied)',
  options: [
    {
      flags: '--agent <name>',
      description: 'agent name (as `agentid whoami` shows it), e.g. claude or unknown',
    },
    { flags: '--credential <name>', description: 'credential name, e.g. identity' },
    {
      flags: '--type <type>',
      description: 'credential type: jwt, aws, git, static or mcp',
      defaultValue: 'jwt',
    },
    { flags: '--user-group <group...>', description: 'a group of the human (repeat for more)' },
    { flags: '--repo <url>', description: "git remote URL of the agent's working directory" },
    { flags: '--cwd <dir>', description: 'working directory of the agent' },
    { flags: '--idp <idp>', description: 'how the human signed in: local or oidc', defaultValue: 'local' },
    { flags: '--user <sub>', description: "the human's subject (default <idp>:what-if)" },
    {
      flags: '--evidence <evidence>',
      description: 'how the agent was named: sandbox, session, selector-sha256, selector, declared or none',
    },
    { flags: '--session <id>', description: 'the agent runs in this `agentid exec` session' },
    {
      flags: '--via <membership>',
      description: 'how it belongs to the session: sandbox (default), subreaper or ancestry',
    },
    {
      flags: '--request <key=value...>',
      description: 'request attribute, e.g. audience=https://api.example',
    },
    dirOption,
    jsonOption,
  ],
  examples: [
    'agentid policy explain --agent claude --credential identity',
    'agentid policy explain --agent claude --credential aws-readonly --type aws --evidence sandbox --session s1',
    'agentid policy explain --agent claude --credential aws-readonly --type aws --user-group platform --repo git@github.com:acme/infra.git',
  ],
  async run({ opts }, deps) {
    const { explainDecision, whatIfInput } = await importPolicy();
    for (const key of ['agent', 'credential'] as const) {
      if (typeof opts[key] !== 'string') throw new AgentIdError('ERR_USAGE', `--${key} is required`);
    }
    const engine = await openValidPolicyEngine(deps, opts.dir);
    const input = whatIfInput(
      {
        agent: opts.agent as string,
        credential: opts.credential as string,
        type: opts.type as string,
        groups: (opts.userGroup as string[] | undefined) ?? [],
        ...strings(opts, ['evidence', 'repo', 'cwd', 'idp', 'user', 'session', 'via']),
        request: requestPairs(opts.request),
      },
      { uid: deps.uid, now: deps.now() },
    );
    const explanation = explainDecision(engine.policies(), input, engine.decide(input));
    if (opts.json) printJson(deps, explanation);
    else deps.out(formatExplanation(explanation));
    return explanation.decision.decision === 'allow' ? 0 : ExitCode.denied;
  },
};

function strings(opts: Record<string, unknown>, keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(keys.flatMap((k) => (typeof opts[k] === 'string' ? [[k, opts[k]]] : [])));
}

function requestPairs(raw: unknown): Record<string, string> {
  const pairs = (raw as string[] | undefined) ?? [];
  return Object.fromEntries(
    pairs.map((pair) => {
      const at = pair.indexOf('=');
      if (at < 1) throw new AgentIdError('ERR_USAGE', `--request ${pair}: write key=value`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
}

function formatExplanation({ decision, determining, closestPermit }: Explanation): string {
  const lines = [`${decision.decision}: ${decision.reason}`];
  for (const p of determining) lines.push(`  ${p.effect} ${p.id} (${p.file}:${p.line})`);
  if (closestPermit) {
    lines.push(`closest permit: ${closestPermit.id} (${closestPermit.file}:${closestPermit.line})`);
    if (closestPermit.failed.length === 0) lines.push('  it holds, but a forbid wins');
    for (const f of closestPermit.failed) {
      const verb = f.part === 'unless' ? 'holds' : f.part === 'when' ? 'is false' : 'does not match';
      const text = f.part === 'when' || f.part === 'unless' ? `${f.part} { ${f.text} }` : f.text;
      lines.push(`  ${text} ${f.error ? `fails: ${f.error}` : verb}`);
    }
  } else if (decision.decision === 'deny') {
    lines.push('no permit policy applies to this action at all');
  }
  return printableLines(lines);
}
