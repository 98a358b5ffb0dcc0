/**
 * The two GitHub REST calls the provider makes, each bounded by a timeout (SECURITY.md invariant 6) and with
 * the headers GitHub documents. Failures become ERR_GITHUB_* with GitHub's own message, which
 * never contains a token; the request's Authorization header is never part of an error.
 */
import { AgentIdError } from '../../errors.js';

export const GITHUB_API_VERSION = '2022-11-28';

export interface GithubApi {
  apiUrl: string;
  timeoutMs: number;
  fetch: typeof fetch;
}

export interface AccessTokenResponse {
  token: string;
  expires_at: string;
  permissions?: Record<string, string>;
  repositories?: { full_name?: string; name?: string }[];
}

export async function findInstallation(api: GithubApi, appJwt: string, repo: string): Promise<number> {
  const found = (await call(api, appJwt, 'GET', `/repos/${repo}/installation`, undefined, (status) =>
    status === 404
      ? new AgentIdError(
          'ERR_GITHUB_NO_INSTALLATION',
          `the GitHub App is not installed on ${repo}; install it there, or set installation_id`,
        )
      : null,
  )) as { id?: unknown };
  if (typeof found.id !== 'number') throw protocolError('/repos/{owner}/{repo}/installation', 'no id');
  return found.id;
}

export async function createAccessToken(
  api: GithubApi,
  appJwt: string,
  installationId: number,
  body: { repositories: string[]; permissions: Record<string, string> },
): Promise<AccessTokenResponse> {
  const path = `/app/installations/${installationId}/access_tokens`;
  const answer = (await call(api, appJwt, 'POST', path, body, (status) =>
    status === 404
      ? new AgentIdError(
          'ERR_GITHUB_NO_INSTALLATION',
          `GitHub knows no installation ${installationId} of this App; check installation_id`,
        )
      : null,
  )) as Partial<AccessTokenResponse>;
  if (typeof answer.token !== 'string' || typeof answer.expires_at !== 'string') {
    throw protocolError(path, 'no token or expires_at');
  }
  if (Number.isNaN(Date.parse(answer.expires_at))) throw protocolError(path, 'expires_at is not a date');
  return answer as AccessTokenResponse;
}

async function call(
  api: GithubApi,
  appJwt: string,
  method: 'GET' | 'POST',
  path: string,
  body: unknown,
  special: (status: number) => AgentIdError | null,
): Promise<unknown> {
  let response: Response;
  try {
    response = await api.fetch(`${api.apiUrl}${path}`, {
      method,
      headers: {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${appJwt}`,
        'x-github-api-version': GITHUB_API_VERSION,
        'user-agent': 'agentid',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(api.timeoutMs),
      redirect: 'error',
    });
  } catch (err) {
    const name = (err as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      throw new AgentIdError(
        'ERR_GITHUB_TIMEOUT',
        `GitHub (${api.apiUrl}) did not answer ${method} ${path} within ${api.timeoutMs} ms; retry, or raise timeout_ms`,
      );
    }
    throw new AgentIdError(
      'ERR_GITHUB_API',
      `cannot reach GitHub at ${api.apiUrl}: ${(err as Error).cause ?? (err as Error).message}; check api_url and the network`,
    );
  }
  const text = await readBounded(response);
  if (response.ok) {
    try {
      return JSON.parse(text);
    } catch {
      throw protocolError(path, 'the body is not JSON');
    }
  }
  const specific = special(response.status);
  if (specific) throw specific;
  const hint =
    response.status === 401
      ? ": GitHub rejected the App JWT; check app_id and that private_key is this App's key"
      : response.status === 422
        ? ': check that the permissions requested are granted to the App installation'
        : '';
  throw new AgentIdError(
    'ERR_GITHUB_API',
    `GitHub answered ${method} ${path} with ${response.status} (${githubMessage(text)})${hint}`,
  );
}

const MAX_RESPONSE_BYTES = 1024 * 1024;

async function readBounded(response: Response): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_RESPONSE_BYTES) {
    await response.body?.cancel();
    throw new AgentIdError('ERR_GITHUB_API', `GitHub's answer is larger than ${MAX_RESPONSE_BYTES} bytes`);
  }
  const text = await response.text();
  if (text.length > MAX_RESPONSE_BYTES) {
    throw new AgentIdError('ERR_GITHUB_API', `GitHub's answer is larger than ${MAX_RESPONSE_BYTES} bytes`);
  }
  return text;
}

function githubMessage(text: string): string {
  try {
    const message = (JSON.parse(text) as { message?: unknown }).message;
    if (typeof message === 'string') return message.slice(0, 200);
  } catch {}
  return 'no message';
}

function protocolError(path: string, why: string): AgentIdError {
  return new AgentIdError('ERR_GITHUB_API', `GitHub's answer to ${path} is not what it documents: ${why}`);
}
