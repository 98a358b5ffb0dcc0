/**
 * Octet-counting framing for syslog over a stream (RFC 6587 section 3.4.1):
 *
 *   SYSLOG-FRAME = MSG-LEN SP SYSLOG-MSG
 *   MSG-LEN      = NONZERO-DIGIT *DIGIT     ; the octets of SYSLOG-MSG
 *
 * Unlike newline framing it carries any message unchanged, and a receiver never mistakes a byte
 * inside one message for the start of the next. Pure.
 */
export function octetCounted(message: Buffer): Buffer {
  if (message.length === 0) throw new RangeError('an empty syslog message cannot be framed');
  return Buffer.concat([Buffer.from(`${message.length} `, 'ascii'), message]);
}
