/**
 * `agentid policy test FILE`: a file of what-if cases with expected decisions (like OPA's policy
 * tests), TOML (`[[case]]` tables) or JSON (`{"case": [...]}` or a bare array). Parsing is
 * strict, as for config.toml: an unknown key is an error naming the case and the key, so a typo
 * never turns a case into a different one that happens to pass.
 */
import { parse as parseToml } from 'smol-toml';
import { AgentIdError } from '../errors.js';
import type { PolicyEngine } from './engine.js';
import type { PolicyDecision } from './types.js';
import { type WhatIf, type WhatIfDefaults, whatIfInput } from './what-if.js';

export interface PolicyCase extends WhatIf {
  name: string;
  expect: 'allow' | 'deny';
  /** When given, the determining policies must be exactly these. */
  policies?: string[];
}

export interface CaseResult {
  case: PolicyCase;
  actual: PolicyDecision;
  ok: boolean;
}

const STRING_KEYS = [
  'agent',
  'credential',
  'type',
  'evidence',
  'repo',
  'cwd',
  'idp',
  'user',
  'email',
  'exe',
  'session',
  'via',
];

export function parsePolicyCases(text: string, source: string): PolicyCase[] {
  let doc: unknown;
  try {
    doc = source.endsWith('.json') ? JSON.parse(text) : parseToml(text);
  } catch (err) {
    throw usage(`${source}: ${(err as Error).message.split('\n')[0]}`);
  }
  const list = Array.isArray(doc) ? doc : (doc as Record<string, unknown>).case;
  if (!Array.isArray(list) || list.length === 0) {
    throw usage(`${source}: no cases; write [[case]] tables (TOML) or {"case": [...]} (JSON)`);
  }
  return list.map((raw, i) => parseCase(raw, `${source}: case ${i + 1}`));
}

export function runPolicyCases(
  engine: PolicyEngine,
  cases: readonly PolicyCase[],
  defaults: WhatIfDefaults,
): CaseResult[] {
  return cases.map((c) => {
    const actual = engine.decide(whatIfInput(c, defaults));
    const policiesOk =
      c.policies === undefined || [...c.policies].sort().join('\n') === actual.policyIds.join('\n');
    return { case: c, actual, ok: actual.decision === c.expect && policiesOk };
  });
}

function parseCase(raw: unknown, where: string): PolicyCase {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw usage(`${where} must be a table`);
  const entries = Object.entries(raw as Record<string, unknown>);
  const out: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    const bad = (what: string) => usage(`${where}: "${key}" must be ${what}`);
    if (STRING_KEYS.includes(key) || key === 'name') {
      if (typeof value !== 'string') throw bad('a string');
    } else if (key === 'expect') {
      if (value !== 'allow' && value !== 'deny') throw bad('"allow" or "deny"');
    } else if (key === 'groups' || key === 'policies') {
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw bad('a list of strings');
    } else if (key === 'mfa') {
      if (typeof value !== 'boolean') throw bad('true or false');
    } else if (key === 'uid') {
      if (!Number.isInteger(value)) throw bad('an integer');
    } else if (key === 'request') {
      if (
        typeof value !== 'object' ||
        value === null ||
        Object.values(value).some((v) => typeof v !== 'string')
      ) {
        throw bad('a table of strings');
      }
    } else {
      throw usage(`${where}: unknown key "${key}"`);
    }
    out[key] = value;
  }
  for (const key of ['agent', 'credential', 'expect']) {
    if (out[key] === undefined) throw usage(`${where}: "${key}" is required`);
  }
  out.name ??= `${out.agent} ${out.type ?? 'jwt'} ${out.credential}`;
  return out as unknown as PolicyCase;
}

function usage(message: string): AgentIdError {
  return new AgentIdError('ERR_USAGE', message);
}
