/** `agentid audit verify`: walk the hash chain; exit 1 naming the first broken seq. */
import { AgentIdError } from '../../../src/errors.js';
import { type CommandSpec, jsonOption, printJson } from '../../command.js';

export const auditVerify: CommandSpec = {
  path: ['audit', 'verify'],
  summary: 'check the audit log hash chain; names the first broken row',
  options: [jsonOption],
  examples: ['agentid audit verify', 'agentid audit verify --json'],
  async run({ opts }, deps) {
    const { AuditReader } = await import('../../../src/audit/index.js');
    const reader = AuditReader.open(deps.paths.auditDb);
    let result: ReturnType<typeof reader.verify>;
    try {
      result = reader.verify();
    } finally {
      reader.close();
    }
    if (opts.json) printJson(deps, result);
    if (result.ok) {
      const from = result.anchor
        ? ` from anchor at seq ${result.anchor.seq} (${result.anchor.prunedRows} older rows pruned ${result.anchor.time})`
        : '';
      if (!opts.json)
        deps.out(
          `audit log verified${from}: ${result.rows} rows, chain intact through seq ${result.lastSeq}\n`,
        );
      return 0;
    }
    throw new AgentIdError(
      'ERR_AUDIT_CHAIN_BROKEN',
      `audit log chain broken at seq ${result.brokenSeq}: ${result.reason} (${result.rows} rows before it verified)`,
    );
  },
};
