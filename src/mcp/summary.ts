/**
 * What policy and audit see of an MCP request, built from the JSON-RPC message alone (pure, table
 * tested). The arguments are reduced to a digest and one path: the deepest absolute path that
 * holds every path-like argument, so `mcpPath like "/repo/*"` holds only when *all* of them are
 * under /repo (Cedar has no "for all" over a set; a move_file from /repo to /etc yields "/").
 * Paths are resolved like the server resolves them (relative to the shared cwd, `~` to home) and
 * normalized, so `/repo/../etc` cannot pass for a path under /repo. Symlinks are the server's to
 * refuse (mcp-server-filesystem resolves them against its allowed dirs).
 */
import { createHash } from 'node:crypto';
import { isAbsolute, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canonicalJson } from '../audit/index.js';
import type { ResourceEntity } from '../policy/index.js';
import {
  CALL_METHODS,
  type McpCallMethod,
  type McpCallSummary,
  type McpListMethod,
} from '../protocol/index.js';

export interface PathBase {
  cwd: string;
  home: string;
}

/** Argument names that hold paths in the servers in the wild (filesystem, git, shell...). */
const PATH_KEY =
  /^(paths?|files?|filename|dir|directory|source|destination|target|root|uri|cwd)$|path$|paths$/i;

/** The policy resource type of what a method reaches. */
export function entityOf(method: McpCallMethod | McpListMethod): ResourceEntity {
  if (method.startsWith('tools/')) return 'Tool';
  return method.startsWith('prompts/') ? 'Prompt' : 'Resource';
}

/** The call a request makes, or null when the method is not one policy decides (or params are bad). */
export function summarizeCall(
  server: string,
  method: string,
  params: unknown,
  base: PathBase,
): McpCallSummary | null {
  if (!(CALL_METHODS as readonly string[]).includes(method) || !isRecord(params)) return null;
  const callMethod = method as McpCallMethod;
  const nameKey = callMethod === 'resources/read' ? 'uri' : 'name';
  const name = params[nameKey];
  if (typeof name !== 'string' || name === '') return null;
  const args = callMethod === 'resources/read' ? {} : (params.arguments ?? {});
  const candidates = callMethod === 'resources/read' ? [name] : pathArguments(args);
  const path = commonPath(candidates.flatMap((value) => toPath(value, base) ?? []));
  return {
    server,
    method: callMethod,
    name,
    ...(path === undefined ? {} : { path }),
    argsDigest: createHash('sha256').update(canonicalJsonOrString(args)).digest('hex'),
  };
}

function pathArguments(args: unknown): string[] {
  if (!isRecord(args)) return [];
  const found: string[] = [];
  for (const [key, value] of Object.entries(args)) {
    if (!PATH_KEY.test(key)) continue;
    if (typeof value === 'string') found.push(value);
    else if (Array.isArray(value)) for (const v of value) if (typeof v === 'string') found.push(v);
  }
  return found;
}

/** A local path for a path-like value; null for URLs of other schemes and empty values. */
function toPath(value: string, base: PathBase): string | null {
  if (value === '') return null;
  if (/^[a-z][a-z0-9+.-]*:/i.test(value)) {
    if (!value.toLowerCase().startsWith('file:')) return null;
    try {
      return resolve(fileURLToPath(value));
    } catch {
      // A malformed file URL still names something: fail towards the most general path.
      return sep;
    }
  }
  if (value === '~' || value.startsWith('~/')) return resolve(base.home, value.slice(2));
  return isAbsolute(value) ? resolve(value) : resolve(base.cwd, value);
}

/** The deepest path that is, or contains, every one of the (normalized, absolute) paths. */
export function commonPath(paths: readonly string[]): string | undefined {
  const [first, ...rest] = paths;
  if (first === undefined) return undefined;
  let common = first.split(sep);
  for (const path of rest) {
    const parts = path.split(sep);
    let i = 0;
    while (i < common.length && i < parts.length && common[i] === parts[i]) i += 1;
    common = common.slice(0, i);
  }
  return common.join(sep) || sep;
}

/** Arguments are JSON from the wire, so canonical JSON holds; anything odd still gets a digest. */
function canonicalJsonOrString(value: unknown): string {
  try {
    return canonicalJson(value);
  } catch {
    return JSON.stringify(value) ?? 'undefined';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
