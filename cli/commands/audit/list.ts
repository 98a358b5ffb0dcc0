/**
 * `agentid audit [filters]`: the audit log, read straight from SQLite read-only (works while the
 * daemon is down). JSON lines when piped or with --json, a plain table on a terminal.
 */
import type { AuditQuery, AuditRow, Decision } from '../../../src/audit/index.js';
import { AgentIdError } from '../../../src/errors.js';
import { type CommandSpec, jsonOption } from '../../command.js';
import { parseSince } from '../../parse-since.js';

const decisions: readonly Decision[] = ['allow', 'deny', 'error'];

export const auditList: CommandSpec = {
  path: ['audit', 'list'],
  isDefault: true,
  summary: 'print audit events (JSON lines when piped or with --json)',
  options: [
    jsonOption,
    { flags: '--since <when>', description: 'only events since a duration ago (15m, 2h, 7d) or an ISO time' },
    { flags: '--agent <name>', description: 'only events of this agent' },
    { flags: '--decision <decision>', description: 'only allow, deny or error' },
    { flags: '--action <action>', description: 'only this action (identify, secret.set, ...)' },
    { flags: '--limit <n>', description: 'at most n events (the newest n on a terminal)' },
  ],
  examples: [
    'agentid audit --json --since 1h',
    'agentid audit --decision deny --limit 20',
    'agentid audit --json | jq -c "select(.agent == \\"claude\\")"',
  ],
  async run({ opts }, deps) {
    const table = deps.stdoutIsTTY && !opts.json;
    const query: AuditQuery = { order: table ? 'desc' : 'asc' };
    if (typeof opts.since === 'string') query.since = parseSince(opts.since, deps.now());
    if (typeof opts.agent === 'string') query.agent = opts.agent;
    if (typeof opts.action === 'string') query.action = opts.action;
    if (typeof opts.decision === 'string') {
      if (!decisions.includes(opts.decision as Decision)) {
        throw new AgentIdError('ERR_USAGE', `--decision must be one of ${decisions.join(', ')}`);
      }
      query.decision = opts.decision as Decision;
    }
    if (typeof opts.limit === 'string') {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1)
        throw new AgentIdError('ERR_USAGE', '--limit must be a positive integer');
      query.limit = limit;
    } else if (table) {
      query.limit = 50;
    }

    const { AuditReader } = await import('../../../src/audit/index.js');
    const reader = AuditReader.open(deps.paths.auditDb);
    try {
      const rows = reader.query(query);
      if (table) deps.out(formatTable(rows));
      else for (const row of rows) deps.out(`${JSON.stringify(row)}\n`);
    } finally {
      reader.close();
    }
    return 0;
  },
};

function formatTable(rows: AuditRow[]): string {
  if (rows.length === 0) return 'no audit events match\n';
  const header = ['SEQ', 'TIME', 'DECISION', 'ACTION', 'AGENT', 'HUMAN', 'RESOURCE', 'PID', 'CODE'];
  const body = rows.map((r) => [
    String(r.seq),
    r.time.replace('T', ' ').slice(0, 19),
    r.decision,
    r.action,
    r.agent,
    r.human ?? '-',
    r.resource ?? '-',
    String(r.peer.pid),
    r.errorCode ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => (cells[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...body.map(line)].join('\n')}\n`;
}
