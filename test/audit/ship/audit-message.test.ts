/**
 * An audit row as a syslog message: seq as MSGID, the row's time, severity by decision, and as MSG
 * exactly the OCSF event that `agentid audit export --format ocsf` prints for the row.
 */
import { describe, expect, it } from 'vitest';
import { AuditWriter, ocsfJson, toOcsf } from '../../../src/audit/index.js';
import { auditSyslogMessage } from '../../../src/audit/ship/audit-message.js';
import { mustRotate, rotationRenames } from '../../../src/audit/ship/rotation.js';
import { event, steppingDeps, tempDbPath } from '../helpers.js';

const origin = { facility: 10, hostname: 'laptop.example.com', procId: '4242', version: '0.1.0' };

function rows() {
  const writer = AuditWriter.open(tempDbPath(), steppingDeps());
  try {
    return [
      writer.append(event()),
      writer.append(event({ decision: 'deny', human: 'oidc:Zoë', credentialFingerprint: null })),
      writer.append(event({ decision: 'error', action: 'identify', errorCode: 'ERR_ATTEST_PEER_GONE' })),
    ];
  } finally {
    writer.close();
  }
}

describe('auditSyslogMessage', () => {
  it('is one RFC 5424 message per row: PRI by decision, the row time, seq as MSGID, the OCSF event as MSG', () => {
    const [allow, deny, error] = rows();
    const parsed = [allow, deny, error].map((row) => {
      const text = auditSyslogMessage(row as never, origin).toString('utf8');
      const match = /^<(\d+)>1 (\S+) (\S+) (\S+) (\S+) (\S+) (\[.*?\]) (.*)$/.exec(text);
      if (!match) throw new Error(`not RFC 5424: ${text}`);
      return { text, fields: match.slice(1, 7), sd: match[7], msg: match[8] as string };
    });
    expect(parsed.map((p) => p.fields)).toEqual([
      ['86', '2025-06-01T12:00:00.000Z', 'laptop.example.com', 'agentid', '4242', '1'],
      ['84', '2025-06-01T12:00:01.000Z', 'laptop.example.com', 'agentid', '4242', '2'],
      ['83', '2025-06-01T12:00:02.000Z', 'laptop.example.com', 'agentid', '4242', '3'],
    ]);
    expect(parsed[0]?.sd).toBe('[origin software="agentid" swVersion="0.1.0"]');
    for (const [i, row] of [allow, deny, error].entries()) {
      const msg = parsed[i]?.msg as string;
      expect(JSON.parse(msg)).toEqual(JSON.parse(ocsfJson(row as never)));
      expect(JSON.parse(msg)).toEqual(toOcsf(row as never));
    }
    // The non-ASCII human travels as a \u escape: no BOM needed, the same JSON value.
    expect(parsed[1]?.msg).toContain('oidc:Zo\\u00eb');
    expect(parsed[1]?.text.includes('\ufeff')).toBe(false);
  });
});

describe('rotation', () => {
  it.each([
    [0, 500, 100, false],
    [50, 50, 100, false],
    [51, 50, 100, true],
    [99, 1, 100, false],
    [100, 1, 100, true],
  ])('a file of %i bytes, a line of %i, max %i: rotate %s', (current, line, max, expected) => {
    expect(mustRotate(current, line, max)).toBe(expected);
  });

  it('renames oldest first, so nothing is overwritten before it moved', () => {
    expect(rotationRenames('/l/o.jsonl', 3)).toEqual([
      ['/l/o.jsonl.2', '/l/o.jsonl.3'],
      ['/l/o.jsonl.1', '/l/o.jsonl.2'],
      ['/l/o.jsonl', '/l/o.jsonl.1'],
    ]);
    expect(rotationRenames('/l/o.jsonl', 1)).toEqual([['/l/o.jsonl', '/l/o.jsonl.1']]);
  });
});
