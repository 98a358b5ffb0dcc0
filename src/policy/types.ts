/**
 * The shapes of policy decisions, shared by the engine, the daemon (authorize, status), the CLI
 * (check, explain, test). Types only, so a caller can import them without loading Cedar.
 */
import type { AgentMatch } from '../agents/index.js';
import type { AncestorInfo, Attestation } from '../attest/index.js';

/** Policy actions: one per credential kind, `mcp` per tool call, `http` per gateway request. */
export const POLICY_ACTIONS = ['jwt', 'aws', 'git', 'static', 'mcp', 'http'] as const;
export type PolicyAction = (typeof POLICY_ACTIONS)[number];

/** Entity types a policy's resource can be: credentials, what an MCP server offers, gateway routes. */
export const RESOURCE_ENTITIES = ['Credential', 'Tool', 'Prompt', 'Resource', 'Route'] as const;
export type ResourceEntity = (typeof RESOURCE_ENTITIES)[number];

/** Request attributes a credential route may pass (`context.request.<name>`), all optional. */
export const REQUEST_FIELDS = [
  'audience',
  'awsRole',
  'gitProtocol',
  'gitHost',
  'gitPath',
  'gitScope',
  'mcpServer',
  'mcpMethod',
  'mcpTool',
  'mcpPath',
  'mcpArgs',
  'method',
  'host',
  'path',
  'route',
] as const;
export type RequestField = (typeof REQUEST_FIELDS)[number];

/** A gateway route's attributes beyond its name (`Route::"<name>"` in policies). */
export interface RouteAttributes {
  upstream: string;
  /** The credential the route attaches. */
  credential: string;
}

/** Everything a decision is made over, as plain data: built from a Caller, or by hand (what-if). */
export interface PolicyInput {
  agent: Pick<AgentMatch, 'name' | 'evidence' | 'matched'>;
  process: Pick<Attestation, 'pid' | 'uid' | 'exe' | 'sha256' | 'cwd' | 'repo'> & {
    ancestors: readonly Pick<AncestorInfo, 'exe'>[];
  };
  human: {
    sub: string;
    idp: string;
    email?: string | null;
    groups?: readonly string[];
    mfa?: boolean;
  };
  session: { id: string; via: 'exec' } | null;
  /**
   * What is asked for: a credential, or for action `mcp` a Tool, Prompt or Resource named
   * `<server>/<name>` (`entity`, default Credential).
   */
  credential: { name: string; type: PolicyAction; entity?: ResourceEntity; route?: RouteAttributes };
  /** Unknown keys are refused: the schema has no place for them. Undefined values are left out. */
  request: Readonly<Record<string, string | undefined>>;
  /** When the request was made (context.request.time, epoch seconds). */
  time: Date;
}

export interface PolicyDecision {
  decision: 'allow' | 'deny';
  /** Determining policies, `<file>:<id>`: the permits that allowed, or the forbids that denied. */
  policyIds: string[];
  /** For the user and the audit row: who permitted, which policy forbade, or that none permits. */
  reason: string;
  /** Policies that failed to evaluate (and so were ignored), `<id>: <message>`. */
  errors: string[];
}

/** One problem found while loading, located in its file (1-based line and column). */
export interface PolicyDiagnostic {
  file: string;
  line: number | null;
  column: number | null;
  message: string;
}

export interface PolicyStatus {
  /**
   * 'default': the policy dir does not exist, the built-in default policy applies; 'git': the set
   * comes from `[policy] git` (see StatusResponse.policyGit).
   */
  source: 'default' | 'dir' | 'git';
  dir: string;
  files: string[];
  policyCount: number;
  /** When the active set was loaded (ISO); null when no set ever loaded (deny everything). */
  loadedAt: string | null;
  /** The last load that failed and was not applied; cleared by the next good load. */
  lastError: { at: string; message: string; diagnostics: PolicyDiagnostic[] } | null;
}
