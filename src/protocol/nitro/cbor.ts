// The part of CBOR (RFC 8949) that Nitro attestation documents, COSE_Sign1 and the NSM
// device's requests and responses use: definite-length items only (the NSM and COSE never
// emit indefinite ones), integers up to 64 bits, byte and text strings, arrays, maps,
// tags, simple values. Decoding is strict: a truncated item, trailing bytes or an
// indefinite length is a CborError, never a partial value.

export type CborValue =
  | number
  | bigint
  | Uint8Array
  | string
  | boolean
  | null
  | undefined
  | CborValue[]
  | Map<CborValue, CborValue>
  | CborTagged;

/** A tagged item (major type 6), e.g. COSE_Sign1's optional tag 18. */
export interface CborTagged {
  readonly tag: number;
  readonly value: CborValue;
}

export class CborError extends Error {
  readonly code = "CBOR_INVALID";
  constructor(message: string) {
    super(message);
    this.name = "CborError";
  }
}

/** Nesting deeper than this is refused: attestation documents nest three levels. */
const MAX_DEPTH = 16;

/** Decodes exactly one CBOR item filling all of `bytes`. */
export function decodeCbor(bytes: Uint8Array): CborValue {
  const reader = { bytes, offset: 0 };
  const value = readItem(reader, 0);
  if (reader.offset !== bytes.length) {
    throw new CborError(`${bytes.length - reader.offset} bytes after the CBOR item`);
  }
  return value;
}

interface Reader {
  bytes: Uint8Array;
  offset: number;
}

function take(reader: Reader, length: number): Uint8Array {
  if (reader.offset + length > reader.bytes.length) {
    throw new CborError(`truncated: needs ${length} bytes at offset ${reader.offset}`);
  }
  const slice = reader.bytes.subarray(reader.offset, reader.offset + length);
  reader.offset += length;
  return slice;
}

/** The argument of an item head: the value itself for majors 0/1/7, a length or a tag. */
function readArgument(reader: Reader, info: number): number | bigint {
  if (info < 24) return info;
  const view = (n: number) => {
    const raw = take(reader, n);
    return new DataView(raw.buffer, raw.byteOffset, n);
  };
  switch (info) {
    case 24:
      return view(1).getUint8(0);
    case 25:
      return view(2).getUint16(0);
    case 26:
      return view(4).getUint32(0);
    case 27: {
      const value = view(8).getBigUint64(0);
      return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
    }
    default:
      throw new CborError(`unsupported additional information ${info} (indefinite length?)`);
  }
}

function lengthOf(argument: number | bigint, reader: Reader): number {
  if (typeof argument === "bigint" || argument > reader.bytes.length - reader.offset) {
    // A count can never exceed the bytes left: each element takes at least one byte.
    throw new CborError(`length ${argument} exceeds the ${reader.bytes.length} bytes given`);
  }
  return argument;
}

function readItem(reader: Reader, depth: number): CborValue {
  if (depth > MAX_DEPTH) throw new CborError(`nested deeper than ${MAX_DEPTH}`);
  const head = take(reader, 1)[0] as number;
  const major = head >> 5;
  const info = head & 0x1f;
  if (major === 7) return readSimple(info);
  const argument = readArgument(reader, info);
  switch (major) {
    case 0:
      return argument;
    case 1:
      return typeof argument === "bigint" || argument >= Number.MAX_SAFE_INTEGER
        ? -1n - BigInt(argument)
        : -1 - argument;
    case 2:
      // A copy as a plain Uint8Array, whatever view (e.g. a Buffer) the input was.
      return new Uint8Array(take(reader, lengthOf(argument, reader)));
    case 3:
      try {
        return new TextDecoder("utf-8", { fatal: true }).decode(
          take(reader, lengthOf(argument, reader)),
        );
      } catch (error) {
        if (error instanceof CborError) throw error;
        throw new CborError("text string is not UTF-8");
      }
    case 4: {
      const items: CborValue[] = [];
      for (let i = lengthOf(argument, reader); i > 0; i--) items.push(readItem(reader, depth + 1));
      return items;
    }
    case 5: {
      const map = new Map<CborValue, CborValue>();
      for (let i = lengthOf(argument, reader); i > 0; i--) {
        const key = readItem(reader, depth + 1);
        if (map.has(key)) throw new CborError(`duplicate map key ${String(key)}`);
        map.set(key, readItem(reader, depth + 1));
      }
      return map;
    }
    default: {
      if (typeof argument === "bigint") throw new CborError("tag number too large");
      return { tag: argument, value: readItem(reader, depth + 1) };
    }
  }
}

function readSimple(info: number): CborValue {
  switch (info) {
    case 20:
      return false;
    case 21:
      return true;
    case 22:
      return null;
    case 23:
      return undefined;
    case 25:
    case 26:
    case 27:
      throw new CborError("floating-point values are not used here");
    default:
      throw new CborError(`unsupported simple value ${info}`);
  }
}

/** Encodes `value` (maps keep their insertion order; NSM and COSE need no canonical order). */
export function encodeCbor(value: CborValue): Uint8Array {
  const chunks: Uint8Array[] = [];
  writeItem(chunks, value);
  return Buffer.concat(chunks);
}

function head(major: number, argument: number | bigint): Uint8Array {
  const n = BigInt(argument);
  if (n < 0n) throw new CborError("negative length or argument");
  if (n < 24n) return Uint8Array.of((major << 5) | Number(n));
  if (n < 0x100n) return Uint8Array.of((major << 5) | 24, Number(n));
  if (n < 0x10000n) {
    const out = new Uint8Array(3);
    out[0] = (major << 5) | 25;
    new DataView(out.buffer).setUint16(1, Number(n));
    return out;
  }
  if (n < 0x100000000n) {
    const out = new Uint8Array(5);
    out[0] = (major << 5) | 26;
    new DataView(out.buffer).setUint32(1, Number(n));
    return out;
  }
  const out = new Uint8Array(9);
  out[0] = (major << 5) | 27;
  new DataView(out.buffer).setBigUint64(1, n);
  return out;
}

function writeItem(chunks: Uint8Array[], value: CborValue): void {
  if (value === null) chunks.push(Uint8Array.of(0xf6));
  else if (value === undefined) chunks.push(Uint8Array.of(0xf7));
  else if (value === false) chunks.push(Uint8Array.of(0xf4));
  else if (value === true) chunks.push(Uint8Array.of(0xf5));
  else if (typeof value === "number" || typeof value === "bigint") {
    if (typeof value === "number" && !Number.isSafeInteger(value)) {
      throw new CborError(`${value} is not an integer CBOR can carry here`);
    }
    const n = BigInt(value);
    chunks.push(n >= 0n ? head(0, n) : head(1, -1n - n));
  } else if (typeof value === "string") {
    const bytes = new TextEncoder().encode(value);
    chunks.push(head(3, bytes.length), bytes);
  } else if (value instanceof Uint8Array) {
    chunks.push(head(2, value.length), value);
  } else if (Array.isArray(value)) {
    chunks.push(head(4, value.length));
    for (const item of value) writeItem(chunks, item);
  } else if (value instanceof Map) {
    chunks.push(head(5, value.size));
    for (const [key, item] of value) {
      writeItem(chunks, key);
      writeItem(chunks, item);
    }
  } else {
    chunks.push(head(6, value.tag));
    writeItem(chunks, value.value);
  }
}
