/**
 * What an MCP call reaches, named as policy and the audit log see it: `Tool::"fs/read_file"`.
 * Shared by the daemon's /v1/mcp routes so a decision and its result row name alike.
 */
import { canonicalJson } from '../audit/index.js';
import type { PolicyInput } from '../policy/index.js';
import type { McpCallMethod, McpListMethod } from '../protocol/index.js';
import { entityOf } from './summary.js';

/** Full arguments (audit_arguments) are kept up to this many characters of canonical JSON. */
const AUDITED_ARGUMENTS_MAX = 16 * 1024;

/** The policy resource of a call or listed name: `{name: "fs/read_file", entity: "Tool"}`. */
export function mcpResource(
  server: string,
  method: McpCallMethod | McpListMethod,
  name: string,
): PolicyInput['credential'] {
  return { name: `${server}/${name}`, type: 'mcp', entity: entityOf(method) };
}

/** As the audit row's resource column shows it, in Cedar's own syntax. */
export function resourceText(resource: PolicyInput['credential']): string {
  return `${resource.entity ?? 'Credential'}::${JSON.stringify(resource.name)}`;
}

/** The full arguments for the audit row, bounded; canonical so equal calls read alike. */
export function auditedArguments(value: unknown): string {
  let json: string;
  try {
    json = canonicalJson(value);
  } catch {
    json = JSON.stringify(String(value));
  }
  return json.length <= AUDITED_ARGUMENTS_MAX
    ? json
    : `${json.slice(0, AUDITED_ARGUMENTS_MAX)}… (${json.length} characters, truncated)`;
}
