/**
 * The request pipeline in process, with a fake DaemonDeps (test/daemon/fake-deps.ts): table tests
 * of identify → authorize → issue → exactly one audit row → answer, over the daemon's own routes
 * and the Unix front door's peer. The e2e tests run the same rules through a spawned daemon.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { Peer } from '../../daemon/identify.js';
import { issueCredential } from '../../daemon/issue.js';
import { DecidedError } from '../../daemon/outcome.js';
import { type Handler, serve } from '../../daemon/pipeline.js';
import type { JsonAnswer } from '../../daemon/route.js';
import { mcpDecideRoute } from '../../daemon/routes/mcp-decide.js';
import { secretRoutes } from '../../daemon/routes/secrets.js';
import { tokenRoute } from '../../daemon/routes/token.js';
import { whoamiRoute } from '../../daemon/routes/whoami.js';
import { unixPeer } from '../../daemon/server.js';
import { AuditReader } from '../../src/audit/index.js';
import { AgentIdError } from '../../src/errors.js';
import type { PeerCredentials } from '../../src/peer/index.js';
import type { Provider } from '../../src/providers/index.js';
import { type FakeWorld, fakeWorld, processOf, UID } from './fake-deps.js';

const CLAUDE = 101;
const OTHER_UID = 65534;

/** What the front door was told: the answer or the error, and how many rows existed by then. */
interface Told {
  answer?: JsonAnswer;
  error?: AgentIdError;
  rowsWhenTold: number;
}

async function call(
  world: FakeWorld,
  peer: Peer,
  handler: Handler<JsonAnswer> | AgentIdError,
  request: { body?: unknown; params?: Record<string, string> } = {},
): Promise<Told> {
  const told: Told = { rowsWhenTold: -1 };
  await serve(
    world.deps,
    peer,
    {
      method: 'POST',
      path: '/v1/test',
      handler,
      params: request.params ?? {},
      body: async () => request.body,
    },
    {
      send(answer) {
        told.answer = answer;
        told.rowsWhenTold = world.rows.length;
      },
      fail(error) {
        told.error = error;
        told.rowsWhenTold = world.rows.length;
      },
    },
  );
  return told;
}

/** The answer's body; a failure where an answer was expected fails the test with its code. */
function bodyOf<T>(told: Told): T {
  if (!told.answer) throw new Error(`expected an answer, got ${told.error?.code ?? 'nothing'}`);
  return told.answer.body as T;
}

const peerOf = (world: FakeWorld, pid: number, uid = UID) =>
  unixPeer(world.deps, { pid, uid, gid: uid, pidfd: null } satisfies PeerCredentials);

/** A handler that counts its runs and allows. */
function probe(flags: { humanOptional?: boolean; manages?: boolean } = {}) {
  const runs = { count: 0 };
  const handler: Handler<JsonAnswer> = {
    action: 'probe',
    ...flags,
    handle() {
      runs.count += 1;
      return { audit: { decision: 'allow' }, answer: { status: 200, body: { ok: true } } };
    },
  };
  return { handler, runs };
}

function claudeWorld(options: Parameters<typeof fakeWorld>[0] = {}) {
  const world = fakeWorld({ agents: { claude: { exe: '/usr/bin/claude' } }, ...options });
  world.processes.set(CLAUDE, processOf(CLAUDE, 'claude'));
  return world;
}

