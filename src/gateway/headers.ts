/**
 * Header hygiene of the gateway, both ways (pure; table tests). Toward the upstream: the
 * connection's own headers go (RFC 9110 7.6.1: hop-by-hop, and whatever `Connection` lists), as
 * does any credential the agent sent itself for a route, so the only credential that leaves is the
 * one policy allowed. Back toward the agent: hop-by-hop again, and any header whose value carries
 * the credential, since some upstreams echo what they were sent.
 */

/** Headers of one connection, never forwarded. `expect`: the gateway answered 100-continue itself. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
]);

/** Node's rawHeaders shape: name, value, name, value... (keeps repeats and their order). */
export type RawHeaders = readonly string[];

export interface ForwardOptions {
  /** Lower-case names to drop besides hop-by-hop ones (a route: its credential header and authorization). */
  drop: ReadonlySet<string>;
  /** Headers to add, as [name, value]. */
  add: readonly (readonly [string, string])[];
}

/** The request headers to send upstream. `host` goes too: the upstream's own is set by the client. */
export function requestHeaders(raw: RawHeaders, options: ForwardOptions): string[] {
  const listed = connectionListed(raw);
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    const lower = name.toLowerCase();
    if (lower === 'host' || HOP_BY_HOP.has(lower) || listed.has(lower) || options.drop.has(lower)) continue;
    out.push(name, raw[i + 1] as string);
  }
  for (const [name, value] of options.add) out.push(name, value);
  return out;
}

export interface CleanResponseHeaders {
  headers: string[];
  /** Names of headers dropped because they carried the credential (for the audit row). */
  echoed: string[];
}

/** The response headers to pass back: no hop-by-hop header, no header carrying any of `secrets`. */
export function responseHeaders(raw: RawHeaders, secrets: readonly string[]): CleanResponseHeaders {
  const listed = connectionListed(raw);
  const headers: string[] = [];
  const echoed: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || listed.has(lower)) continue;
    if (secrets.some((secret) => secret !== '' && (value.includes(secret) || name.includes(secret)))) {
      echoed.push(lower);
      continue;
    }
    headers.push(name, value);
  }
  return { headers, echoed };
}

/** Names listed in `Connection` headers: hop-by-hop for this message only. */
function connectionListed(raw: RawHeaders): Set<string> {
  const listed = new Set<string>();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if ((raw[i] as string).toLowerCase() !== 'connection') continue;
    for (const token of (raw[i + 1] as string).split(',')) {
      const name = token.trim().toLowerCase();
      if (name) listed.add(name);
    }
  }
  return listed;
}

/** Node's `headers` object (undici's response) as raw pairs; repeated headers stay repeated. */
export function toRawHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): string[] {
  const raw: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) raw.push(name, v);
  }
  return raw;
}
