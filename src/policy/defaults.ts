/**
 * The policy that applies when the policy dir does not exist (and that `agentid init` writes),
 * plus the shipped examples, which init writes commented out. `{{uid}}` is the daemon's uid,
 * substituted when the text is loaded or written.
 */

/** File names init writes and the default set is reported under (so policy ids match). */
export const DEFAULT_POLICY_FILE = 'default.cedar';
export const EXAMPLES_FILE = 'examples.cedar';

const UID = '{{uid}}';

const DEFAULT_POLICY_TEMPLATE = `// agentid default policy: agent identity tokens (action jwt) for agents that run as your own
// user, and nothing else. Everything no policy permits is denied; a forbid always wins.
// Files in this directory are loaded together; \`agentid policy check\` validates them and the
// daemon reloads them when they change. See examples.cedar for more.
@id("jwt-own-uid")
permit (principal, action == Action::"jwt", resource)
when { context.process.uid == ${UID} };
`;

export interface PolicyExample {
  id: string;
  summary: string;
  policy: string;
}

/** Each one loads and validates as is: the table tests run them uncommented. */
export const POLICY_EXAMPLES: readonly PolicyExample[] = [
  {
    id: 'claude-aws-readonly-in-infra',
    summary:
      'AWS read-only role for the agent "claude", only in a checkout of acme/infra and only for ' +
      'humans in the "platform" group.',
    policy: `@id("claude-aws-readonly-in-infra")
permit (
  principal == Agent::"claude",
  action == Action::"aws",
  resource == Credential::"aws-readonly"
)
when {
  context.process has repo &&
  context.process.repo like "*github.com*acme/infra*" &&
  context.user.groups.contains("platform")
};`,
  },
  {
    id: 'forbid-unknown-agents',
    summary: 'Processes that match no agent definition get nothing, whatever else permits.',
    policy: `@id("forbid-unknown-agents")
forbid (principal == Agent::"unknown", action, resource);`,
  },
  {
    id: 'production-needs-sso',
    summary: 'Credentials named prod-* only for humans signed in with SSO (agentid login).',
    policy: `@id("production-needs-sso")
forbid (principal, action, resource)
when { resource.name like "prod-*" }
unless { context.user.idp == "oidc" };`,
  },
  {
    id: 'claude-openai-via-gateway',
    summary:
      'The agent "claude" may use the gateway route "openai" (agentid exec --http openai) inside ' +
      'a session, except the organization admin endpoints.',
    policy: `@id("claude-openai-via-gateway")
permit (principal == Agent::"claude", action == Action::"http", resource == Route::"openai")
when { context has session }
unless { context.request.path like "/v1/organization/*" };`,
  },
];

export function defaultPolicy(uid: number): string {
  return DEFAULT_POLICY_TEMPLATE.replace(UID, String(uid));
}

/** The examples file init writes: every example commented out, ready to uncomment and adapt. */
export function examplesFile(): string {
  const header = [
    '// Examples: remove the // of an example to use it, and adapt names, repos and groups.',
    '// Schema (what policies can test): `agentid policy check --schema`.',
  ];
  const bodies = POLICY_EXAMPLES.map((e) =>
    [`// ${e.summary}`, ...e.policy.split('\n').map((line) => `// ${line}`)].join('\n'),
  );
  return `${[header.join('\n'), ...bodies].join('\n\n')}\n`;
}
