/**
 * An audit row as the syslog message a collector receives: RFC 5424, MSGID = the row's seq (so a
 * collector can find gaps and duplicates without parsing the body), TIMESTAMP = the row's time, and
 * as MSG the row's OCSF event, the same JSON `agentid audit export --format ocsf` prints (written
 * in ASCII with \u escapes: the same JSON value, see asciiJson). Pure.
 */
import type { AuditRow, Decision } from '../types.js';
import { ocsfText } from './source.js';
import { asciiJson, formatSyslog, SEVERITY } from './syslog-message.js';

export interface SyslogOrigin {
  facility: number;
  hostname: string;
  /** The daemon's pid. */
  procId: string;
  /** agentid's version, in the registered `origin` SD element (RFC 5424 section 7.2). */
  version: string;
}

const severityOf: Readonly<Record<Decision, number>> = {
  allow: SEVERITY.informational,
  deny: SEVERITY.warning,
  error: SEVERITY.error,
};

export function auditSyslogMessage(row: AuditRow, origin: SyslogOrigin): Buffer {
  return formatSyslog({
    facility: origin.facility,
    severity: severityOf[row.decision],
    timestamp: row.time,
    hostname: origin.hostname,
    appName: 'agentid',
    procId: origin.procId,
    msgId: String(row.seq),
    structuredData: [
      {
        id: 'origin',
        params: [
          ['software', 'agentid'],
          ['swVersion', origin.version],
        ],
      },
    ],
    msg: asciiJson(ocsfText(row)),
    msgBom: false,
  });
}
