/**
 * The daemon's checks of request bodies (the `parse` of each endpoint in endpoints.ts): shape and
 * bounds only. What a value means (is the credential configured, is the agent name valid) is the
 * route's to decide. Messages never echo a value that could be a secret.
 */
import { fieldsOf, isName, refuse } from './check.js';
import type {
  AwsBaseKeysRequest,
  AwsContainerRequest,
  GatewayRequest,
  GitCredentialRequest,
  LoginStartRequest,
  SecretSetRequest,
  SessionCheckRequest,
  SessionStartRequest,
  StaticSecretRequest,
  TokenRequest,
} from './types.js';

/** Printable ASCII without spaces. */
const AUDIENCE = /^[\x21-\x7e]{1,256}$/;
const GIT_HOST = /^[\x21-\x7e]{1,255}$/;
const GIT_PATH_MAX = 1024;
/**
 * AWS base keys: whatever an AWS client would send (AWS checks keys at the server; moto and
 * LocalStack take `test`/`testing`), bounded and without whitespace, so a paste that went wrong
 * (a trailing newline, two values in one field) is caught. The daemon warns on placeholders.
 */
const ACCESS_KEY_ID = /^[\x21-\x7e]{1,128}$/;
const SECRET_ACCESS_KEY = /^[\x21-\x7e]{1,256}$/;
/** `[http.<name>]` routes one gateway may serve. */
const GATEWAY_ROUTES_MAX = 64;

export function parseTokenRequest(body: unknown): TokenRequest {
  const b = fieldsOf(body);
  if (typeof b.audience !== 'string' || !AUDIENCE.test(b.audience)) {
    refuse('audience must be 1-256 printable characters without spaces');
  }
  if (b.credential !== undefined && typeof b.credential !== 'string') refuse('credential must be a string');
  return { audience: b.audience, ...(b.credential === undefined ? {} : { credential: b.credential }) };
}

export function parseSessionStart(body: unknown): Required<SessionStartRequest> {
  const request = body ?? {};
  const invalid = (message: string) => refuse(message, 'ERR_SESSION_INVALID');
  if (typeof request !== 'object' || Array.isArray(request)) {
    invalid('the body must be {"agent"?: string, "nest"?: boolean}');
  }
  const b = request as Record<string, unknown>;
  const agent = b.agent ?? null;
  if (agent !== null && typeof agent !== 'string') invalid('agent must be a string');
  if (b.nest !== undefined && typeof b.nest !== 'boolean') invalid('nest must be true or false');
  return { agent: agent as string | null, nest: b.nest === true };
}

export function parseSecretSet(body: unknown): SecretSetRequest {
  const { value } = fieldsOf(body);
  if (typeof value !== 'string' || value === '') {
    refuse('the body must be {"value": "<non-empty string>"}', 'ERR_REQUEST_MALFORMED');
  }
  return { value };
}

export function parseLoginStart(body: unknown): LoginStartRequest {
  const { mode } = fieldsOf(body);
  if (mode === 'device' || mode === 'browser') return { mode };
  return refuse('the body must be {"mode": "device" | "browser"}');
}

export function parseAwsBaseKeys(body: unknown): AwsBaseKeysRequest {
  const b = fieldsOf(body);
  if (typeof b.accessKeyId !== 'string' || !ACCESS_KEY_ID.test(b.accessKeyId)) {
    refuse('the access key id must be 1-128 printable characters without spaces (AKIA...)');
  }
  if (typeof b.secretAccessKey !== 'string' || !SECRET_ACCESS_KEY.test(b.secretAccessKey)) {
    refuse('the secret access key must be 1-256 printable characters without spaces');
  }
  return { accessKeyId: b.accessKeyId, secretAccessKey: b.secretAccessKey };
}

export function parseAwsContainer(body: unknown): AwsContainerRequest {
  const { credential } = fieldsOf(body);
  if (typeof credential !== 'string') refuse('the body must be {"credential": NAME}');
  return { credential };
}

const MAX_CHECKED_CREDENTIALS = 16;

type CheckedCredential = SessionCheckRequest['credentials'][number];

function isCheckedCredential(value: unknown): value is CheckedCredential {
  const { type, name } = fieldsOf(value);
  return (type === 'aws' || type === 'git') && typeof name === 'string';
}

export function parseSessionCheck(body: unknown): SessionCheckRequest {
  const { credentials } = fieldsOf(body);
  if (
    !Array.isArray(credentials) ||
    credentials.length > MAX_CHECKED_CREDENTIALS ||
    !credentials.every(isCheckedCredential)
  ) {
    refuse(
      `the body must be {"credentials": [{"type": "aws"|"git", "name": NAME}, ...]} (at most ${MAX_CHECKED_CREDENTIALS})`,
    );
  }
  return { credentials: credentials.map(({ type, name }) => ({ type, name })) };
}

export function parseGitCredential(body: unknown): GitCredentialRequest {
  const b = fieldsOf(body);
  if (b.protocol !== 'https' && b.protocol !== 'http') refuse('protocol must be "https" or "http"');
  if (typeof b.host !== 'string' || !GIT_HOST.test(b.host)) {
    refuse('host must be 1-255 printable characters without spaces');
  }
  if (b.path !== undefined && (typeof b.path !== 'string' || b.path.length > GIT_PATH_MAX)) {
    refuse(`path must be a string of at most ${GIT_PATH_MAX} characters`);
  }
  if (b.credential !== undefined && typeof b.credential !== 'string') refuse('credential must be a string');
  return {
    protocol: b.protocol,
    host: b.host,
    ...(b.path ? { path: b.path as string } : {}),
    ...(b.credential !== undefined ? { credential: b.credential } : {}),
  };
}

export function parseStaticSecret(body: unknown): StaticSecretRequest {
  const { credential } = fieldsOf(body);
  if (typeof credential !== 'string') refuse('credential must be the name of a static credential');
  return { credential };
}

export function parseGatewayRequest(body: unknown): GatewayRequest {
  const b = fieldsOf(body);
  if (
    !Array.isArray(b.routes) ||
    b.routes.length > GATEWAY_ROUTES_MAX ||
    !b.routes.every((route) => isName(route, 64))
  ) {
    refuse(`routes must be an array of at most ${GATEWAY_ROUTES_MAX} route names`);
  }
  if (typeof b.proxy !== 'boolean') refuse('proxy must be true or false');
  return { routes: [...new Set(b.routes as string[])], proxy: b.proxy };
}