describe('pipeline: identify', () => {
  type Setup = (world: FakeWorld) => Peer;
  const cases: [
    name: string,
    setup: Setup,
    flags: { humanOptional?: boolean; manages?: boolean },
    code: string | null,
    row: Record<string, unknown>,
  ][] = [
    [
      'a peer the kernel would not describe is refused as uid -1',
      (w) =>
        unixPeer(w.deps, new AgentIdError('ERR_PEER_CREDENTIALS', 'peer credentials: connection has no fd')),
      {},
      'ERR_PEER_CREDENTIALS',
      {
        decision: 'deny',
        agent: 'unknown',
        peer: { pid: 0, uid: -1, gid: -1, exe: null },
        attestation: null,
      },
    ],
    [
      'a peer of another uid is refused before attestation, with its uid',
      (w) => peerOf(w, CLAUDE, OTHER_UID),
      {},
      'ERR_PEER_UID',
      { decision: 'deny', agent: 'unknown', peer: { pid: CLAUDE, uid: OTHER_UID }, attestation: null },
    ],
    [
      'a peer that is gone by attestation is refused, fail closed',
      (w) => peerOf(w, 999),
      {},
      'ERR_ATTEST_PEER_GONE',
      { decision: 'deny', agent: 'unknown', peer: { pid: 999, uid: UID }, attestation: null },
    ],
    [
      'managing agentid from inside an exec session is refused, with the attested caller',
      (w) => {
        w.deps.sessions.add({
          id: 'session-1',
          agent: null,
          human: w.deps.humans.peek(),
          rootPid: 1,
          rootStartTime: 1,
          startedAt: '2025-06-01T12:00:00.000Z',
          parent: null,
          bounds: [],
          subreaper: true,
          sandbox: null,
        });
        return peerOf(w, CLAUDE);
      },
      { manages: true },
      'ERR_SESSION_MANAGEMENT',
      { decision: 'deny', agent: 'claude', attestation: expect.objectContaining({ session: 'session-1' }) },
    ],
    [
      'a lost SSO login refuses what needs the human',
      (w) => {
        w.human.loggedIn = false;
        return peerOf(w, CLAUDE);
      },
      {},
      'ERR_LOGIN_REQUIRED',
      { decision: 'deny', agent: 'claude', attestation: expect.objectContaining({ pid: CLAUDE }) },
    ],
    [
      'a lost SSO login does not stop what works without the human',
      (w) => {
        w.human.loggedIn = false;
        return peerOf(w, CLAUDE);
      },
      { humanOptional: true },
      null,
      { decision: 'allow', agent: 'claude', human: 'local:alice@box', errorCode: null },
    ],
    [
      "a per-session endpoint's admission refuses with the attested caller",
      (w) => ({
        ...peerOf(w, CLAUDE),
        admit: () => {
          throw new AgentIdError('ERR_AWS_CONTAINER_DENIED', 'refused: not part of session s');
        },
      }),
      { humanOptional: true },
      'ERR_AWS_CONTAINER_DENIED',
      {
        decision: 'deny',
        agent: 'claude',
        peer: { pid: CLAUDE, uid: UID, gid: UID, exe: '/usr/bin/claude' },
      },
    ],
  ];

  it.each(cases)('%s', async (_name, setup, flags, code, row) => {
    const world = claudeWorld();
    const { handler, runs } = probe(flags);
    const told = await call(world, setup(world), handler);

    expect(world.rows).toHaveLength(1);
    expect(world.rows[0]).toMatchObject({ action: 'probe', errorCode: code, ...row });
    // The row is committed before the front door hears anything.
    expect(told.rowsWhenTold).toBe(1);
    if (code === null) {
      expect(runs.count).toBe(1);
      expect(told.answer?.status).toBe(200);
    } else {
      expect(runs.count).toBe(0);
      expect(told.error?.code).toBe(code);
      expect(told.answer).toBeUndefined();
      expect(world.rows[0]?.resource).toBe('/v1/test');
    }
  });

  it('tells an identified caller that no route matched, without a row (not a decision)', async () => {
    const world = claudeWorld();
    const told = await call(
      world,
      peerOf(world, CLAUDE),
      new AgentIdError('ERR_REQUEST_NOT_FOUND', 'no such endpoint'),
    );
    expect(told.error?.code).toBe('ERR_REQUEST_NOT_FOUND');
    expect(world.rows).toHaveLength(0);
  });

  it('refuses a peer of another uid before telling it whether the path exists', async () => {
    const world = claudeWorld();
    const told = await call(
      world,
      peerOf(world, CLAUDE, OTHER_UID),
      new AgentIdError('ERR_REQUEST_NOT_FOUND', 'no such endpoint'),
    );
    expect(told.error?.code).toBe('ERR_PEER_UID');
    expect(world.rows.map((r) => [r.action, r.decision, r.errorCode])).toEqual([
      ['request', 'deny', 'ERR_PEER_UID'],
    ]);
  });
});

