/**
 * Parsing and strict validation of policy files. Each file is parsed on its own (so a syntax
 * error points into that file), split into its policies, and every policy is named
 * `<file>:<@id>` (or `<file>:policyN`, Cedar's own name for the N-th policy of the file) so
 * decisions and audit rows name the file a policy came from. The whole set is then validated
 * against the schema in one call, and each error mapped back to its file, line and column.
 */
import {
  checkParsePolicySet,
  type PolicyJson,
  policySetTextToParts,
  policyToJson,
  validate,
} from '@cedar-policy/cedar-wasm/nodejs';
import { POLICY_SCHEMA } from './schema.js';
import { diagnosticOf, lineColumn } from './source-map.js';
import type { PolicyDiagnostic } from './types.js';

export interface PolicyFile {
  name: string;
  text: string;
}

export interface LoadedPolicy {
  /** `<file>:<id>`: unique in the set, used in decisions and audit rows. */
  id: string;
  file: string;
  line: number;
  column: number;
  effect: 'permit' | 'forbid';
  /** The policy's source text, as written. */
  text: string;
  json: PolicyJson;
}

export type LoadResult =
  | { ok: true; policies: LoadedPolicy[] }
  | { ok: false; diagnostics: PolicyDiagnostic[] };

/** A policy as located in its file: where its text starts (bytes, for Cedar's offsets). */
interface Located extends LoadedPolicy {
  fileText: string;
  byteBase: number;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function loadPolicies(files: readonly PolicyFile[]): LoadResult {
  const diagnostics: PolicyDiagnostic[] = [];
  const located: Located[] = [];
  for (const file of files) {
    const result = splitFile(file);
    if (Array.isArray(result)) located.push(...result);
    else diagnostics.push(...result.diagnostics);
  }
  if (diagnostics.length > 0) return { ok: false, diagnostics };

  const answer = validate({
    schema: POLICY_SCHEMA,
    policies: { staticPolicies: Object.fromEntries(located.map((p) => [p.id, p.text])) },
    validationSettings: { mode: 'strict' },
  });
  if (answer.type === 'failure') {
    return { ok: false, diagnostics: answer.errors.map((e) => diagnosticOf('<schema>', '', e)) };
  }
  const byId = new Map(located.map((p) => [p.id, p]));
  // Cedar validates a policy once per action it may apply to: say each problem once.
  const seen = new Set<string>();
  for (const { policyId, error } of answer.validationErrors) {
    const policy = byId.get(policyId);
    const d = policy
      ? diagnosticOf(policy.file, policy.fileText, error, policy.byteBase)
      : { file: policyId, line: null, column: null, message: error.message };
    const key = `${d.file}:${d.line}:${d.column}:${d.message.replace(/ for Action::"[^"]*"/g, '')}`;
    if (!seen.has(key)) diagnostics.push(d);
    seen.add(key);
  }
  if (diagnostics.length > 0) return { ok: false, diagnostics };
  return { ok: true, policies: located.map(({ fileText: _t, byteBase: _b, ...policy }) => policy) };
}

function splitFile(file: PolicyFile): Located[] | { diagnostics: PolicyDiagnostic[] } {
  const fail = (...diagnostics: PolicyDiagnostic[]) => ({ diagnostics });
  const parsed = checkParsePolicySet({ staticPolicies: file.text });
  if (parsed.type === 'failure')
    return fail(...parsed.errors.map((e) => diagnosticOf(file.name, file.text, e)));
  const parts = policySetTextToParts(file.text);
  if (parts.type === 'failure')
    return fail(...parts.errors.map((e) => diagnosticOf(file.name, file.text, e)));

  const texts = inSourceOrder(parts.policies);
  const located: Located[] = [];
  const diagnostics: PolicyDiagnostic[] = [];
  const seen = new Set<string>();
  let from = 0;
  texts.forEach((text, index) => {
    const start = file.text.indexOf(text, from);
    if (start < 0) throw new Error(`policy ${index} of ${file.name} not found in its own text`);
    from = start + text.length;
    const byteBase = Buffer.byteLength(file.text.slice(0, start));
    const { line, column } = lineColumn(file.text, byteBase);
    const json = policyToJson(text);
    if (json.type === 'failure') {
      diagnostics.push(...json.errors.map((e) => diagnosticOf(file.name, file.text, e, byteBase)));
      return;
    }
    const annotated = json.json.annotations?.id;
    const localId = annotated ?? `policy${index}`;
    const problem =
      annotated !== undefined && !ID.test(annotated)
        ? `@id("${annotated.slice(0, 64)}") must match ${ID.source}`
        : seen.has(localId)
          ? `@id("${localId}") is used twice in this file`
          : null;
    if (problem) diagnostics.push({ file: file.name, line, column, message: problem });
    seen.add(localId);
    located.push({
      id: `${file.name}:${localId}`,
      file: file.name,
      line,
      column,
      effect: json.json.effect,
      text,
      json: json.json,
      fileText: file.text,
      byteBase,
    });
  });
  return diagnostics.length > 0 ? fail(...diagnostics) : located;
}

/**
 * Cedar returns a file's policies sorted by their ids policy0, policy1, ... as strings
 * (policy10 before policy2); undo that sort to get them in the order they are written.
 */
function inSourceOrder(sortedById: readonly string[]): string[] {
  const ids = sortedById.map((_, n) => `policy${n}`).sort();
  const ordered: string[] = [];
  sortedById.forEach((text, i) => {
    ordered[Number((ids[i] ?? '').slice('policy'.length))] = text;
  });
  return ordered;
}
