/**
 * RFC 5424 formatting and RFC 6587 framing, against the RFC's own examples (RFC 5424 section 6.5)
 * byte for byte, then the edges: repaired header fields, escaped SD values, refused values.
 */
import { describe, expect, it } from 'vitest';
import { octetCounted } from '../../../src/audit/ship/framing.js';
import { asciiJson, formatSyslog, type SyslogFields } from '../../../src/audit/ship/syslog-message.js';

const BOM = '\ufeff';
const none: Omit<SyslogFields, 'facility' | 'severity'> = {
  timestamp: null,
  hostname: null,
  appName: null,
  procId: null,
  msgId: null,
  structuredData: [],
  msg: null,
  msgBom: false,
};
const exampleSd = {
  id: 'exampleSDID@32473',
  params: [
    ['iut', '3'],
    ['eventSource', 'Application'],
    ['eventID', '1011'],
  ] as const,
};

/** Examples 3 and 4 share their header: the event log application on mymachine. */
const evntslog: SyslogFields = {
  ...none,
  facility: 20,
  severity: 5,
  timestamp: '2003-10-11T22:14:15.003Z',
  hostname: 'mymachine.example.com',
  appName: 'evntslog',
  msgId: 'ID47',
};

describe('formatSyslog: the RFC 5424 examples (6.5)', () => {
  it.each<[string, SyslogFields, string]>([
    [
      'example 1: no STRUCTURED-DATA, MSG-UTF8',
      {
        ...none,
        facility: 4,
        severity: 2,
        timestamp: '2003-10-11T22:14:15.003Z',
        hostname: 'mymachine.example.com',
        appName: 'su',
        msgId: 'ID47',
        msg: "'su root' failed for lonvick on /dev/pts/8",
        msgBom: true,
      },
      `<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - ${BOM}'su root' failed for lonvick on /dev/pts/8`,
    ],
    [
      'example 2: microseconds and a UTC offset, MSG-ANY',
      {
        ...none,
        facility: 20,
        severity: 5,
        timestamp: '2003-08-24T05:14:15.000003-07:00',
        hostname: '192.0.2.1',
        appName: 'myproc',
        procId: '8710',
        msg: "%% It's time to make the do-nuts.",
      },
      "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.",
    ],
    [
      'example 3: STRUCTURED-DATA and MSG',
      { ...evntslog, structuredData: [exampleSd], msg: 'An application event log entry...', msgBom: true },
      `<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] ${BOM}An application event log entry...`,
    ],
    [
      'example 4: two SD elements, no MSG',
      {
        ...evntslog,
        structuredData: [exampleSd, { id: 'examplePriority@32473', params: [['class', 'high']] }],
      },
      '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"]',
    ],
  ])('%s', (_name, fields, expected) => {
    expect(formatSyslog(fields).toString('utf8')).toBe(expected);
  });

  it('the BOM is the three octets EF BB BF (counted by the framing)', () => {
    const message = formatSyslog({ ...none, facility: 4, severity: 2, msg: 'x', msgBom: true });
    expect([...message.subarray(-4, -1)]).toEqual([0xef, 0xbb, 0xbf]);
  });
});

describe('formatSyslog: edges', () => {
  it('writes the NILVALUE for every absent field, and PRI = facility * 8 + severity', () => {
    expect(formatSyslog({ ...none, facility: 0, severity: 0 }).toString()).toBe('<0>1 - - - - - -');
    expect(formatSyslog({ ...none, facility: 23, severity: 7 }).toString()).toBe('<191>1 - - - - - -');
    expect(formatSyslog({ ...none, facility: 10, severity: 6, hostname: '' }).toString()).toBe(
      '<86>1 - - - - - -',
    );
  });

  it('repairs header fields: no space, control or non-ASCII character, and cuts them to their length', () => {
    const message = formatSyslog({
      ...none,
      facility: 1,
      severity: 6,
      hostname: 'evil host\n<13>1 forged',
      appName: 'a'.repeat(60),
      msgId: 'ünïcode-and-more-than-thirty-two-characters',
    }).toString();
    const [pri, timestamp, hostname, appName, procId, msgId, sd, ...rest] = message.split(' ');
    expect([pri, timestamp, procId, sd, rest]).toEqual(['<14>1', '-', '-', '-', []]);
    expect(hostname).toBe('evil_host_<13>1_forged');
    expect(appName).toBe('a'.repeat(48));
    expect(msgId).toBe('_n_code-and-more-than-thirty-two');
  });

  it('escapes ", \\ and ] in SD values and repairs SD names', () => {
    const message = formatSyslog({
      ...none,
      facility: 1,
      severity: 6,
      structuredData: [{ id: 'x y', params: [['k=v', 'a"b\\c]d']] }],
    }).toString();
    expect(message).toBe('<14>1 - - - - - [x_y k_v="a\\"b\\\\c\\]d"]');
  });

  it.each<[string, Partial<SyslogFields>, string]>([
    ['facility 24', { facility: 24 }, 'facility 24 is not 0..23'],
    ['severity -1', { severity: -1 }, 'severity -1 is not 0..7'],
    ['a timestamp without a zone', { timestamp: '2003-10-11T22:14:15.003' }, 'not an RFC 5424 TIMESTAMP'],
    ['seven fraction digits', { timestamp: '2003-10-11T22:14:15.0000003Z' }, 'not an RFC 5424 TIMESTAMP'],
    ['a MSG-ANY starting with a BOM', { msg: `${BOM}x` }, 'must not start with a BOM'],
  ])('refuses %s', (_name, fields, message) => {
    expect(() => formatSyslog({ ...none, facility: 1, severity: 1, ...fields })).toThrow(message);
  });
});

describe('asciiJson', () => {
  it.each([
    ['{"a":"plain"}', '{"a":"plain"}'],
    ['{"name":"Zoë"}', '{"name":"Zo\\u00eb"}'],
    ['{"e":"😀"}', '{"e":"\\ud83d\\ude00"}'],
    ['{"del":"\u007f"}', '{"del":"\\u007f"}'],
  ])('%s -> %s, the same JSON value in ASCII', (json, expected) => {
    const ascii = asciiJson(json);
    expect(ascii).toBe(expected);
    expect(JSON.parse(ascii)).toEqual(JSON.parse(json));
    expect(ascii).toMatch(/^[\x20-\x7e]*$/);
  });
});

describe('octetCounted (RFC 6587 3.4.1)', () => {
  it.each([
    ['<0>1 - - - - - -', '16 <0>1 - - - - - -'],
    [
      "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.",
      "99 <165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.",
    ],
  ])('frames %s', (message, frame) => {
    expect(octetCounted(Buffer.from(message)).toString()).toBe(frame);
  });

  it('counts octets, not characters: the BOM and UTF-8 are several octets each', () => {
    const message = Buffer.from(`<14>1 - - - - - - ${BOM}Zoë`, 'utf8');
    expect(message.length).toBe(17 + 1 + 3 + 4);
    expect(octetCounted(message).subarray(0, 3).toString()).toBe('25 ');
  });

  it('refuses an empty message (MSG-LEN starts with a non-zero digit)', () => {
    expect(() => octetCounted(Buffer.alloc(0))).toThrow('empty');
  });
});
