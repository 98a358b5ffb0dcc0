/**
 * PolicyInput (plain data) to a Cedar request: principal, action, resource, the two entities and
 * the typed context. Pure, so it gets table tests; the daemon and the CLI's what-if share it.
 * Absent values are left out rather than sent as empty strings, so `has` means "known".
 */
import type { CedarValueJson, Context, EntityJson, EntityUidJson } from '@cedar-policy/cedar-wasm/nodejs';
import { AgentIdError } from '../errors.js';
import { type PolicyInput, REQUEST_FIELDS, type ResourceEntity } from './types.js';

export interface CedarRequest {
  principal: { type: 'Agent'; id: string };
  action: { type: 'Action'; id: string };
  resource: { type: ResourceEntity; id: string };
  context: Context;
  entities: EntityJson[];
}

const requestFields: ReadonlySet<string> = new Set(REQUEST_FIELDS);

export function buildCedarRequest(input: PolicyInput): CedarRequest {
  const principal = { type: 'Agent', id: input.agent.name } as const;
  const resource = { type: input.credential.entity ?? 'Credential', id: input.credential.name };
  return {
    principal,
    action: { type: 'Action', id: input.credential.type },
    resource,
    context: {
      user: userContext(input.human),
      process: processContext(input.process),
      ...(input.session ? { session: { id: input.session.id, via: input.session.via } } : {}),
      request: requestContext(input.request, input.time),
    },
    entities: [
      entity(principal, {
        name: input.agent.name,
        evidence: input.agent.evidence,
        matched: [...input.agent.matched],
      }),
      entity(resource, resourceAttrs(input.credential)),
    ],
  };
}

/** MCP entities are `<server>/<name>`: the server is the part before the first slash. */
function resourceAttrs(credential: PolicyInput['credential']): Record<string, CedarValueJson> {
  const entity = credential.entity ?? 'Credential';
  if (entity === 'Credential') return { name: credential.name, type: credential.type };
  if (entity === 'Route') {
    return {
      name: credential.name,
      upstream: credential.route?.upstream ?? '',
      credential: credential.route?.credential ?? '',
    };
  }
  const slash = credential.name.indexOf('/');
  return { server: credential.name.slice(0, slash), name: credential.name.slice(slash + 1) };
}

function userContext(human: PolicyInput['human']): Record<string, CedarValueJson> {
  return {
    sub: human.sub,
    ...(human.email ? { email: human.email } : {}),
    groups: [...(human.groups ?? [])],
    idp: human.idp,
    mfa: human.mfa === true,
  };
}

function processContext(p: PolicyInput['process']): Record<string, CedarValueJson> {
  return {
    pid: p.pid,
    uid: p.uid,
    exe: p.exe,
    ...optional('sha256', p.sha256),
    ...optional('cwd', p.cwd),
    ...optional('repo', p.repo?.remote),
    ...optional('repoRoot', p.repo?.root),
    // A set: policies ask "does some ancestor run X", and Cedar sets have no order anyway.
    ancestors: [...new Set(p.ancestors.flatMap((a) => (a.exe ? [a.exe] : [])))],
  };
}

function requestContext(request: PolicyInput['request'], time: Date): Record<string, CedarValueJson> {
  const context: Record<string, CedarValueJson> = { time: Math.floor(time.getTime() / 1000) };
  for (const [key, value] of Object.entries(request)) {
    if (!requestFields.has(key)) {
      // A programming error in a route: the schema has no such attribute, so no policy could
      // test it, and Cedar would refuse the whole request anyway.
      throw new AgentIdError(
        'ERR_POLICY_EVALUATION',
        `request attribute "${key}" is not in the policy schema (known: ${REQUEST_FIELDS.join(', ')})`,
      );
    }
    if (value !== undefined) context[key] = value;
  }
  return context;
}

function optional(key: string, value: string | null | undefined): Record<string, string> {
  return value === null || value === undefined || value === '' ? {} : { [key]: value };
}

function entity(uid: EntityUidJson, attrs: Record<string, CedarValueJson>): EntityJson {
  return { uid, attrs, parents: [] };
}
