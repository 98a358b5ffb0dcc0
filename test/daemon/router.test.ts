import { describe, expect, it } from 'vitest';
import type { Route } from '../../daemon/route.js';
import { matchRoute } from '../../daemon/router.js';

const route = (method: Route['method'], pattern: string): Route => ({
  method,
  pattern,
  action: `${method} ${pattern}`,
  handle: () => ({ audit: null, answer: { status: 200, body: null } }),
});
const routes = [
  route('GET', '/v1/status'),
  route('PUT', '/v1/secrets/:name'),
  route('DELETE', '/v1/secrets/:name'),
];

describe('matchRoute', () => {
  it.each([
    ['GET', '/v1/status', 'GET /v1/status', {}],
    ['GET', '/v1/status?verbose=1', 'GET /v1/status', {}],
    ['PUT', '/v1/secrets/ci-token', 'PUT /v1/secrets/:name', { name: 'ci-token' }],
    ['DELETE', '/v1/secrets/a%2Fb', 'DELETE /v1/secrets/:name', { name: 'a/b' }],
  ])('%s %s matches %s', (method, path, action, params) => {
    const match = matchRoute(routes, method, path);
    expect(match.route.action).toBe(action);
    expect(match.params).toEqual(params);
  });

  it.each([
    ['GET', '/v1/nope', 'ERR_REQUEST_NOT_FOUND'],
    ['GET', '/v1/status/extra', 'ERR_REQUEST_NOT_FOUND'],
    ['PUT', '/v1/secrets/', 'ERR_REQUEST_NOT_FOUND'],
    ['POST', '/v1/status', 'ERR_REQUEST_METHOD'],
    ['GET', '/v1/secrets/x', 'ERR_REQUEST_METHOD'],
    ['PUT', '/v1/secrets/%E0%A4%A', 'ERR_REQUEST_MALFORMED'],
  ])('%s %s fails with %s', (method, path, code) => {
    expect(() => matchRoute(routes, method, path)).toThrow(expect.objectContaining({ code }));
  });
});
