/**
 * Path matching for the daemon's small, fixed route table. Pure, so it has table tests.
 */
import { AgentIdError } from '../src/errors.js';
import type { Method } from '../src/protocol/index.js';
import type { Route } from './route.js';

export interface Match {
  route: Route;
  params: Record<string, string>;
}

export function matchRoute(routes: readonly Route[], method: string, rawPath: string): Match {
  const path = rawPath.split('?', 1)[0] ?? '';
  const segments = path.split('/');
  let pathKnown = false;
  for (const route of routes) {
    const params = matchPattern(route.pattern, segments);
    if (!params) continue;
    pathKnown = true;
    if (route.method === (method as Method)) return { route, params };
  }
  if (pathKnown) {
    throw new AgentIdError('ERR_REQUEST_METHOD', `${method} is not allowed on ${path}`);
  }
  throw new AgentIdError('ERR_REQUEST_NOT_FOUND', `no such endpoint: ${path.slice(0, 200)}`);
}

function matchPattern(pattern: string, segments: string[]): Record<string, string> | null {
  const parts = pattern.split('/');
  if (parts.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (const [i, part] of parts.entries()) {
    const segment = segments[i] ?? '';
    if (part.startsWith(':')) {
      if (segment === '') return null;
      params[part.slice(1)] = decodeSegment(segment);
    } else if (part !== segment) {
      return null;
    }
  }
  return params;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new AgentIdError('ERR_REQUEST_MALFORMED', 'the request path is not valid percent-encoding');
  }
}
