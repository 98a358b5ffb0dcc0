/**
 * A stand-in for GitHub's REST API, the one service these tests cannot reach: a local HTTP server
 * that checks what GitHub checks. The App JWT must verify (jose, RS256) against the App's public
 * key with GitHub's time limits, the headers must be the documented ones, and the access-token body
 * must be `repositories` (names) and `permissions`; it then issues a random token and remembers
 * what that token may reach, so the git server can hold it to exactly that.
 */
import { type KeyObject, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';

export interface IssuedToken {
  installationId: number;
  /** Full names, owner/repo. */
  repositories: string[];
  permissions: Record<string, string>;
  expiresAt: Date;
}

export interface GithubApiRequest {
  method: string;
  path: string;
  body: unknown;
  /** Why the stand-in refused it; null when it answered 2xx. */
  refused: string | null;
}

export interface GithubApi {
  url: string;
  requests: GithubApiRequest[];
  tokens: Map<string, IssuedToken>;
  close(): Promise<void>;
}

export interface GithubApiOptions {
  appId: string;
  publicKey: KeyObject;
  /** owner -> installation id. */
  installations: Record<string, number>;
  /** Token lifetime GitHub grants (an hour). */
  tokenTtlMs?: number;
}

export async function startGithubApi(options: GithubApiOptions): Promise<GithubApi> {
  const requests: GithubApiRequest[] = [];
  const tokens = new Map<string, IssuedToken>();
  const ownerOf = new Map(Object.entries(options.installations).map(([owner, id]) => [id, owner]));

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const body = await readBody(req);
    const entry: GithubApiRequest = { method: req.method ?? '', path: req.url ?? '', body, refused: null };
    requests.push(entry);
    const refuse = (status: number, message: string) => {
      entry.refused = message;
      send(res, status, { message, documentation_url: 'https://docs.github.com/rest' });
    };
    if (req.headers.accept !== 'application/vnd.github+json') return refuse(415, 'bad Accept header');
    if (req.headers['x-github-api-version'] !== '2022-11-28') return refuse(400, 'bad X-GitHub-Api-Version');
    if (!req.headers['user-agent']) return refuse(403, 'a User-Agent is required');
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    if (!auth?.[1]) return refuse(401, 'A JSON web token could not be decoded');
    try {
      const { payload } = await jwtVerify(auth[1], options.publicKey, {
        algorithms: ['RS256'],
        issuer: options.appId,
      });
      const now = Date.now() / 1000;
      if (typeof payload.iat !== 'number' || typeof payload.exp !== 'number')
        throw new Error('iat/exp missing');
      if (payload.exp - payload.iat > 600) throw new Error('exp is too far in the future');
      if (payload.iat > now + 1) throw new Error('iat is in the future');
    } catch (err) {
      return refuse(401, `'Issued at' or signature invalid: ${(err as Error).message}`);
    }

    const lookup = /^\/repos\/([^/]+)\/([^/]+)\/installation$/.exec(entry.path);
    if (req.method === 'GET' && lookup) {
      const id = options.installations[lookup[1] ?? ''];
      if (id === undefined) return refuse(404, 'Not Found');
      return send(res, 200, { id, account: { login: lookup[1] } });
    }
    const create = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(entry.path);
    if (req.method === 'POST' && create) {
      const installationId = Number(create[1]);
      const owner = ownerOf.get(installationId);
      if (!owner) return refuse(404, 'Not Found');
      const b = body as { repositories?: unknown; permissions?: unknown } | null;
      const names = b?.repositories;
      if (!Array.isArray(names) || !names.every((n) => typeof n === 'string' && !n.includes('/'))) {
        return refuse(422, 'repositories must be an array of repository names');
      }
      const permissions = b?.permissions;
      if (typeof permissions !== 'object' || permissions === null || Array.isArray(permissions)) {
        return refuse(422, 'permissions must be an object');
      }
      for (const level of Object.values(permissions)) {
        if (!['read', 'write', 'admin'].includes(level as string))
          return refuse(422, 'invalid permission level');
      }
      const token = `ghs_${randomBytes(18).toString('base64url')}`;
      const expiresAt = new Date(Math.floor((Date.now() + (options.tokenTtlMs ?? 3_600_000)) / 1000) * 1000);
      tokens.set(token, {
        installationId,
        repositories: names.map((n: string) => `${owner}/${n}`),
        permissions: permissions as Record<string, string>,
        expiresAt,
      });
      return send(res, 201, {
        token,
        expires_at: expiresAt.toISOString().replace('.000Z', 'Z'),
        permissions,
        repository_selection: 'selected',
        repositories: names.map((n: string) => ({ name: n, full_name: `${owner}/${n}` })),
      });
    }
    return refuse(404, 'Not Found');
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, 500, { message: String(err) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    tokens,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

/**
 * What GitHub's git server checks of a password: a live token this API issued, good for the
 * repository, with contents write for a push.
 */
export function tokenAllows(
  api: GithubApi,
  attempt: { username: string; password: string; repo: string; service: 'upload' | 'receive' },
): boolean {
  const token = api.tokens.get(attempt.password);
  if (attempt.username !== 'x-access-token' || !token || token.expiresAt.getTime() < Date.now()) return false;
  if (attempt.service === 'receive' && token.permissions.contents !== 'write') return false;
  return token.repositories.includes(attempt.repo);
}
