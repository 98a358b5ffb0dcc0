/** Header hygiene, both ways: table tests over raw header lists as node delivers them. */
import { describe, expect, it } from 'vitest';
import { requestHeaders, responseHeaders, toRawHeaders } from '../../src/gateway/headers.js';

describe('request headers toward the upstream', () => {
  const raw = [
    'Host',
    'gateway:1',
    'Authorization',
    'Bearer agent-made-up',
    'X-Api-Key',
    'agent-key',
    'Connection',
    'keep-alive, X-Private',
    'X-Private',
    'hop',
    'Keep-Alive',
    'timeout=5',
    'Proxy-Authorization',
    'Basic cHJveHk=',
    'Proxy-Connection',
    'keep-alive',
    'TE',
    'trailers',
    'Transfer-Encoding',
    'chunked',
    'Upgrade',
    'websocket',
    'Expect',
    '100-continue',
    'Accept',
    'application/json',
    'Cookie',
    'a=1',
    'Cookie',
    'b=2',
  ];

  it('drops hop-by-hop headers, those Connection lists, and the agent’s own credential for a route', () => {
    const out = requestHeaders(raw, {
      drop: new Set(['authorization', 'x-api-key']),
      add: [['X-Api-Key', 'real']],
    });
    expect(out).toEqual([
      'Accept',
      'application/json',
      'Cookie',
      'a=1',
      'Cookie',
      'b=2',
      'X-Api-Key',
      'real',
    ]);
  });

  it('keeps the agent’s Authorization when nothing is attached (another host, untouched)', () => {
    const out = requestHeaders(raw, { drop: new Set(), add: [] });
    expect(out).toContain('Authorization');
    expect(out).not.toContain('Proxy-Authorization');
    expect(out).not.toContain('Host');
  });
});

describe('response headers toward the agent', () => {
  it('drops hop-by-hop headers and any header that carries a secret, naming the latter', () => {
    const { headers, echoed } = responseHeaders(
      [
        'Content-Type',
        'text/plain',
        'Connection',
        'close, X-Hop',
        'X-Hop',
        '1',
        'Transfer-Encoding',
        'chunked',
        'X-Seen',
        'Bearer sk-123',
        'WWW-Authenticate',
        'Bearer error="invalid_token" token="sk-123"',
        'Set-Cookie',
        'a=1',
        'Set-Cookie',
        'b=2',
        'X-sk-123',
        'name carries it',
      ],
      ['sk-123', 'Bearer sk-123'],
    );
    expect(headers).toEqual(['Content-Type', 'text/plain', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2']);
    expect(echoed).toEqual(['x-seen', 'www-authenticate', 'x-sk-123']);
  });

  it('ignores an empty secret rather than dropping everything', () => {
    expect(responseHeaders(['A', 'b'], ['']).headers).toEqual(['A', 'b']);
  });

  it('turns a headers object into raw pairs, repeats kept', () => {
    expect(toRawHeaders({ a: '1', 'set-cookie': ['x', 'y'], gone: undefined })).toEqual([
      'a',
      '1',
      'set-cookie',
      'x',
      'set-cookie',
      'y',
    ]);
  });
});
