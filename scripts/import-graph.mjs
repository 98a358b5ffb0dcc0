#!/usr/bin/env node
/**
 * Counts the import rules of docs/architecture.md ("Layers") over cli/, daemon/, src/ and bench/:
 * imports that reach around a layer's index.ts, import cycles (type-only imports included: a
 * cycle of types is still a tangle), and imports of daemon/ from cli/. Prints the lists; exits 1
 * when one is not empty. The documented exceptions are listed below, each with its reason.
 *
 *   node scripts/import-graph.mjs [--quiet]
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const roots = ['cli', 'daemon', 'src', 'bench'];
/**
 * Exceptions, one line each so they stay visible and few:
 * - bench/ measures a layer's internals against the alternatives (a plain INSERT beside the audit
 *   writer, STS called directly beside the daemon), so it may reach into them.
 * - `agentid daemon run` is the daemon's launcher: it imports the composition root and nothing else.
 * - `setup mcp` and `doctor` read MCP client configs through src/mcp's pure modules: its index also
 *   loads the MCP SDK (and zod), which only `agentid mcp` needs. The daemon's /v1/mcp routes read
 *   src/mcp/naming.ts for the same reason: the SDK would be ~15 MiB of the daemon's idle memory.
 * - `agentid audit` (the command scripts run) reads through src/audit's reader alone: its index
 *   also loads the writer, checkpoints and the shipping sinks, which reading does not need.
 * - `agentid aws credential-process`, which the AWS tools start on every credential refresh, loads
 *   the protocol client's two modules it calls without src/protocol/client's door, one module less.
 */
const exceptions = new Set([
  'bench/audit-fixture.ts -> src/audit/canonical-json.ts',
  'bench/audit-fixture.ts -> src/audit/row-json.ts',
  'bench/audit-fixture.ts -> src/audit/row.ts',
  'bench/audit-fixture.ts -> src/audit/types.ts',
  'bench/aws.ts -> src/providers/aws/sts.ts',
  'cli/commands/daemon/run.ts -> daemon/main.ts',
  'cli/commands/audit/list.ts -> src/audit/reader.ts',
  'cli/helpers/aws-credential-process.ts -> src/protocol/client.ts',
  'cli/helpers/aws-credential-process.ts -> src/protocol/endpoints.ts',
  'cli/commands/setup/mcp.ts -> src/mcp/client-config.ts',
  'cli/commands/setup/mcp.ts -> src/mcp/credentials.ts',
  'cli/doctor/probe.ts -> src/mcp/client-config.ts',
  'daemon/routes/mcp-decide.ts -> src/mcp/naming.ts',
  'daemon/routes/mcp-list.ts -> src/mcp/naming.ts',
  'daemon/routes/mcp-result.ts -> src/mcp/naming.ts',
]);
/**
 * Sub-layers whose index.ts is a door of its own from outside the enclosing layer, each a narrower
 * public door on a start-up-critical path:
 * - src/protocol/client: what a process that only calls the daemon needs (the endpoint table, the
 *   verified socket clients), without the request checks, MCP and git pieces every CLI command
 *   would otherwise load.
 * - src/protocol/git-helper: git's credential protocol alone, for the git credential helper, which
 *   git starts for every credential.
 */
const subLayerDoors = new Set(['src/protocol/client/index.ts', 'src/protocol/git-helper/index.ts']);

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
const cliToDaemon = [];
const excepted = [];
for (const [from, targets] of edges) {
  for (const to of targets) {
    const line = `${relative(root, from)} -> ${relative(root, to)}`;
    const door = layersOf(to).find((layer) => !from.startsWith(`${layer}/`));
    const list =
      door && to !== join(door, 'index.ts') && !subLayerDoors.has(relative(root, to))
        ? around
        : line.startsWith('cli/') && relative(root, to).startsWith('daemon/')
          ? cliToDaemon
          : null;
    if (list) (exceptions.has(line) ? excepted : list).push(line);
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
const report = (title, lines) => {
  console.log(`${title}: ${lines.length}`);
  if (!quiet) for (const line of lines.sort()) console.log(`  ${line}`);
};
report('imports around an index.ts', around);
report(
  'import cycles',
  cycles.map((c) => c.join(' <-> ')),
);
report('imports of daemon/ from cli/', cliToDaemon);
report('documented exceptions', excepted);
process.exitCode = around.length || cycles.length || cliToDaemon.length ? 1 : 0;