describe('pipeline: authorize → issue → one audit row → answer', () => {
  const policies = {
    'claude.cedar':
      '@id("claude-jwt")\npermit (principal == Agent::"claude", action == Action::"jwt", resource);\n',
    'no-mallory.cedar':
      '@id("no-mallory")\nforbid (principal == Agent::"mallory", action, resource);\npermit (principal == Agent::"mallory", action, resource);\n',
  };
  const MALLORY = 102;
  function world() {
    const w = claudeWorld({
      policies,
      agents: { claude: { exe: '/usr/bin/claude' }, mallory: { exe: '/usr/bin/mallory' } },
    });
    w.processes.set(MALLORY, processOf(MALLORY, 'mallory'));
    return w;
  }

  it('issues an allowed token after committing its row: policy ids, fingerprint, expiry, never the token', async () => {
    const w = world();
    const told = await call(w, peerOf(w, CLAUDE), tokenRoute(w.deps), { body: { audience: 'https://api' } });

    expect(told.error).toBeUndefined();
    const token = bodyOf<{ token: string }>(told).token;
    expect(token.split('.')).toHaveLength(3);
    expect(told.rowsWhenTold).toBe(1);
    const [row] = w.rows;
    expect(row).toMatchObject({
      action: 'jwt',
      decision: 'allow',
      agent: 'claude',
      resource: 'identity',
      policyIds: ['claude.cedar:claude-jwt'],
      errorCode: null,
    });
    expect(row?.credentialFingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(row?.expiresAt).toBe(bodyOf<{ expiresAt: string }>(told).expiresAt);
    expect(JSON.stringify(row)).not.toContain(token);

    // Each request is its own row: a second token, a second row naming it.
    const again = await call(w, peerOf(w, CLAUDE), tokenRoute(w.deps), { body: { audience: 'https://api' } });
    expect(w.rows).toHaveLength(2);
    expect(again.rowsWhenTold).toBe(2);
    expect(w.rows[1]?.credentialFingerprint).not.toBe(row?.credentialFingerprint);
  });

  it('records a deny with the policies that decided it, as the policy action, and issues nothing', async () => {
    const w = world();
    const told = await call(w, peerOf(w, MALLORY), tokenRoute(w.deps), { body: { audience: 'https://api' } });

    expect(told.error?.code).toBe('ERR_POLICY_DENIED');
    expect(told.error?.message).toContain('agentid policy explain --agent mallory');
    expect(w.rows).toHaveLength(1);
    expect(w.rows[0]).toMatchObject({
      action: 'jwt',
      decision: 'deny',
      agent: 'mallory',
      resource: 'identity',
      policyIds: ['no-mallory.cedar:no-mallory'],
      credentialFingerprint: null,
      errorCode: 'ERR_POLICY_DENIED',
    });
  });

  it('records a provider failure as one error row of the policy action', async () => {
    const w = world();
    const failing: Provider<string> = {
      type: 'jwt',
      issue: () => Promise.reject(new AgentIdError('ERR_CREDENTIAL_ISSUE', 'the provider is down')),
    };
    const handler: Handler<JsonAnswer> = {
      action: 'jwt',
      async handle(ctx) {
        const { issued, audit } = await issueCredential(w.deps, ctx, {
          credential: { name: 'identity', type: 'jwt', ttlSeconds: 300 },
          provider: failing,
          scope: 'x',
          request: { audience: 'x' },
        });
        return { audit, answer: { status: 200, body: issued.value } };
      },
    };
    const told = await call(w, peerOf(w, CLAUDE), handler);

    expect(told.error?.code).toBe('ERR_CREDENTIAL_ISSUE');
    expect(w.rows.map((r) => [r.action, r.decision, r.errorCode, r.reason])).toEqual([
      ['jwt', 'error', 'ERR_CREDENTIAL_ISSUE', 'the provider is down'],
    ]);
  });

  it('sends no credential when its row cannot be committed (invariant 4)', async () => {
    const w = world();
    w.audit.failNext = true;
    const told = await call(w, peerOf(w, CLAUDE), tokenRoute(w.deps), { body: { audience: 'https://api' } });

    expect(told.answer).toBeUndefined();
    expect(told.error?.code).toBe('ERR_AUDIT_WRITE');
    // The failure itself is recorded once the log takes rows again.
    expect(w.rows.map((r) => [r.action, r.decision, r.errorCode])).toEqual([
      ['jwt', 'error', 'ERR_AUDIT_WRITE'],
    ]);
  });

  it('decides MCP calls through the same policy path: a deny is an answer and a deny row', async () => {
    const w = world();
    const told = await call(w, peerOf(w, MALLORY), mcpDecideRoute(w.deps), {
      body: { server: 'fs', method: 'tools/call', name: 'read_file', argsDigest: 'b'.repeat(64) },
    });

    expect(told.answer?.body).toMatchObject({ decision: 'deny', policyIds: ['no-mallory.cedar:no-mallory'] });
    expect(bodyOf<{ eventId: string }>(told).eventId).toBe(w.rows[0]?.id);
    expect(w.rows).toHaveLength(1);
    expect(w.rows[0]).toMatchObject({
      action: 'mcp',
      decision: 'deny',
      resource: 'Tool::"fs/read_file"',
      errorCode: 'ERR_POLICY_DENIED',
    });
  });
});

describe('pipeline: the one row', () => {
  it('gives `respond` the committed row (whoami names its own seq)', async () => {
    const w = claudeWorld();
    const told = await call(w, peerOf(w, CLAUDE), whoamiRoute());
    expect(w.rows).toHaveLength(1);
    expect(told.answer?.body).toMatchObject({ agent: { name: 'claude' }, auditSeq: w.rows[0]?.seq });
  });

  it('answers concurrent requests each after its own row is committed (group commit), the chain intact', async () => {
    const w = claudeWorld();
    const readable = new Database(w.deps.paths.auditDb, { readonly: true });
    const committed = readable.prepare('SELECT count(*) FROM events WHERE seq = ?').pluck();
    const committedWhenAnswered: boolean[] = [];
    const seqs: number[] = [];
    await Promise.all(
      Array.from({ length: 30 }, () =>
        serve(
          w.deps,
          peerOf(w, CLAUDE),
          {
            method: 'GET',
            path: '/v1/whoami',
            handler: whoamiRoute(),
            params: {},
            body: async () => undefined,
          },
          {
            send(answer) {
              const { auditSeq } = answer.body as { auditSeq: number };
              seqs.push(auditSeq);
              committedWhenAnswered.push(committed.get(auditSeq) === 1);
            },
            fail: (error) => {
              throw error;
            },
          },
        ),
      ),
    );
    readable.close();
    expect(committedWhenAnswered).toEqual(Array(30).fill(true));
    expect([...seqs].sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    const reader = AuditReader.open(w.deps.paths.auditDb);
    expect(reader.verify()).toEqual({ ok: true, rows: 30, lastSeq: 30 });
    reader.close();
  });

  it('writes no row for what is not a decision, and none for a body that is not JSON', async () => {
    const w = claudeWorld();
    const status: Handler<JsonAnswer> = {
      action: 'status',
      humanOptional: true,
      handle: () => ({ audit: null, answer: { status: 200, body: {} } }),
    };
    expect((await call(w, peerOf(w, CLAUDE), status)).answer?.status).toBe(200);

    const badBody = await serveWithBody(w, () =>
      Promise.reject(new AgentIdError('ERR_REQUEST_MALFORMED', 'the request body is not valid JSON')),
    );
    expect(badBody.error?.code).toBe('ERR_REQUEST_MALFORMED');
    expect(w.rows).toHaveLength(0);
  });

  it('records a refusal a handler throws as a deny with the facts it carries', async () => {
    const w = claudeWorld();
    const handler: Handler<JsonAnswer> = {
      action: 'aws.container',
      resource: 'dev',
      handle: () => {
        throw new DecidedError('ERR_AWS_CONTAINER_DENIED', 'refused: wrong token', { decision: 'deny' });
      },
    };
    const told = await call(w, peerOf(w, CLAUDE), handler);
    expect(told.error?.code).toBe('ERR_AWS_CONTAINER_DENIED');
    expect(w.rows.map((r) => [r.action, r.decision, r.resource, r.errorCode, r.reason])).toEqual([
      ['aws.container', 'deny', 'dev', 'ERR_AWS_CONTAINER_DENIED', 'refused: wrong token'],
    ]);
  });

  it('keeps one row when delivering the answer fails after the commit', async () => {
    const w = claudeWorld();
    const failures: AgentIdError[] = [];
    await serve(
      w.deps,
      peerOf(w, CLAUDE),
      { method: 'GET', path: '/v1/whoami', handler: whoamiRoute(), params: {}, body: async () => undefined },
      {
        send: () => Promise.reject(new Error('socket closed')),
        fail: (error) => failures.push(error),
      },
    );
    expect(w.rows.map((r) => [r.action, r.decision])).toEqual([['identify', 'allow']]);
    expect(failures.map((e) => e.code)).toEqual(['ERR_INTERNAL']);
    expect(w.log).toEqual([expect.stringMatching(/^error GET \/v1\/whoami: socket closed/)]);
  });

  it('records the latency of the request, as the monotonic clock saw it', async () => {
    const w = claudeWorld();
    const slow: Handler<JsonAnswer> = {
      action: 'slow',
      handle() {
        w.advance(12.3456);
        return { audit: { decision: 'allow' }, answer: { status: 200, body: null } };
      },
    };
    await call(w, peerOf(w, CLAUDE), slow);
    expect(w.rows[0]?.latencyMs).toBe(12.346);
  });

  it('keeps the secret store values out of the row of a secret route', async () => {
    const w = claudeWorld();
    const [, setSecret] = secretRoutes(w.deps);
    if (!setSecret) throw new Error('secretRoutes lost its set route');
    const told = await call(w, peerOf(w, CLAUDE), setSecret, {
      params: { name: 'api-key' },
      body: { value: 'sk-live-canary-1234' },
    });
    expect(told.answer?.status).toBe(200);
    expect(w.rows.map((r) => [r.action, r.decision, r.resource])).toEqual([
      ['secret.set', 'allow', 'api-key'],
    ]);
    expect(JSON.stringify(w.rows)).not.toContain('sk-live-canary-1234');
  });
});

function serveWithBody(w: FakeWorld, body: () => Promise<unknown>): Promise<Told> {
  const told: Told = { rowsWhenTold: -1 };
  const handler: Handler<JsonAnswer> = {
    action: 'secret.set',
    handle: () => ({ audit: { decision: 'allow' }, answer: { status: 200, body: null } }),
  };
  return serve(
    w.deps,
    peerOf(w, CLAUDE),
    { method: 'PUT', path: '/v1/secrets/x', handler, params: {}, body },
    {
      send: (answer) => {
        told.answer = answer;
      },
      fail: (error) => {
        told.error = error;
      },
    },
  ).then(() => told);
}
