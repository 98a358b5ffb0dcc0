/**
 * The measuring client of the gateway bench, run by `agentid exec --http bench --http-proxy` so
 * its requests are a session's (bench/main.ts starts it with GATEWAY_CLIENT_ARG). Four ways to
 * the same HTTPS upstream, each over its own keep-alive undici pool, one request in flight: direct
 * (the baseline), through a bare forwarder (the floor of any forwarding process), the route's base URL, and HTTPS_PROXY (CONNECT once per connection, then TLS to
 * the gateway with the session CA). Interleaved in short rounds so a noisy spell of the machine
 * hits all four alike; every request's latency is kept.
 */
import { readFileSync } from 'node:fs';
import { Agent, type Dispatcher, ProxyAgent, request } from 'undici';

export interface GatewayClientOptions {
  /** https://localhost:PORT/v1/ping: the upstream, directly. */
  directUrl: string;
  /** The upstream's CA (PEM file), for the direct requests. */
  upstreamCaFile: string;
  /** http://127.0.0.1:PORT/ping: the same request through the bare forwarder (bench/baseline-forwarder.ts). */
  bareUrl: string;
  requests: number;
  warmup: number;
  rounds: number;
}

export type GatewayMode = 'direct' | 'bare' | 'baseUrl' | 'proxy';

export type GatewaySamples = Record<GatewayMode, number[]>;

/** Told to the bench on stderr, a line each, so it can read the daemon's CPU time around the measured rounds. */
export const MEASURING = 'gateway-client: measuring';
export const MEASURED = 'gateway-client: measured';

export async function runGatewayClient(
  o: GatewayClientOptions,
  env: NodeJS.ProcessEnv,
  now: () => number,
  tell: (line: string) => void,
): Promise<GatewaySamples> {
  const baseUrl = env.BENCH_BASE_URL;
  const proxy = env.HTTPS_PROXY;
  const bundle = env.SSL_CERT_FILE;
  if (!baseUrl || !proxy || !bundle) throw new Error('run me under agentid exec --http bench --http-proxy');
  const path = new URL(o.directUrl).pathname;
  const targets: Record<GatewayMode, { url: string; dispatcher: Dispatcher }> = {
    direct: {
      url: o.directUrl,
      dispatcher: new Agent({ connect: { ca: readFileSync(o.upstreamCaFile, 'utf8') } }),
    },
    bare: { url: o.bareUrl, dispatcher: new Agent() },
    baseUrl: { url: `${baseUrl}${path.replace(/^\/v1/, '')}`, dispatcher: new Agent() },
    proxy: {
      url: o.directUrl,
      dispatcher: new ProxyAgent({ uri: proxy, requestTls: { ca: readFileSync(bundle, 'utf8') } }),
    },
  };
  const samples: GatewaySamples = { direct: [], bare: [], baseUrl: [], proxy: [] };
  const once = async (mode: GatewayMode) => {
    const { url, dispatcher } = targets[mode];
    const started = now();
    const response = await request(url, { dispatcher });
    await response.body.text();
    if (response.statusCode !== 200) throw new Error(`${mode}: ${url} answered ${response.statusCode}`);
    return now() - started;
  };
  const modes = Object.keys(targets) as GatewayMode[];
  for (const mode of modes) for (let i = 0; i < o.warmup; i++) await once(mode);
  const perRound = Math.ceil(o.requests / o.rounds);
  tell(MEASURING);
  for (let round = 0; round < o.rounds; round++) {
    for (const mode of modes) {
      for (let i = 0; i < perRound && samples[mode].length < o.requests; i++)
        samples[mode].push(await once(mode));
    }
  }
  tell(MEASURED);
  await Promise.all(modes.map((mode) => targets[mode].dispatcher.close()));
  return samples;
}
