/** `[http.<name>]` routes and `[gateway]`: what they read to, and errors that name table and key. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { AgentIdError } from '../../src/errors.js';

const credentials = `
[credentials.openai]
type = "static"
secret = "openai-key"

[credentials.gh]
type = "github-app"
app_id = 1
private_key = "gh-key"

[credentials.aws-dev]
type = "aws"
role_arn = "arn:aws:iam::123456789012:role/dev"
region = "us-east-1"
`;

const parse = (toml: string) => parseConfig(`${toml}\n${credentials}`, 'c.toml');

function errorOf(toml: string): string {
  try {
    parse(toml);
  } catch (err) {
    expect(err).toBeInstanceOf(AgentIdError);
    expect((err as AgentIdError).code).toBe('ERR_CONFIG_INVALID');
    return (err as AgentIdError).message;
  }
  throw new Error('expected the config to be refused');
}

describe('[http.<name>] routes', () => {
  it('reads a route with the defaults of its credential type, before or after [credentials]', () => {
    const config = parse(
      '[http.openai]\nupstream = "https://API.openai.com/v1/"\ncredential = "openai"\nenv = "OPENAI_BASE_URL"\n',
    );
    expect(config.http).toEqual([
      {
        name: 'openai',
        upstream: 'https://api.openai.com/v1',
        protocol: 'https:',
        host: 'api.openai.com',
        port: 443,
        pathPrefix: '/v1',
        credential: 'openai',
        header: 'Authorization',
        format: 'Bearer {value}',
        env: 'OPENAI_BASE_URL',
        caFile: null,
      },
    ]);
    const after = parseConfig(
      `${credentials}\n[http.gh]\nupstream = "https://github.com"\ncredential = "gh"\n`,
      'c.toml',
    );
    expect(after.http[0]).toMatchObject({
      host: 'github.com',
      port: 443,
      pathPrefix: '',
      format: 'Basic {basic}',
    });
  });

  it('reads header, format, ca_file, a port and an IPv6 loopback upstream over plain http', () => {
    const [route] = parse(
      '[http.api]\nupstream = "http://[::1]:8080"\ncredential = "openai"\nheader = "x-api-key"\nformat = "{value}"\nca_file = "/etc/ssl/internal.pem"\n',
    ).http;
    expect(route).toMatchObject({
      protocol: 'http:',
      host: '::1',
      port: 8080,
      header: 'x-api-key',
      format: '{value}',
      caFile: '/etc/ssl/internal.pem',
    });
  });

  it.each([
    ['[http.x]\ncredential = "openai"', '[http.x] upstream is required'],
    ['[http.x]\nupstream = "https://a.example"', '[http.x] credential is required'],
    ['[http.Bad]\nupstream = "https://a.example"\ncredential = "openai"', '[http.Bad]: the name must match'],
    [
      '[http.x]\nupstream = "ftp://a.example"\ncredential = "openai"',
      '[http.x] upstream must be an https URL',
    ],
    ['[http.x]\nupstream = "not a url"\ncredential = "openai"', '[http.x] upstream must be a URL'],
    ['[http.x]\nupstream = "http://api.example.com"\ncredential = "openai"', 'plain http only to localhost'],
    [
      '[http.x]\nupstream = "https://u:p@a.example"\ncredential = "openai"',
      'must not carry a user or password',
    ],
    [
      '[http.x]\nupstream = "https://a.example/?x=1"\ncredential = "openai"',
      'must not have a query or fragment',
    ],
    [
      '[http.x]\nupstream = "https://a.example"\ncredential = "nope"',
      '[http.x] credential nope is not defined',
    ],
    [
      '[http.x]\nupstream = "https://a.example"\ncredential = "aws-dev"',
      'of type aws, which the gateway cannot attach',
    ],
    [
      '[http.x]\nupstream = "https://a.example"\ncredential = "openai"\nheader = "Host"',
      '[http.x] header Host is managed by the gateway',
    ],
    [
      '[http.x]\nupstream = "https://a.example"\ncredential = "openai"\nheader = "a b"',
      '[http.x] header must be an HTTP header name',
    ],
    [
      '[http.x]\nupstream = "https://a.example"\ncredential = "openai"\nformat = "Bearer"',
      'must contain {value} or {basic} exactly once',
    ],
    [
      '[http.x]\nupstream = "https://a.example"\ncredential = "openai"\nformat = "{value}{value}"',
      'exactly once',
    ],
    [
      '[http.x]\nupstream = "https://a.example"\ncredential = "openai"\nformat = "{value} {secret}"',
      'knows only {value} and {basic}',
    ],
    [
      '[http.x]\nupstream = "https://a.example"\ncredential = "openai"\nformat = "Bearer {value}\\r\\nX: y"',
      'printable ASCII on one line',
    ],
    [
      '[http.x]\nupstream = "https://a.example"\ncredential = "openai"\nformat = "Basic {basic}"',
      'format {basic} needs a username',
    ],
    [
      '[http.x]\nupstream = "https://a.example"\ncredential = "openai"\nenv = "HTTPS_PROXY"',
      'env HTTPS_PROXY is set by agentid exec itself',
    ],
    [
      '[http.x]\nupstream = "https://a.example"\ncredential = "openai"\nenv = "1X"',
      'env must be an environment variable name',
    ],
    [
      '[http.x]\nupstream = "https://a.example"\ncredential = "openai"\nca_file = "ca.pem"',
      'ca_file must be an absolute path',
    ],
    [
      '[http.x]\nupstream = "https://a.example"\ncredential = "openai"\nuri = "x"',
      '[http.x] unknown key "uri"',
    ],
    [
      '[http.x]\nupstream = "https://a.example"\ncredential = "openai"\nenv = "A"\n[http.y]\nupstream = "https://b.example"\ncredential = "openai"\nenv = "A"',
      '[http.y] env A is also the env of [http.x]',
    ],
    [
      '[http.x]\nupstream = "https://a.example/"\ncredential = "openai"\n[http.y]\nupstream = "https://A.example"\ncredential = "openai"',
      '[http.y] upstream https://a.example is also the upstream of [http.x]',
    ],
    ['[http]\nx = 1', '[http.x] must be a table'],
  ])('refuses %j', (toml, message) => {
    expect(errorOf(toml)).toContain(message);
  });
});

describe('[gateway]', () => {
  it('defaults to tunnelling other hosts, with bounded timeouts', () => {
    expect(parse('').gateway).toEqual({
      otherHosts: 'tunnel',
      connectTimeoutMs: 10_000,
      responseTimeoutMs: 300_000,
      idleTimeoutMs: 300_000,
      maxConnections: 256,
      maxHeaderBytes: 32 * 1024,
    });
  });

  it('reads its keys', () => {
    const gateway = parse(
      '[gateway]\nother_hosts = "deny"\nconnect_timeout_ms = 2000\nresponse_timeout_ms = 5000\n',
    ).gateway;
    expect(gateway).toMatchObject({ otherHosts: 'deny', connectTimeoutMs: 2000, responseTimeoutMs: 5000 });
  });

  it.each([
    ['[gateway]\nother_hosts = "allow"', '[gateway] other_hosts must be "tunnel" or "deny"'],
    [
      '[gateway]\nconnect_timeout_ms = 10',
      '[gateway] connect_timeout_ms must be an integer between 100 and 120000',
    ],
    ['[gateway]\nmax_connections = 1.5', '[gateway] max_connections must be an integer'],
    ['[gateway]\nproxy = true', 'unknown key "proxy" in [gateway]'],
  ])('refuses %j', (toml, message) => {
    expect(errorOf(toml)).toContain(message);
  });
});
