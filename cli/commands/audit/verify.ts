/**
 * `agentid audit verify [--checkpoint FILE]`: walk the hash chain; exit 1 naming the first broken
 * seq. With a checkpoint, also prove the log still extends it (see src/audit/checkpoint.ts): the
 * signature is checked first, against every key the daemon ever signed with, then the chain, then
 * the signed row.
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CheckpointDocument } from '../../../src/audit/index.js';
import { AgentIdError } from '../../../src/errors.js';
import { endpoints } from '../../../src/protocol/client/index.js';
import { type CliDeps, type CommandSpec, jsonOption, printJson } from '../../command.js';

/** A checkpoint is a few hundred bytes; anything much bigger is not one. */
const MAX_CHECKPOINT_BYTES = 64 * 1024;

export const auditVerify: CommandSpec = {
  path: ['audit', 'verify'],
  summary: 'check the audit log hash chain; names the first broken row',
  options: [
    {
      flags: '--checkpoint <file>',
      description: 'also prove the log extends a signed checkpoint (catches a truncated or re-chained tail)',
    },
    jsonOption,
  ],
  examples: [
    'agentid audit verify',
    'agentid audit verify --json',
    'agentid audit verify --checkpoint ~/audit-checkpoints/2025-06-01.json',
  ],
  async run({ opts }, deps) {
    const { AuditReader, proveExtends, verifyCheckpoint } = await import('../../../src/audit/index.js');
    let checkpoint: CheckpointDocument | null = null;
    if (typeof opts.checkpoint === 'string') {
      const text = readCheckpoint(resolve(deps.cwd, opts.checkpoint));
      checkpoint = await verifyCheckpoint(text, await deps.daemon.call(endpoints.auditCheckpointKeys));
    }
    const reader = AuditReader.open(deps.paths.auditDb);
    try {
      const result = reader.verify();
      if (!result.ok) {
        if (opts.json) printJson(deps, result);
        throw new AgentIdError(
          'ERR_AUDIT_CHAIN_BROKEN',
          `audit log chain broken at seq ${result.brokenSeq}: ${result.reason} (${result.rows} rows before it verified)`,
        );
      }
      if (checkpoint) proveExtends(checkpoint, result, (seq) => reader.hashAt(seq));
      report(deps, opts.json === true, result, checkpoint);
      return 0;
    } finally {
      reader.close();
    }
  },
};

function readCheckpoint(path: string): string {
  try {
    if (statSync(path).size > MAX_CHECKPOINT_BYTES) {
      throw new Error(`larger than ${MAX_CHECKPOINT_BYTES} bytes, so not a checkpoint`);
    }
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new AgentIdError(
      'ERR_AUDIT_CHECKPOINT_INVALID',
      `cannot read checkpoint ${path}: ${(err as Error).message}; pass a file written by \`agentid audit checkpoint --out FILE\``,
    );
  }
}

function report(
  deps: CliDeps,
  json: boolean,
  result: { rows: number; lastSeq: number; anchor?: { seq: number; prunedRows: number; time: string } },
  checkpoint: CheckpointDocument | null,
): void {
  if (json) {
    const extended = checkpoint
      ? {
          checkpoint: {
            seq: checkpoint.seq,
            hash: checkpoint.hash,
            time: checkpoint.time,
            kid: checkpoint.kid,
          },
        }
      : {};
    printJson(deps, { ...result, ...extended });
    return;
  }
  const from = result.anchor
    ? ` from anchor at seq ${result.anchor.seq} (${result.anchor.prunedRows} older rows pruned ${result.anchor.time})`
    : '';
  deps.out(`audit log verified${from}: ${result.rows} rows, chain intact through seq ${result.lastSeq}\n`);
  if (checkpoint) {
    deps.out(
      `extends the checkpoint of seq ${checkpoint.seq} (${checkpoint.time}, signed by kid ${checkpoint.kid}): ` +
        `row ${checkpoint.seq} still has hash ${checkpoint.hash.slice(0, 16)}…\n`,
    );
  }
}
