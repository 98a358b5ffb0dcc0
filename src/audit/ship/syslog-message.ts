/**
 * RFC 5424 syslog messages, as bytes. Pure: the same fields always give the same octets, which the
 * table tests hold against the RFC's own examples (section 6.5).
 *
 *   SYSLOG-MSG = HEADER SP STRUCTURED-DATA [SP MSG]
 *   HEADER     = PRI VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID
 *
 * Header fields are PRINTUSASCII (33..126) of bounded length, "-" when absent; a value with other
 * characters is repaired ("_") and cut, never sent as is, so a hostile host name cannot break the
 * framing of the fields after it. MSG is either MSG-UTF8 (the BOM, then UTF-8) or MSG-ANY (the
 * octets as they are, which must not start with a BOM), as the caller chooses (6.4).
 */

export interface SdElement {
  id: string;
  params: readonly (readonly [name: string, value: string])[];
}

export interface SyslogFields {
  /** 0..23 (RFC 5424 table 1). */
  facility: number;
  /** 0..7 (RFC 5424 table 2). */
  severity: number;
  /** RFC 5424 TIMESTAMP (RFC 3339 with at most 6 fraction digits); null: NILVALUE. */
  timestamp: string | null;
  hostname: string | null;
  appName: string | null;
  procId: string | null;
  msgId: string | null;
  structuredData: readonly SdElement[];
  msg: string | null;
  /** MSG-UTF8: prefixed with the BOM. Otherwise MSG-ANY, sent as UTF-8 without one. */
  msgBom: boolean;
}

export const SEVERITY = {
  emergency: 0,
  alert: 1,
  critical: 2,
  error: 3,
  warning: 4,
  notice: 5,
  informational: 6,
  debug: 7,
} as const;

const NIL = '-';
const BOM = '\ufeff';
/** Maximum lengths of HOSTNAME, APP-NAME, PROCID and MSGID (6.2.4 to 6.2.7) and of an SD-NAME (6.3.3). */
const MAX = { hostname: 255, appName: 48, procId: 128, msgId: 32, sdName: 32 } as const;
const TIMESTAMP =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d{1,6})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

export function formatSyslog(fields: SyslogFields): Buffer {
  const { facility, severity } = fields;
  if (!Number.isInteger(facility) || facility < 0 || facility > 23)
    throw new RangeError(`syslog facility ${facility} is not 0..23`);
  if (!Number.isInteger(severity) || severity < 0 || severity > 7)
    throw new RangeError(`syslog severity ${severity} is not 0..7`);
  if (fields.timestamp !== null && !TIMESTAMP.test(fields.timestamp))
    throw new RangeError(`syslog timestamp ${JSON.stringify(fields.timestamp)} is not an RFC 5424 TIMESTAMP`);
  const header = [
    `<${facility * 8 + severity}>1`,
    fields.timestamp ?? NIL,
    headerField(fields.hostname, MAX.hostname),
    headerField(fields.appName, MAX.appName),
    headerField(fields.procId, MAX.procId),
    headerField(fields.msgId, MAX.msgId),
  ].join(' ');
  const sd = fields.structuredData.length === 0 ? NIL : fields.structuredData.map(sdElement).join('');
  const head = `${header} ${sd}`;
  if (fields.msg === null) return Buffer.from(head, 'ascii');
  if (!fields.msgBom && fields.msg.startsWith(BOM))
    throw new RangeError('a syslog MSG-ANY must not start with a BOM; send it as MSG-UTF8');
  return Buffer.from(`${head} ${fields.msgBom ? BOM : ''}${fields.msg}`, 'utf8');
}

/** PRINTUSASCII of at most `max` characters; anything else becomes "_". */
function headerField(value: string | null, max: number): string {
  if (value === null || value === '') return NIL;
  return value.slice(0, max).replace(/[^\x21-\x7e]/g, '_');
}

function sdElement(element: SdElement): string {
  const params = element.params.map(([name, value]) => ` ${sdName(name)}="${escapeParam(value)}"`);
  return `[${sdName(element.id)}${params.join('')}]`;
}

/** SD-NAME: PRINTUSASCII except '=', SP, ']' and '"' (6.3.2, 6.3.3). */
function sdName(name: string): string {
  return headerField(name, MAX.sdName).replace(/[=\]"]/g, '_');
}

/** PARAM-VALUE: '"', '\' and ']' are escaped with a backslash (6.3.3). */
function escapeParam(value: string): string {
  return value.replace(/["\\\]]/g, '\\$&');
}

/**
 * JSON text with every character outside printable ASCII written as a \uXXXX escape: the same JSON
 * value, and a MSG that needs no BOM, which many collectors would otherwise keep in front of the
 * JSON and fail to parse. JSON.stringify already escapes the control characters below 0x20.
 */
export function asciiJson(json: string): string {
  return json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
