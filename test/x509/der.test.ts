/**
 * The DER encoder against encodings fixed by X.690 and RFC 5280 (hex from the standards' examples
 * and from OpenSSL's own output), and against `openssl asn1parse` for the structures built from them.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  bitString,
  boolean,
  explicit,
  namedBits,
  octetString,
  oid,
  sequence,
  setOf,
  smallInteger,
  time,
  tlv,
  unsignedInteger,
  utf8String,
} from '../../src/x509/der.js';
import { missing } from '../peers/tools.js';

const hex = (b: Buffer) => b.toString('hex');

describe('DER encoding', () => {
  it.each([
    [0, '0400'],
    [127, `047f${'00'.repeat(127)}`],
    [128, `048180${'00'.repeat(128)}`],
    [256, `04820100${'00'.repeat(256)}`],
  ])('length %i uses the short form below 128 and the minimal long form above', (length, expected) => {
    expect(hex(tlv(0x04, Buffer.alloc(length)))).toBe(expected);
  });

  it('encodes a 65536-byte length in three bytes', () => {
    expect(hex(tlv(0x04, Buffer.alloc(65_536)).subarray(0, 5))).toBe('0483010000');
  });

  it.each([
    ['1.2.840.10045.4.3.2', '06082a8648ce3d040302'],
    ['2.5.29.30', '0603551d1e'],
    ['1.3.6.1.5.5.7.3.1', '06082b06010505070301'],
    ['2.5.4.3', '0603550403'],
    ['2.999.3', '0603883703'],
  ])('OID %s', (dotted, expected) => {
    expect(hex(oid(dotted))).toBe(expected);
  });

  it.each(['1', '3.1', '1.40', 'a.b', '1..2'])('refuses the malformed OID %j', (dotted) => {
    expect(() => oid(dotted)).toThrow(RangeError);
  });

  it('encodes integers minimally and keeps them positive', () => {
    expect(hex(smallInteger(0))).toBe('020100');
    expect(hex(smallInteger(2))).toBe('020102');
    expect(hex(smallInteger(127))).toBe('02017f');
    expect(hex(smallInteger(128))).toBe('02020080');
    expect(hex(smallInteger(256))).toBe('02020100');
    expect(hex(unsignedInteger(Buffer.from('0000ff', 'hex')))).toBe('020200ff');
    expect(hex(unsignedInteger(Buffer.from('000001', 'hex')))).toBe('020101');
    expect(() => smallInteger(-1)).toThrow(RangeError);
  });

  it('encodes booleans, strings and bit strings', () => {
    expect(hex(boolean(true))).toBe('0101ff');
    expect(hex(boolean(false))).toBe('010100');
    expect(hex(utf8String('é'))).toBe('0c02c3a9');
    expect(hex(octetString(Buffer.from([1, 2])))).toBe('04020102');
    expect(hex(bitString(Buffer.from([0xab])))).toBe('030200ab');
  });

  it('drops trailing zero bits of named bit strings (keyUsage as OpenSSL writes it)', () => {
    // keyCertSign + cRLSign: bits 5 and 6 → 0x06 with one unused bit (OpenSSL: 03 02 01 06).
    expect(hex(namedBits([5, 6]))).toBe('03020106');
    // digitalSignature: bit 0 → 0x80 with seven unused bits.
    expect(hex(namedBits([0]))).toBe('03020780');
    // decipherOnly (bit 8) needs a second byte.
    expect(hex(namedBits([0, 8]))).toBe('0303078080');
    expect(hex(namedBits([]))).toBe('030100');
  });

  it('writes UTCTime through 2049 and GeneralizedTime from 2050 (RFC 5280 4.1.2.5)', () => {
    expect(time(new Date('2049-12-31T23:59:59.999Z')).toString('latin1')).toBe('\x17\x0d491231235959Z');
    expect(time(new Date('2050-01-01T00:00:00Z')).toString('latin1')).toBe('\x18\x0f20500101000000Z');
    expect(() => time(new Date('1949-01-01T00:00:00Z'))).toThrow(RangeError);
  });

  it('sorts SET OF members', () => {
    expect(hex(setOf(smallInteger(2), smallInteger(1)))).toBe('3106020101020102');
  });

  it.skipIf(missing('openssl') !== null)('builds what openssl asn1parse reads back', () => {
    const der = sequence(explicit(0, smallInteger(2)), oid('2.5.29.30'), utf8String('agentid'));
    const parsed = spawnSync('openssl', ['asn1parse', '-inform', 'DER'], { input: der, encoding: 'utf8' });
    expect(parsed.status).toBe(0);
    expect(parsed.stdout).toMatch(/cont \[ 0 \]/);
    expect(parsed.stdout).toMatch(/INTEGER\s+:02/);
    expect(parsed.stdout).toMatch(/OBJECT\s+:X509v3 Name Constraints/);
    expect(parsed.stdout).toMatch(/UTF8STRING\s+:agentid/);
  });
});
