/**
 * The chain check behind `agentid audit verify` and the TUI's header: rows in seq order, one at a
 * time, naming the first row that does not check out. Rows must be contiguous from where the
 * chain starts (seq 1 with the genesis hash, or a prune's anchor: its seq and recorded prev_hash),
 * each prev_hash must equal the previous row's hash, and each hash must be recomputable from the
 * row. Editing a row and fixing up its hash still breaks the link from the next row; a truncated
 * tail, or a tail rewritten and re-chained, is caught only against a signed checkpoint
 * (checkpoint.ts), and a forged anchor over a deleted head not at all.
 *
 * Rows come as raw column values (EVENT_COLUMNS order), hashed by the writer's own serializer:
 * building an object per row was the largest part of a verify's time.
 *
 * A ChainVerifier keeps its place, so a caller can feed it batches (the TUI verifies in the
 * background, and keeps going as rows are appended).
 */
import { AgentIdError } from '../errors.js';
import { canonicalJson } from './canonical-json.js';
import { columnIndex, type EventValues, GENESIS_HASH } from './row.js';
import { chainHash } from './row-json.js';
import type { Anchor, VerifyResult } from './types.js';

/** Distinct JSON texts remembered as canonical; attestation summaries repeat across many rows. */
const CACHE_LIMIT = 4096;

const SEQ = columnIndex('seq');
const PREV_HASH = columnIndex('prev_hash');
const HASH = columnIndex('hash');
const JSON_COLUMNS = (['attestation', 'policy_ids'] as const).map((name) => ({
  name,
  index: columnIndex(name),
}));

export class ChainVerifier {
  readonly #anchor: Anchor | null;
  readonly #canonical = new Set<string>();
  #checked = 0;
  #lastSeq: number;
  #lastHash: string;
  #broken: { brokenSeq: number; reason: string } | null = null;

  /** Starts at `anchor`, or at seq 1 with the genesis hash. */
  constructor(anchor: Anchor | null) {
    this.#anchor = anchor;
    this.#lastSeq = anchor ? anchor.seq - 1 : 0;
    this.#lastHash = anchor ? anchor.prevHash : GENESIS_HASH;
  }

  /** seq of the last row that checked out (the anchor's seq - 1 before any). */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** hash of the last row that checked out (the anchor's prev_hash, or the genesis hash, before any). */
  get lastHash(): string {
    return this.#lastHash;
  }

  /** Rows that checked out so far. */
  get checked(): number {
    return this.#checked;
  }

  get broken(): boolean {
    return this.#broken !== null;
  }

  /** Checks the next rows; false once a row has failed (later rows are then ignored). */
  feed(rows: Iterable<EventValues>): boolean {
    if (this.#broken) return false;
    for (const values of rows) {
      const reason = this.#problemWith(values);
      if (reason !== null) {
        this.#broken = { brokenSeq: values[SEQ] as number, reason };
        return false;
      }
      this.#checked++;
      this.#lastSeq = values[SEQ] as number;
      this.#lastHash = values[HASH] as string;
    }
    return true;
  }

  result(): VerifyResult {
    const anchor = this.#anchor ? { anchor: this.#anchor } : {};
    if (this.#broken) return { ok: false, rows: this.#checked, ...this.#broken, ...anchor };
    // An empty log (or one pruned to nothing) has checked through nothing.
    return { ok: true, rows: this.#checked, lastSeq: this.#checked === 0 ? 0 : this.#lastSeq, ...anchor };
  }

  #problemWith(values: EventValues): string | null {
    const seq = values[SEQ] as number;
    const expectedSeq = this.#lastSeq + 1;
    if (seq > expectedSeq) return `missing seq ${expectedSeq}`;
    if (seq < expectedSeq) return `unexpected seq ${seq}`;
    if (values[PREV_HASH] !== this.#lastHash) return 'prev_hash does not link';
    for (const column of JSON_COLUMNS) {
      const problem = this.#jsonProblem(seq, column.name, values[column.index] as string | null);
      if (problem !== null) return problem;
    }
    try {
      return chainHash(values) === values[HASH] ? null : 'hash mismatch';
    } catch (err) {
      // Only a value the writer would have refused (a non-finite number) gets here.
      if (err instanceof AgentIdError) return err.message;
      throw err;
    }
  }

  /**
   * Why the column's text is not exactly the canonical form of its JSON, or null if it is: the
   * writer stores only canonical JSON, so anything else was written by someone else.
   */
  #jsonProblem(seq: number, column: 'attestation' | 'policy_ids', text: string | null): string | null {
    if (text === null) return column === 'policy_ids' ? 'policy_ids is missing' : null;
    if (this.#canonical.has(text)) return null;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return `audit row seq ${seq} is unreadable: ${column} is not JSON`;
    }
    if (canonicalOrNull(parsed) !== text) return `${column} is not canonical JSON`;
    if (this.#canonical.size >= CACHE_LIMIT) this.#canonical.clear();
    this.#canonical.add(text);
    return null;
  }
}

/** JSON that parsed but has no canonical form (a number beyond double range) is not the writer's. */
function canonicalOrNull(value: unknown): string | null {
  try {
    return canonicalJson(value);
  } catch {
    return null;
  }
}
