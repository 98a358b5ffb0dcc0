/**
 * The row serializer behind every chain hash (src/audit/row-json.ts) against the definition it
 * replaces: canonicalJson of the row. Seeded fast-check runs over rows whose strings carry quotes,
 * backslashes, controls, U+2028, astral characters and lone surrogates, and whose numbers include
 * -0, subnormals, huge and fractional values; then the same rows through the real writer and
 * SQLite, which must read back as they were hashed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AuditReader, AuditWriter, canonicalJson } from '../../src/audit/index.js';
import { sha256Hex, toColumns, valuesOf } from '../../src/audit/row.js';
import { chainHash, rowJson } from '../../src/audit/row-json.js';
import type { AuditEventInput, AuditRow, Decision } from '../../src/audit/types.js';
import { errorCode, steppingDeps, tempDbPath } from './helpers.js';

const SEED = 20_250_601;

/** The characters that take JSON.stringify off its plain path, mixed with ordinary ones. */
const tricky = fc.string({
  unit: fc.constantFrom(
    '"',
    '\\',
    '\n',
    '\t',
    '\u0000',
    '\u001f',
    '\u007f',
    '\u2028',
    '\ud800',
    '\udfff',
    'é',
    '😀',
    'a',
    '/',
  ),
});
const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), tricky);
const nullableText = fc.option(text, { nil: null });
const finite = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.constantFrom(-0, 0.1, 1e21, 1e-7, Number.MIN_VALUE, Number.MAX_VALUE, Number.MAX_SAFE_INTEGER),
);

const eventInput: fc.Arbitrary<AuditEventInput> = fc.record({
  action: text,
  decision: fc.constantFrom<Decision>('allow', 'deny', 'error'),
  agent: text,
  human: nullableText,
  resource: nullableText,
  peer: fc.record({ pid: fc.nat(), uid: fc.nat(), gid: fc.nat(), exe: nullableText }),
  attestation: fc.option(fc.dictionary(text, fc.jsonValue()), { nil: null }),
  policyIds: fc.array(text, { maxLength: 4 }),
  reason: nullableText,
  credentialFingerprint: fc.option(fc.stringMatching(/^[0-9a-f]{64}$/), { nil: null }),
  expiresAt: nullableText,
  errorCode: nullableText,
  latencyMs: finite,
});

const unhashedRow: fc.Arbitrary<Omit<AuditRow, 'hash'>> = fc
  .record({
    input: eventInput,
    seq: fc.oneof(fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER)),
    id: text,
    time: text,
    attestationDigest: nullableText,
    prevHash: text,
  })
  .map(({ input, ...rest }) => ({ ...input, ...rest }));

/** The row's columns as the writer stores them, in the order a raw read returns them. */
function storedValues(row: Omit<AuditRow, 'hash'>) {
  const attestationJson = row.attestation === null ? null : canonicalJson(row.attestation);
  return valuesOf(toColumns(row, attestationJson));
}

describe('rowJson', () => {
  it('writes exactly canonicalJson(row), byte for byte, for 10,000 random rows', () => {
    fc.assert(
      fc.property(unhashedRow, (row) => {
        expect(rowJson(storedValues(row))).toBe(canonicalJson(row));
      }),
      { seed: SEED, numRuns: 10_000 },
    );
  });

  it('gives the chain hash its definition: sha256(prev_hash, newline, canonical JSON)', () => {
    fc.assert(
      fc.property(unhashedRow, (row) => {
        expect(chainHash(storedValues(row))).toBe(sha256Hex(`${row.prevHash}\n${canonicalJson(row)}`));
      }),
      { seed: SEED, numRuns: 1_000 },
    );
  });

  it('refuses a number without a JSON form, as canonicalJson does', () => {
    fc.assert(
      fc.property(unhashedRow, fc.constantFrom(Number.NaN, Infinity, -Infinity), (row, bad) => {
        const broken = { ...row, latencyMs: bad };
        expect(errorCode(() => canonicalJson(broken))).toBe('ERR_AUDIT_INVALID_EVENT');
        expect(errorCode(() => rowJson(storedValues(broken)))).toBe('ERR_AUDIT_INVALID_EVENT');
      }),
      { seed: SEED, numRuns: 100 },
    );
  });
});

describe('the writer and SQLite', () => {
  it('store what they hashed: random events append and verify, and read back as returned', () => {
    fc.assert(
      fc.property(fc.array(eventInput, { minLength: 1, maxLength: 5 }), (inputs) => {
        const path = tempDbPath();
        const writer = AuditWriter.open(path, steppingDeps());
        const written = inputs.map((input) => writer.append(input));
        writer.close();
        const reader = AuditReader.open(path);
        try {
          expect(reader.verify()).toEqual({ ok: true, rows: inputs.length, lastSeq: inputs.length });
          expect(reader.query({})).toEqual(written);
        } finally {
          reader.close();
        }
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});
