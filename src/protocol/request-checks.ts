/**
 * The daemon's check of each endpoint's request body: shape and bounds, no I/O; a coded
 * AgentIdError otherwise. Apart from the endpoint table (endpoints.ts) so that a client, which
 * never runs them, does not load them. The type ties the two: an endpoint declared with a body
 * has a check returning exactly that body, and an endpoint without one has none (it ignores what
 * is sent, as it always has).
 */
import { type Endpoint, endpoints } from './endpoints.js';
import { parseMcpCall, parseMcpList, parseMcpResult, parseMcpStart } from './mcp-requests.js';
import {
  parseAwsBaseKeys,
  parseAwsContainer,
  parseGatewayRequest,
  parseGitCredential,
  parseLoginStart,
  parseSecretSet,
  parseSessionCheck,
  parseSessionSandbox,
  parseSessionStart,
  parseStaticSecret,
  parseTokenRequest,
} from './requests.js';

type Endpoints = typeof endpoints;
type RequestOf<E> = E extends Endpoint<string, infer Req, unknown> ? Req : never;

/** One check per endpoint whose request has a body. */
export type RequestChecks = {
  [K in keyof Endpoints as [RequestOf<Endpoints[K]>] extends [undefined] ? never : K]: (
    body: unknown,
  ) => RequestOf<Endpoints[K]>;
};

export const requestChecks: RequestChecks = {
  sessionStart: parseSessionStart,
  sessionAws: parseAwsContainer,
  sessionSandbox: parseSessionSandbox,
  sessionCheck: parseSessionCheck,
  sessionGateway: parseGatewayRequest,
  token: parseTokenRequest,
  awsBaseKeys: parseAwsBaseKeys,
  gitCredential: parseGitCredential,
  static: parseStaticSecret,
  secretSet: parseSecretSet,
  loginStart: parseLoginStart,
  mcpStart: parseMcpStart,
  mcpDecide: parseMcpCall,
  mcpList: parseMcpList,
  mcpResult: parseMcpResult,
};

const checkByEndpoint = new Map<Endpoint, (body: unknown) => unknown>(
  Object.entries(requestChecks).map(([name, check]) => [endpoints[name as keyof Endpoints], check]),
);

/** The check of `endpoint`'s body; an endpoint without a body ignores whatever is sent. */
export function requestCheck<P extends string, Req, Res>(
  endpoint: Endpoint<P, Req, Res>,
): (body: unknown) => Req {
  return (checkByEndpoint.get(endpoint) ?? ignoreBody) as (body: unknown) => Req;
}

function ignoreBody(): undefined {
  return undefined;
}
