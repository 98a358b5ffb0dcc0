/**
 * The Cedar schema every policy is validated against (strict mode), shipped as a string so it is
 * part of dist/. No namespace: policies read `Agent::"claude"`, `Action::"jwt"`,
 * `Credential::"identity"`. Cedar has no null, so whatever attestation or login may not know is an
 * optional attribute, and strict validation makes policies test it with `has` first.
 */
export const POLICY_SCHEMA = `// agentid policy schema
type User = {
  sub: String,
  email?: String,
  groups: Set<String>,
  idp: String,
  mfa: Bool,
};

type Process = {
  pid: Long,
  uid: Long,
  exe: String,
  sha256?: String,
  cwd?: String,
  repo?: String,
  repoRoot?: String,
  ancestors: Set<String>,
};

type Session = { id: String, via: String };

type Request = {
  time: Long,
  audience?: String,
  awsRole?: String,
  gitProtocol?: String,
  gitHost?: String,
  gitPath?: String,
  gitScope?: String,
  mcpServer?: String,
};

type RequestContext = {
  user: User,
  process: Process,
  session?: Session,
  request: Request,
};

entity Agent = { name: String, evidence: String, matched: Set<String> };
entity Credential = { name: String, "type": String };

action jwt, aws, git, static appliesTo {
  principal: Agent,
  resource: Credential,
  context: RequestContext,
};

// MCP (agentid mcp): Tool::"<server>/<tool>", Prompt::"<server>/<prompt>", Resource::"<server>/<uri>".
entity Tool = { server: String, name: String };
entity Prompt = { server: String, name: String };
entity Resource = { server: String, name: String };

// Every MCP decision names server, method and tool; a list decision (tools/list...) has no
// arguments, so mcpPath and mcpArgs are there only for calls.
type McpRequest = {
  time: Long,
  mcpServer: String,
  mcpMethod: String,
  mcpTool: String,
  mcpPath?: String,
  mcpArgs?: String,
};

type McpContext = {
  user: User,
  process: Process,
  session?: Session,
  request: McpRequest,
};

action mcp appliesTo {
  principal: Agent,
  resource: [Tool, Prompt, Resource],
  context: McpContext,
};

// The secretless gateway (agentid exec --http): Route::"<name>" per [http.<name>] table. The
// request is what the agent sent: method, host (of the upstream), path (without the query).
entity Route = { name: String, upstream: String, credential: String };

type HttpRequest = {
  time: Long,
  method: String,
  host: String,
  path: String,
  route: String,
};

type HttpContext = {
  user: User,
  process: Process,
  session?: Session,
  request: HttpRequest,
};

action http appliesTo {
  principal: Agent,
  resource: Route,
  context: HttpContext,
};
`;
