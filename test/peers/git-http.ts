/**
 * A real git server over HTTP for the tests: `git http-backend` (git's own smart-HTTP CGI) behind a
 * small Node server that demands HTTP Basic auth and lets `authorize` decide on each request with
 * the username, password and repository. Clone and push go through the real git protocol. With
 * `tls` it serves HTTPS (a certificate of the tests' own CA, test-ca.ts), as a git host does.
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface GitAuthAttempt {
  username: string;
  password: string;
  /** owner/repo from the URL. */
  repo: string;
  service: 'upload' | 'receive';
}

export interface GitHttp {
  port: number;
  /** http(s)://localhost:port */
  url: string;
  /** Every request that carried credentials, and the verdict. */
  attempts: (GitAuthAttempt & { allowed: boolean })[];
  close(): Promise<void>;
}

export const gitExecPath = spawnSync('git', ['--exec-path'], { encoding: 'utf8' }).stdout.trim();

/** Runs git; its stdout, or an error with its stderr. */
export function git(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const result = spawnSync('git', args, { cwd: options.cwd, env: options.env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

/**
 * Bare repositories `acme/widgets.git` (one commit: README "widgets") and `acme/private.git`
 * under `root`, seeded straight through the file system from a scratch clone in `seedDir`.
 */
export function makeAcmeRepos(root: string, seedDir: string): void {
  for (const repo of ['acme/widgets.git', 'acme/private.git']) {
    git(['init', '--bare', '--quiet', '--initial-branch=main', join(root, repo)]);
  }
  const plain = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
  const as = ['-c', 'user.name=t', '-c', 'user.email=t@t'];
  git(['init', '--quiet', '--initial-branch=main', seedDir], { env: plain });
  writeFileSync(join(seedDir, 'README'), 'widgets\n');
  git([...as, 'add', '.'], { cwd: seedDir, env: plain });
  git([...as, 'commit', '--quiet', '-m', 'seed'], { cwd: seedDir, env: plain });
  git(['push', '--quiet', join(root, 'acme/widgets.git'), 'main'], { cwd: seedDir, env: plain });
}

export async function startGitHttp(options: {
  root: string;
  authorize: (attempt: GitAuthAttempt) => boolean;
  tls?: { cert: string; key: string };
}): Promise<GitHttp> {
  const attempts: GitHttp['attempts'] = [];

  function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const repo = /^\/([^/]+\/[^/]+?)(\.git)?\//.exec(url.pathname)?.[1] ?? '';
    const service =
      url.searchParams.get('service') === 'git-receive-pack' || url.pathname.endsWith('/git-receive-pack')
        ? 'receive'
        : 'upload';
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    const decoded = basic?.[1] ? Buffer.from(basic[1], 'base64').toString('utf8') : null;
    const colon = decoded?.indexOf(':') ?? -1;
    if (decoded === null || colon < 0) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="agentid-test"' });
      res.end();
      return;
    }
    const attempt = {
      username: decoded.slice(0, colon),
      password: decoded.slice(colon + 1),
      repo,
      service,
    } as const;
    const allowed = options.authorize(attempt);
    attempts.push({ ...attempt, allowed });
    if (!allowed) {
      res.writeHead(403);
      res.end('forbidden\n');
      return;
    }
    const cgi = spawn(join(gitExecPath, 'git-http-backend'), [], {
      env: {
        PATH: process.env.PATH,
        GIT_PROJECT_ROOT: options.root,
        GIT_HTTP_EXPORT_ALL: '1',
        REMOTE_USER: attempt.username,
        REMOTE_ADDR: '127.0.0.1',
        REQUEST_METHOD: req.method ?? 'GET',
        PATH_INFO: url.pathname,
        QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        ...(req.headers['content-length'] ? { CONTENT_LENGTH: req.headers['content-length'] } : {}),
        ...(req.headers['content-encoding']
          ? { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] }
          : {}),
        ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: req.headers['git-protocol'] as string } : {}),
      },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    req.pipe(cgi.stdin);
    relayCgi(cgi.stdout, res);
  }

  const server = options.tls ? createHttpsServer(options.tls, handle) : createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `${options.tls ? 'https' : 'http'}://localhost:${port}`,
    attempts,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** CGI output: headers (with an optional `Status:`), a blank line, then the body. */
function relayCgi(out: NodeJS.ReadableStream, res: ServerResponse): void {
  let head = Buffer.alloc(0);
  let headersDone = false;
  out.on('data', (chunk: Buffer) => {
    if (headersDone) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    const endLf = head.indexOf('\n\n');
    const [at, sep] = end >= 0 ? [end, 4] : endLf >= 0 ? [endLf, 2] : [-1, 0];
    if (at < 0) return;
    headersDone = true;
    let status = 200;
    const headers: Record<string, string> = {};
    for (const line of head.subarray(0, at).toString('utf8').split(/\r?\n/)) {
      const i = line.indexOf(':');
      if (i < 0) continue;
      const name = line.slice(0, i).trim();
      const value = line.slice(i + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
      else headers[name] = value;
    }
    res.writeHead(status, headers);
    res.write(head.subarray(at + sep));
  });
  out.on('end', () => res.end());
}
