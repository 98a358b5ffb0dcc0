/**
 * What a bucket's policies can read of a request (compile.ts), so a decision hands Cedar only
 * that. Cedar converts every value of the context and of the entities it is given, whether a
 * policy looks at it or not, and across the wasm boundary that costs ~10 µs a value: with the full
 * context it was most of a decision's time (BENCH.md, "Policy decisions"). A value no policy of
 * the bucket reads cannot change the answer, so it is left out.
 *
 * Read means reached by attribute access (`.` or `has`) from `context`, `principal` or `resource`.
 * Anything else keeps more, never less, because over-keeping only costs time while under-keeping
 * could change an answer:
 * - a variable used as a value (compared, passed to a method, picked by `if`) is kept whole;
 * - an attribute read of anything but a variable's path (an entity literal could name the
 *   principal) keeps every attribute of both entities.
 */
import type {
  CedarValueJson,
  Context,
  EntityJson,
  EntityUidJson,
  PolicyJson,
} from '@cedar-policy/cedar-wasm/nodejs';
import type { CedarRequest } from './request.js';

/** Below one value: the attributes read of it, or `whole` when the value itself is used. */
export interface ReadTree {
  whole: boolean;
  attrs: Map<string, ReadTree>;
}

export interface PolicyReads {
  context: ReadTree;
  principal: ReadTree;
  resource: ReadTree;
}

const branch = (): ReadTree => ({ whole: false, attrs: new Map() });
const WHOLE: ReadTree = { whole: true, attrs: new Map() };

export function policyReads(policies: readonly PolicyJson[]): PolicyReads {
  const reads = { context: branch(), principal: branch(), resource: branch() };
  for (const policy of policies) {
    for (const clause of policy.conditions) visit(clause.body, reads);
  }
  return reads;
}

/** The request with only what `reads` names: the same answer from Cedar, for less conversion. */
export function pruneRequest(request: CedarRequest, reads: PolicyReads): CedarRequest {
  const treeOf = (uid: EntityUidJson) =>
    sameEntity(uid, request.principal)
      ? reads.principal
      : sameEntity(uid, request.resource)
        ? reads.resource
        : WHOLE;
  return {
    ...request,
    context: pickRecord(request.context, reads.context) as Context,
    entities: request.entities.map((e): EntityJson => ({ ...e, attrs: pickRecord(e.attrs, treeOf(e.uid)) })),
  };
}

type Json = { [key: string]: unknown };

function isObject(node: unknown): node is Json {
  return typeof node === 'object' && node !== null && !Array.isArray(node);
}

function visit(node: unknown, reads: PolicyReads): void {
  if (Array.isArray(node)) {
    for (const item of node) visit(item, reads);
    return;
  }
  // A literal reads nothing.
  if (!isObject(node) || 'Value' in node) return;
  const access = attributeAccess(node);
  if (access) {
    const path = variablePath(access.of);
    if (path) {
      read(reads, path.variable, [...path.attrs, ...access.attrs]);
    } else {
      reads.principal.whole = true;
      reads.resource.whole = true;
      visit(access.of, reads);
    }
    return;
  }
  if (typeof node.Var === 'string') {
    read(reads, node.Var, []);
    return;
  }
  for (const value of Object.values(node)) visit(value, reads);
}

/** `e.a` or `e has a` (`e has a.b` in one node): what is read, of what. */
function attributeAccess(node: Json): { of: unknown; attrs: string[] } | null {
  const dot = node['.'];
  if (isObject(dot) && typeof dot.attr === 'string') return { of: dot.left, attrs: [dot.attr] };
  const has = node.has;
  if (!isObject(has)) return null;
  if (typeof has.attr === 'string') return { of: has.left, attrs: [has.attr] };
  if (Array.isArray(has.attr) && has.attr.every((a) => typeof a === 'string'))
    return { of: has.left, attrs: has.attr };
  return null;
}

/** `context.a.b` as ('context', ['a', 'b']); null when the expression is not such a path. */
function variablePath(node: unknown): { variable: string; attrs: string[] } | null {
  if (!isObject(node)) return null;
  if (typeof node.Var === 'string') return { variable: node.Var, attrs: [] };
  const dot = node['.'];
  if (!isObject(dot) || typeof dot.attr !== 'string') return null;
  const base = variablePath(dot.left);
  return base && { variable: base.variable, attrs: [...base.attrs, dot.attr] };
}

function read(reads: PolicyReads, variable: string, attrs: readonly string[]): void {
  // `action` has no attributes in the entities a decision sends.
  if (variable !== 'context' && variable !== 'principal' && variable !== 'resource') return;
  let tree = reads[variable];
  for (const attr of attrs) {
    if (tree.whole) return;
    let below = tree.attrs.get(attr);
    if (!below) {
      below = branch();
      tree.attrs.set(attr, below);
    }
    tree = below;
  }
  tree.whole = true;
}

function pickRecord(record: Record<string, CedarValueJson>, tree: ReadTree): Record<string, CedarValueJson> {
  if (tree.whole) return record;
  const kept: Record<string, CedarValueJson> = {};
  for (const [attr, below] of tree.attrs) {
    if (!Object.hasOwn(record, attr)) continue;
    const value = record[attr] as CedarValueJson;
    kept[attr] = isRecordValue(value) ? pickRecord(value, below) : value;
  }
  return kept;
}

function isRecordValue(value: CedarValueJson): value is Record<string, CedarValueJson> {
  return isObject(value) && !('__entity' in value) && !('__extn' in value);
}

function sameEntity(uid: EntityUidJson, of: { type: string; id: string }): boolean {
  const plain = '__entity' in uid ? uid.__entity : uid;
  return plain.type === of.type && plain.id === of.id;
}
