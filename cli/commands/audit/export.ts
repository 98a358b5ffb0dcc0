/**
 * `agentid audit export --format ocsf|jsonl`: the log as JSON lines for shipping elsewhere,
 * oldest first, streamed row by row (any size), read-only like every audit reader.
 */
import { AgentIdError } from '../../../src/errors.js';
import type { CommandSpec } from '../../command.js';
import { parseSince } from '../../parse-since.js';

const formats = ['ocsf', 'jsonl'] as const;

export const auditExport: CommandSpec = {
  path: ['audit', 'export'],
  summary: 'print the audit log as OCSF JSON lines (for a SIEM) or plain JSON lines',
  options: [
    {
      flags: '--format <format>',
      description: 'ocsf (Authorize Session / API Activity) or jsonl',
      defaultValue: 'ocsf',
    },
    { flags: '--since <when>', description: 'only events since a duration ago (15m, 2h, 7d) or an ISO time' },
  ],
  examples: [
    'agentid audit export --format ocsf --since 7d > audit.ocsf.jsonl',
    'agentid audit export --format jsonl',
  ],
  async run({ opts }, deps) {
    const format = opts.format as string;
    if (!(formats as readonly string[]).includes(format)) {
      throw new AgentIdError('ERR_USAGE', `--format must be one of ${formats.join(', ')}`);
    }
    const since = typeof opts.since === 'string' ? parseSince(opts.since, deps.now()) : undefined;
    const { AuditReader, ocsfJson } = await import('../../../src/audit/index.js');
    const reader = AuditReader.open(deps.paths.auditDb);
    try {
      for (const row of reader.iterate({ order: 'asc', ...(since ? { since } : {}) })) {
        deps.out(`${format === 'ocsf' ? ocsfJson(row) : JSON.stringify(row)}\n`);
        await deps.drained();
      }
    } finally {
      reader.close();
    }
    return 0;
  },
};
