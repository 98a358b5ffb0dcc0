/**
 * `agentid audit [filters]`: the audit log, read straight from SQLite read-only (works while the
 * daemon is down). On a terminal it opens the TUI (cli/tui, loaded only then); piped or with
 * --json it prints JSON lines, and with --follow keeps printing rows as they are committed.
 */
import type { AuditQuery, AuditReader } from '../../../src/audit/index.js';
import { AgentIdError } from '../../../src/errors.js';
import { type CliDeps, type CommandSpec, jsonOption } from '../../command.js';
import { type AuditFilter, setFilterField } from '../../tui/filter.js';

/** How often --follow looks for new rows: an indexed `seq > last` query, so cheap. */
const FOLLOW_POLL_MS = 250;

export const auditList: CommandSpec = {
  path: ['audit', 'list'],
  isDefault: true,
  summary: 'browse audit events (TUI on a terminal; JSON lines when piped or with --json)',
  options: [
    jsonOption,
    { flags: '--since <when>', description: 'only events since a duration ago (15m, 2h, 7d) or an ISO time' },
    { flags: '--agent <name>', description: 'only events of this agent' },
    {
      flags: '--user <human>',
      description: 'only events of this human (local:alice@host, or the SSO subject)',
    },
    { flags: '--decision <decision>', description: 'only allow, deny or error' },
    { flags: '--action <action>', description: 'only this action (identify, secret.set, ...)' },
    { flags: '--limit <n>', description: 'JSON: at most the newest n events' },
    { flags: '--follow', description: 'keep showing events as they are committed (f in the TUI)' },
  ],
  examples: [
    'agentid audit',
    'agentid audit --decision deny --follow',
    'agentid audit --json --since 1h',
    'agentid audit --json | jq -c "select(.agent == \\"claude\\")"',
  ],
  async run({ opts }, deps) {
    const filter = readFilter(opts, deps.now());
    const tui = deps.stdoutIsTTY && deps.stdinIsTTY && !opts.json;
    let limit: number | undefined;
    if (typeof opts.limit === 'string') {
      limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1)
        throw new AgentIdError('ERR_USAGE', '--limit must be a positive integer');
    }

    // The reader alone: the audit index also loads the writer, checkpoints and shipping (sockets, TLS).
    const { AuditReader } = await import('../../../src/audit/reader.js');
    const reader = AuditReader.open(deps.paths.auditDb);
    try {
      if (tui) {
        const { runAuditTui } = await import('../../tui/run.js');
        await runAuditTui({
          reader,
          path: deps.paths.auditDb,
          filter,
          follow: opts.follow === true,
          now: deps.now,
          ...deps.terminal,
        });
        return 0;
      }
      const last = await printRows(reader, filter, limit, deps);
      if (opts.follow === true) await follow(reader, filter, last, deps);
    } finally {
      reader.close();
    }
    return 0;
  },
};

function readFilter(opts: Record<string, unknown>, now: Date): AuditFilter {
  const filter: AuditFilter = {};
  for (const key of ['agent', 'user', 'decision', 'action', 'since'] as const) {
    const value = opts[key];
    if (typeof value === 'string') setFilterField(filter, key, value, now);
  }
  return filter;
}

/** Oldest first, streamed; with a limit, the newest `limit`. Returns the last seq printed. */
async function printRows(
  reader: AuditReader,
  filter: AuditFilter,
  limit: number | undefined,
  deps: CliDeps,
): Promise<number> {
  let after: number | undefined;
  if (limit !== undefined) {
    // The row just before the newest `limit`: the stream starts after it.
    after = reader.query({ ...filter, order: 'desc', limit: limit + 1 }).at(limit)?.seq;
  }
  let last = after ?? 0;
  const query: AuditQuery = { ...filter, order: 'asc', ...(after === undefined ? {} : { afterSeq: after }) };
  for (const row of reader.iterate(query)) {
    deps.out(`${JSON.stringify(row)}\n`);
    last = row.seq;
    await deps.drained();
  }
  return last;
}

/** Polls for rows after the last one printed until SIGINT/SIGTERM, then ends cleanly (exit 0). */
async function follow(reader: AuditReader, filter: AuditFilter, last: number, deps: CliDeps): Promise<void> {
  let stopped = false;
  const stop = () => {
    stopped = true;
  };
  deps.signals.on('SIGINT', stop);
  deps.signals.on('SIGTERM', stop);
  try {
    let after = last;
    while (!stopped) {
      for (const row of reader.iterate({ ...filter, order: 'asc', afterSeq: after })) {
        deps.out(`${JSON.stringify(row)}\n`);
        after = row.seq;
        await deps.drained();
      }
      await deps.sleep(FOLLOW_POLL_MS);
    }
  } finally {
    deps.signals.off('SIGINT', stop);
    deps.signals.off('SIGTERM', stop);
  }
}
