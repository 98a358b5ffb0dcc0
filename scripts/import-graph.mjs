#!/usr/bin/env node
/**
 * Counts the two import rules of docs/architecture.md over the product code (cli/, daemon/, src/,
 * bench/): imports that reach around a layer's index.ts, and import cycles (type-only imports
 * included: a cycle of types is still a tangle). Prints both lists; exits 1 when either is not
 * empty, unless the import is on the documented start-up exception list below.
 *
 *   node scripts/import-graph.mjs [--quiet]
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const roots = ['cli', 'daemon', 'src', 'bench'];
/**
 * Start-up-critical helpers (the git credential helper, `aws credential-process`) may import a
 * layer's leaf module directly: a layer's index pulls in the whole layer, and these run on every
 * git or AWS call. Listed here, one line each, so the exception stays visible and small.
 */
const startupExceptions = new Set([]);

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...walk(path));
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

const files = roots.filter((r) => existsSync(join(root, r))).flatMap((r) => walk(join(root, r)));
const IMPORT =
  /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

function resolveImport(from, spec) {
  const base = resolve(dirname(from), spec);
  for (const candidate of [
    base.replace(/\.js$/, '.ts'),
    base.replace(/\.js$/, '.tsx'),
    `${base}.ts`,
    join(base, 'index.ts'),
  ]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

const edges = new Map();
for (const file of files) {
  const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
  const targets = new Set();
  for (const match of text.matchAll(IMPORT)) {
    const target = resolveImport(file, match[1] ?? match[2]);
    if (target) targets.add(target);
  }
  edges.set(file, [...targets]);
}

/** The folders under src/ with an index.ts that contain `file`, outermost first. */
function layersOf(file) {
  const parts = relative(join(root, 'src'), file).split('/');
  if (parts[0] === '..' || parts.length < 2) return [];
  const layers = [];
  for (let i = 1; i < parts.length; i++) {
    const dir = join(root, 'src', ...parts.slice(0, i));
    if (existsSync(join(dir, 'index.ts'))) layers.push(dir);
  }
  return layers;
}

const around = [];
for (const [from, targets] of edges) {
  for (const to of targets) {
    const door = layersOf(to).find((layer) => !from.startsWith(`${layer}/`));
    if (door && to !== join(door, 'index.ts')) {
      const line = `${relative(root, from)} -> ${relative(root, to)}`;
      if (!startupExceptions.has(line)) around.push(line);
    }
  }
}

// Strongly connected components (Tarjan): each with more than one file is a cycle.
const index = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
const cycles = [];
let counter = 0;
function connect(v) {
  index.set(v, counter);
  low.set(v, counter++);
  stack.push(v);
  onStack.add(v);
  for (const w of edges.get(v) ?? []) {
    if (!edges.has(w)) continue;
    if (!index.has(w)) {
      connect(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
  }
  if (low.get(v) === index.get(v)) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      component.push(relative(root, w));
    } while (w !== v);
    if (component.length > 1) cycles.push(component.sort());
  }
}
for (const v of edges.keys()) if (!index.has(v)) connect(v);

const quiet = process.argv.includes('--quiet');
console.log(`imports around an index.ts: ${around.length}`);
if (!quiet) for (const line of around.sort()) console.log(`  ${line}`);
console.log(`import cycles: ${cycles.length}`);
if (!quiet) for (const c of cycles) console.log(`  ${c.join(' <-> ')}`);
process.exitCode = around.length || cycles.length ? 1 : 0;
