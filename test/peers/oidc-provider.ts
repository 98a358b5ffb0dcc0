/**
 * A real OpenID provider for tests: panva's oidc-provider (the certified OP) on 127.0.0.1 and an
 * ephemeral port, with the device flow, PKCE, refresh tokens and revocation, one public native
 * client for agentid, and any login name accepted by its dev interactions (the account gets an
 * email and groups). `browse` walks its HTML pages the way a browser would: cookie jar,
 * redirects, and posting each page's form, so tests complete a login over plain HTTP.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
// @ts-expect-error oidc-provider ships no types and @types/oidc-provider is not installed.
import Provider from 'oidc-provider';

export const CLIENT_ID = 'agentid-test';

export interface OidcPeer {
  issuer: string;
  /** Drops every grant and token: what an admin revoking the user's sessions does. */
  revokeAll(): void;
  /** From now on, accepts requests and never answers them. */
  stall(): void;
  close(): Promise<void>;
}

export interface OidcPeerOptions {
  /** Access-token lifetime in seconds (refresh tests use a short one). */
  accessTokenTtlS?: number;
}

/** Claims of every account: `<login>@example.com`, groups eng and admins. */
export function accountClaims(login: string): Record<string, unknown> {
  return { sub: login, email: `${login}@example.com`, email_verified: true, groups: ['eng', 'admins'] };
}

type Stored = Record<string, unknown>;

// The in-memory storage oidc-provider would use anyway, but ours, so revokeAll can reach it.
function adapterFactory(store: Map<string, Stored>) {
  return class Adapter {
    readonly name: string;
    constructor(name: string) {
      this.name = name;
    }
    key(id: string) {
      return `${this.name}:${id}`;
    }
    async upsert(id: string, payload: Stored) {
      store.set(this.key(id), payload);
      if (typeof payload.userCode === 'string')
        store.set(`${this.name}:userCode:${payload.userCode}`, { ref: id });
      if (typeof payload.uid === 'string') store.set(`${this.name}:uid:${payload.uid}`, { ref: id });
      if (typeof payload.grantId === 'string') {
        const key = `grant:${payload.grantId}`;
        store.set(key, { keys: [...((store.get(key)?.keys as string[]) ?? []), this.key(id)] });
      }
    }
    async find(id: string) {
      return store.get(this.key(id));
    }
    async findByUserCode(userCode: string) {
      const ref = store.get(`${this.name}:userCode:${userCode}`)?.ref as string | undefined;
      return ref ? store.get(this.key(ref)) : undefined;
    }
    async findByUid(uid: string) {
      const ref = store.get(`${this.name}:uid:${uid}`)?.ref as string | undefined;
      return ref ? store.get(this.key(ref)) : undefined;
    }
    async consume(id: string) {
      const item = store.get(this.key(id));
      if (item) item.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      store.delete(this.key(id));
    }
    async revokeByGrantId(grantId: string) {
      for (const key of (store.get(`grant:${grantId}`)?.keys as string[]) ?? []) store.delete(key);
      store.delete(`grant:${grantId}`);
    }
  };
}

export async function startOidcProvider(options: OidcPeerOptions = {}): Promise<OidcPeer> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: 'test-key-1', alg: 'RS256', use: 'sig' };
  const store = new Map<string, Stored>();

  const provider = new Provider(issuer, {
    adapter: adapterFactory(store),
    clients: [
      {
        client_id: CLIENT_ID,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        redirect_uris: ['http://127.0.0.1/callback'],
        response_types: ['code'],
        grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
        require_auth_time: true,
      },
    ],
    features: {
      devInteractions: { enabled: true },
      deviceFlow: { enabled: true },
      revocation: { enabled: true },
    },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['groups'] },
    // Claims in the ID token itself, as company IdPs are usually configured to send groups.
    conformIdTokenClaims: false,
    findAccount: async (_ctx: unknown, id: string) => ({
      accountId: id,
      claims: async () => accountClaims(id),
    }),
    jwks: { keys: [jwk] },
    cookies: { keys: ['agentid-test-cookie-key'] },
    ttl: {
      AccessToken: options.accessTokenTtlS ?? 3600,
      IdToken: 3600,
      RefreshToken: 86_400,
      DeviceCode: 600,
      Grant: 86_400,
      Interaction: 600,
      Session: 86_400,
    },
  });
  // RFC 8628 lets the provider set the poll interval; 1 s keeps device-flow tests short.
  provider.use(
    async (
      ctx: { path: string; status: number; body: Record<string, unknown> },
      next: () => Promise<void>,
    ) => {
      await next();
      if (ctx.path === '/device/auth' && ctx.status === 200) ctx.body.interval = 1;
    },
  );
  const callback = provider.callback();
  let stalled = false;
  // A stalled provider takes requests and never answers: what a hung IdP looks like to a client.
  server.on('request', (req, res) => {
    if (!stalled) callback(req, res);
  });

  return {
    issuer,
    stall() {
      stalled = true;
    },
    revokeAll() {
      for (const key of [...store.keys()]) {
        if (/^(Grant|RefreshToken|AccessToken|Session):/.test(key) || key.startsWith('grant:'))
          store.delete(key);
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface BrowseResult {
  url: string;
  status: number;
  text: string;
}

/**
 * Follows `start` like a browser with a user at the keyboard: keeps cookies, follows redirects
 * (to the loopback redirect too), and on every page with a form posts it, typing `login` into a
 * login form. Ends at the first page without a form.
 */
export async function browse(start: string, login: string): Promise<BrowseResult> {
  const cookies = new Map<string, string>();
  let url = start;
  let init: RequestInit = { method: 'GET' };
  for (let step = 0; step < 20; step++) {
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: {
        ...(init.headers as Record<string, string>),
        cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      },
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      url = new URL(location, url).href;
      init = { method: 'GET' };
      await res.body?.cancel();
      continue;
    }
    const text = await res.text();
    const form = parseForm(text);
    if (!form) return { url, status: res.status, text };
    if ('login' in form.fields) Object.assign(form.fields, { login, password: 'any' });
    url = new URL(form.action, url).href;
    init = {
      method: 'POST',
      body: new URLSearchParams(form.fields).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    };
  }
  throw new Error(`browse: more than 20 steps from ${start}`);
}

function parseForm(html: string): { action: string; fields: Record<string, string> } | null {
  const form = /<form([^>]*)>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) return null;
  const attrs = attributes(form[1] ?? '');
  const fields: Record<string, string> = {};
  for (const input of (form[2] ?? '').matchAll(/<input([^>]*)>/gi)) {
    const a = attributes(input[1] ?? '');
    if (a.name) fields[a.name] = a.value ?? '';
  }
  return { action: attrs.action ?? '', fields };
}

function attributes(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/([\w-]+)="([^"]*)"/g)) {
    out[m[1] as string] = (m[2] as string)
      .replace(/&amp;/g, '&')
      .replace(/&quot;/g, '"')
      .replace(/&#x2F;/g, '/');
  }
  return out;
}
