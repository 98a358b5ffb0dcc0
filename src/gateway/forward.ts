/**
 * One request through the gateway to its upstream: the agent's headers cleaned (headers.ts), the
 * credential attached when the request has a route, the body streamed, and the answer cleaned on
 * the way back: hop-by-hop headers dropped, any header echoing the credential dropped, and an
 * uncompressed body masked where it repeats the credential (redact.ts). Without a route (plain
 * HTTP to another host, `other_hosts = "tunnel"`) the request goes as the agent sent it.
 */
import type { Readable } from 'node:stream';
import { type RawHeaders, requestHeaders, responseHeaders, toRawHeaders } from './headers.js';
import { Redactor } from './redact.js';
import type { Upstreams } from './upstream.js';

/** What the gateway attaches for a route, and what it must never let back out. */
export interface Attachment {
  header: string;
  /** The header's full value (`Bearer …`). */
  value: string;
  /** Every form of the secret that must not reach the agent (the raw value, the header value). */
  secrets: readonly string[];
}

export interface ForwardInput {
  origin: string;
  path: string;
  method: string;
  rawHeaders: RawHeaders;
  body: Readable | null;
  caFile: string | null;
  attachment: Attachment | null;
  signal?: AbortSignal;
}

export interface Forwarded {
  status: number;
  /** Flat [name, value, ...], ready for writeHead. */
  headers: string[];
  /** Response headers dropped because they carried the credential. */
  echoedHeaders: string[];
  body: Readable;
  /** How often the body repeated the credential, once it has been read; null when not scanned. */
  maskedInBody: () => number | null;
}

const NONE: ReadonlySet<string> = new Set();

export async function forward(upstreams: Upstreams, input: ForwardInput): Promise<Forwarded> {
  const { attachment } = input;
  const headers = requestHeaders(
    input.rawHeaders,
    attachment
      ? {
          // The agent's own credential for a route never leaves: only the one policy allowed does.
          drop: new Set(['authorization', attachment.header.toLowerCase()]),
          add: [[attachment.header, attachment.value]],
        }
      : { drop: NONE, add: [] },
  );
  const response = await upstreams.send({
    origin: input.origin,
    path: input.path,
    method: input.method,
    headers,
    body: input.body,
    caFile: input.caFile,
    ...(input.signal ? { signal: input.signal } : {}),
  });
  const cleaned = responseHeaders(toRawHeaders(response.headers), attachment?.secrets ?? []);
  const encoding = String(response.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (!attachment || encoding !== 'identity') {
    return { status: response.status, body: response.body, maskedInBody: () => null, ...cleanedOf(cleaned) };
  }
  const redactor = new Redactor(attachment.secrets);
  // Errors of the upstream body reach whoever reads the masked one.
  response.body.once('error', (err) => redactor.destroy(err));
  return {
    status: response.status,
    body: response.body.pipe(redactor),
    maskedInBody: () => redactor.masked,
    ...cleanedOf(cleaned),
  };
}

function cleanedOf(cleaned: ReturnType<typeof responseHeaders>) {
  return { headers: cleaned.headers, echoedHeaders: cleaned.echoed };
}
