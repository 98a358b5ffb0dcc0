/**
 * The chain check behind `agentid audit verify` and the TUI's header: rows in seq order, one at a
 * time, naming the first row that does not check out. Rows must be contiguous from where the
 * chain starts (seq 1 with the genesis hash, or a prune's anchor: its seq and recorded prev_hash),
 * each prev_hash must equal the previous row's hash, and each hash must be recomputable from the
 * row. Editing a row and fixing up its hash still breaks the link from the next row; truncating
 * the tail, or a forged anchor over a deleted head, is not detectable from the file alone.
 *
 * A ChainVerifier keeps its place, so a caller can feed it batches (the TUI verifies in the
 * background, and keeps going as rows are appended).
 */
import { CanonicalText, canonicalJson } from './canonical-json.js';
import { chainHash, decodeColumns, type EventColumns, GENESIS_HASH } from './row.js';
import type { Anchor, VerifyResult } from './types.js';

/** Distinct JSON texts remembered as canonical; attestation summaries repeat across many rows. */
const CACHE_LIMIT = 4096;

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

  get broken(): boolean {
    return this.#broken !== null;
  }

  /** Checks the next rows; false once a row has failed (later rows are then ignored). */
  feed(rows: Iterable<EventColumns>): boolean {
    if (this.#broken) return false;
    for (const columns of rows) {
      const reason = this.#problemWith(columns);
      if (reason !== null) {
        this.#broken = { brokenSeq: columns.seq, reason };
        return false;
      }
      this.#checked++;
      this.#lastSeq = columns.seq;
      this.#lastHash = columns.hash;
    }
    return true;
  }

  result(): VerifyResult {
    const anchor = this.#anchor ? { anchor: this.#anchor } : {};
    if (this.#broken) return { ok: false, rows: this.#checked, ...this.#broken, ...anchor };
    // An empty log (or one pruned to nothing) has checked through nothing.
    return { ok: true, rows: this.#checked, lastSeq: this.#checked === 0 ? 0 : this.#lastSeq, ...anchor };
  }

  #problemWith(columns: EventColumns): string | null {
    const expectedSeq = this.#lastSeq + 1;
    if (columns.seq > expectedSeq) return `missing seq ${expectedSeq}`;
    if (columns.seq < expectedSeq) return `unexpected seq ${columns.seq}`;
    if (columns.prev_hash !== this.#lastHash) return 'prev_hash does not link';
    const attestation = this.#canonicalText(columns, 'attestation');
    if (typeof attestation === 'string') return attestation;
    const policyIds = this.#canonicalText(columns, 'policy_ids');
    if (typeof policyIds === 'string') return policyIds;
    if (policyIds === null) return 'policy_ids is missing';
    const { hash, ...unhashed } = decodeColumns(
      columns,
      () => attestation,
      () => policyIds,
    );
    return chainHash(unhashed) === hash ? null : 'hash mismatch';
  }

  /**
   * The column's text as CanonicalText when it is exactly the canonical form of its JSON, else the
   * problem: the writer stores only canonical JSON, so anything else was written by someone else.
   */
  #canonicalText(columns: EventColumns, column: 'attestation' | 'policy_ids'): CanonicalText | null | string {
    const text = columns[column];
    if (text === null) return null;
    if (!this.#canonical.has(text)) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return `audit row seq ${columns.seq} is unreadable: ${column} is not JSON`;
      }
      if (canonicalJson(parsed) !== text) return `${column} is not canonical JSON`;
      if (this.#canonical.size >= CACHE_LIMIT) this.#canonical.clear();
      this.#canonical.add(text);
    }
    return new CanonicalText(text);
  }
}

export function verifyChain(rows: Iterable<EventColumns>, anchor: Anchor | null = null): VerifyResult {
  const verifier = new ChainVerifier(anchor);
  verifier.feed(rows);
  return verifier.result();
}
