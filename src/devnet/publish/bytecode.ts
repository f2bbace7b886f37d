// Enough of the Move binary format to compare a compiled module's interface with the
// package the devnet implements: the module's own name and address, and every function
// handle with its parameter types. Layout: magic, version, table headers (kind, offset,
// length), table contents, then the index of the module's own handle. Function bodies are
// not read (their code is variable-length and the devnet runs TypeScript twins instead).

const MAGIC = 0xa11ceb0b;
const TABLE = {
  moduleHandles: 0x1,
  datatypeHandles: 0x2,
  functionHandles: 0x3,
  signatures: 0x5,
  identifiers: 0x7,
  addressIdentifiers: 0x8,
} as const;
const ADDRESS_BYTES = 32;

/** Bytes that are not a Move module this reader understands (Sui: a deserialization error). */
export class ModuleFormatError extends Error {
  readonly code = "MOVE_MODULE_FORMAT";
  constructor(message: string) {
    super(message);
    this.name = "ModuleFormatError";
  }
}

export interface ModuleInterface {
  /** The module's own address, hex without 0x (all zeros before publishing). */
  address: string;
  name: string;
  /** Functions declared by this module: name → parameter types as Move source spells them. */
  functions: Map<string, string[]>;
}

class Reader {
  offset: number;
  readonly bytes: Uint8Array;
  readonly end: number;
  constructor(bytes: Uint8Array, offset: number, end = bytes.length) {
    this.bytes = bytes;
    this.offset = offset;
    this.end = end;
  }
  byte(): number {
    if (this.offset >= this.end) throw new ModuleFormatError("unexpected end of a table");
    return this.bytes[this.offset++] as number;
  }
  uleb(): number {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte();
      value += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return value;
    }
    throw new ModuleFormatError("ULEB128 value too long");
  }
  take(length: number): Uint8Array {
    if (this.offset + length > this.end) throw new ModuleFormatError("unexpected end of a table");
    const slice = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return slice;
  }
  more(): boolean {
    return this.offset < this.end;
  }
}

/** Reads a module's name, address and function signatures. */
export function readModuleInterface(bytes: Uint8Array): ModuleInterface {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 8 || view.getUint32(0, false) !== MAGIC) {
    throw new ModuleFormatError("not a Move module (bad magic)");
  }
  const header = new Reader(bytes, 8);
  const count = header.uleb();
  const headers: { kind: number; offset: number; length: number }[] = [];
  for (let i = 0; i < count; i++) {
    headers.push({ kind: header.byte(), offset: header.uleb(), length: header.uleb() });
  }
  let contentEnd = header.offset;
  const table = (kind: number): Reader | undefined => {
    const found = headers.find((h) => h.kind === kind);
    if (!found) return undefined;
    return new Reader(
      bytes,
      header.offset + found.offset,
      header.offset + found.offset + found.length,
    );
  };
  for (const h of headers) contentEnd = Math.max(contentEnd, header.offset + h.offset + h.length);

  const identifiers = readAll(table(TABLE.identifiers), (r) =>
    new TextDecoder().decode(r.take(r.uleb())),
  );
  const addresses = readAll(table(TABLE.addressIdentifiers), (r) =>
    Buffer.from(r.take(ADDRESS_BYTES)).toString("hex"),
  );
  const modules = readAll(table(TABLE.moduleHandles), (r) => ({
    address: at(addresses, r.uleb(), "address"),
    name: at(identifiers, r.uleb(), "identifier"),
  }));
  const datatypes = readAll(table(TABLE.datatypeHandles), (r) => {
    const module = at(modules, r.uleb(), "module handle");
    const name = at(identifiers, r.uleb(), "identifier");
    r.byte(); // abilities
    const typeParams = r.uleb();
    for (let i = 0; i < typeParams; i++) r.take(2); // constraints, is_phantom
    return `0x${module.address}::${module.name}::${name}`;
  });
  const signatures = readAll(table(TABLE.signatures), (r) => {
    const length = r.uleb();
    const tokens: string[] = [];
    for (let i = 0; i < length; i++) tokens.push(readToken(r, datatypes));
    return tokens;
  });
  const self = at(modules, new Reader(bytes, contentEnd).uleb(), "module handle");
  const functions = new Map<string, string[]>();
  readAll(table(TABLE.functionHandles), (r) => {
    const module = at(modules, r.uleb(), "module handle");
    const name = at(identifiers, r.uleb(), "identifier");
    const params = at(signatures, r.uleb(), "signature");
    r.uleb(); // return signature
    r.take(r.uleb()); // type parameter ability sets, one byte each
    if (module === self) functions.set(name, params);
    return undefined;
  });
  return { address: self.address, name: self.name, functions };
}

function readAll<T>(reader: Reader | undefined, read: (r: Reader) => T): T[] {
  const items: T[] = [];
  while (reader?.more()) items.push(read(reader));
  return items;
}

function at<T>(items: readonly T[], index: number, what: string): T {
  const item = items[index];
  if (item === undefined) throw new ModuleFormatError(`${what} index ${index} out of range`);
  return item;
}

const PRIMITIVES: Readonly<Record<number, string>> = {
  1: "bool",
  2: "u8",
  3: "u64",
  4: "u128",
  5: "address",
  12: "signer",
  13: "u16",
  14: "u32",
  15: "u256",
};

/** One signature token, spelled as in Move source with full addresses (`&mut 0x…::m::T`). */
function readToken(r: Reader, datatypes: readonly string[]): string {
  const tag = r.byte();
  const primitive = PRIMITIVES[tag];
  if (primitive) return primitive;
  switch (tag) {
    case 0x6:
      return `&${readToken(r, datatypes)}`;
    case 0x7:
      return `&mut ${readToken(r, datatypes)}`;
    case 0x8:
      return at(datatypes, r.uleb(), "datatype handle");
    case 0x9:
      return `T${r.uleb()}`;
    case 0xa:
      return `vector<${readToken(r, datatypes)}>`;
    case 0xb: {
      const base = at(datatypes, r.uleb(), "datatype handle");
      const count = r.uleb();
      const args: string[] = [];
      for (let i = 0; i < count; i++) args.push(readToken(r, datatypes));
      return `${base}<${args.join(", ")}>`;
    }
    default:
      throw new ModuleFormatError(`unknown signature token 0x${tag.toString(16)}`);
  }
}
