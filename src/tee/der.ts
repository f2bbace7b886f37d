// The few DER (X.690) encodings a self-signed X.509 certificate needs. Node 24 can create
// keys and verify certificates but not write one, and one certificate does not justify a
// dependency.

/** Tag, length, value: DER's one shape. Lengths use the short form below 128 bytes. */
export function derTlv(tag: number, value: Uint8Array): Buffer {
  const length = value.length;
  let header: Buffer;
  if (length < 0x80) header = Buffer.from([tag, length]);
  else {
    const digits: number[] = [];
    for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) digits.unshift(rest % 256);
    header = Buffer.from([tag, 0x80 | digits.length, ...digits]);
  }
  return Buffer.concat([header, value]);
}

export const derSequence = (...items: Uint8Array[]): Buffer => derTlv(0x30, Buffer.concat(items));

export const derSet = (...items: Uint8Array[]): Buffer => derTlv(0x31, Buffer.concat(items));

/** A non-negative INTEGER from big-endian bytes: leading zeros dropped, a 0x00 added when the top bit is set. */
export function derUnsignedInteger(bytes: Uint8Array): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = bytes.subarray(start);
  const value = (trimmed[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed;
  return derTlv(0x02, value.length === 0 ? Buffer.from([0]) : value);
}

/** An OBJECT IDENTIFIER from its dotted form, e.g. `1.3.101.112`. */
export function derObjectIdentifier(dotted: string): Buffer {
  const arcs = dotted.split(".").map(Number);
  const [first = 0, second = 0, ...rest] = arcs;
  const body: number[] = [];
  for (const arc of [first * 40 + second, ...rest]) {
    const base128: number[] = [arc & 0x7f];
    for (let value = Math.floor(arc / 128); value > 0; value = Math.floor(value / 128))
      base128.unshift((value & 0x7f) | 0x80);
    body.push(...base128);
  }
  return derTlv(0x06, Buffer.from(body));
}

export const derUtf8String = (text: string): Buffer => derTlv(0x0c, Buffer.from(text, "utf8"));

export const derOctetString = (bytes: Uint8Array): Buffer => derTlv(0x04, bytes);

/** A BIT STRING of whole bytes (no unused bits). */
export const derBitString = (bytes: Uint8Array): Buffer =>
  derTlv(0x03, Buffer.concat([Buffer.from([0]), bytes]));

export const derBoolean = (value: boolean): Buffer => derTlv(0x01, Buffer.from([value ? 0xff : 0]));

/**
 * A certificate time: UTCTime for 1950..2049 and GeneralizedTime otherwise, as RFC 5280
 * 4.1.2.5 requires (seconds, `Z`, no fractions).
 */
export function derTime(date: Date): Buffer {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  const year = date.getUTCFullYear();
  return year >= 1950 && year < 2050
    ? derTlv(0x17, Buffer.from(digits.slice(2), "ascii"))
    : derTlv(0x18, Buffer.from(digits, "ascii"));
}

/** An EXPLICIT context-specific tag `[n]` around one encoded value. */
export const derExplicit = (n: number, value: Uint8Array): Buffer => derTlv(0xa0 | n, value);
