// Just enough of the Move binary format to read a compiled module's identifier pool and
// its own name: enough to name .mv files and check that entry-point names survived
// compilation. Layout: magic, version, table headers (kind, offset, length), table
// contents, then the self module handle index.

const MAGIC = 0xa11ceb0b;
const TABLE_MODULE_HANDLES = 0x1;
const TABLE_IDENTIFIERS = 0x7;

/** Thrown on bytes that are not a Move module this reader understands. */
export class BytecodeFormatError extends Error {
  readonly code = "MOVE_BYTECODE_FORMAT";
  constructor(message: string) {
    super(message);
    this.name = "BytecodeFormatError";
  }
}

class Cursor {
  offset: number;
  readonly bytes: Uint8Array;
  constructor(bytes: Uint8Array, offset = 0) {
    this.bytes = bytes;
    this.offset = offset;
  }
  byte(): number {
    const b = this.bytes[this.offset++];
    if (b === undefined) throw new BytecodeFormatError("unexpected end of module");
    return b;
  }
  uleb(): number {
    let value = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      value += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return value;
      shift += 7;
    }
  }
}

interface Table {
  offset: number;
  length: number;
}

function readTables(bytes: Uint8Array): { tables: Map<number, Table>; end: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 8 || view.getUint32(0, false) !== MAGIC) {
    throw new BytecodeFormatError("not a Move module (bad magic)");
  }
  const cursor = new Cursor(bytes, 8);
  const count = cursor.uleb();
  const tables = new Map<number, Table>();
  for (let i = 0; i < count; i++) {
    const kind = cursor.byte();
    tables.set(kind, { offset: cursor.uleb(), length: cursor.uleb() });
  }
  const contentStart = cursor.offset;
  let end = contentStart;
  for (const table of tables.values()) {
    table.offset += contentStart;
    end = Math.max(end, table.offset + table.length);
  }
  return { tables, end };
}

/** Every identifier in the module's identifier pool. */
export function identifiers(bytes: Uint8Array): string[] {
  const { tables } = readTables(bytes);
  const table = tables.get(TABLE_IDENTIFIERS);
  if (!table) return [];
  const cursor = new Cursor(bytes, table.offset);
  const names: string[] = [];
  const decoder = new TextDecoder();
  while (cursor.offset < table.offset + table.length) {
    const len = cursor.uleb();
    names.push(decoder.decode(bytes.subarray(cursor.offset, cursor.offset + len)));
    cursor.offset += len;
  }
  return names;
}

/** The module's own name (identifier of its self module handle). */
export function moduleName(bytes: Uint8Array): string {
  const { tables, end } = readTables(bytes);
  const handles = tables.get(TABLE_MODULE_HANDLES);
  if (!handles) throw new BytecodeFormatError("module has no module handles");
  const selfIndex = new Cursor(bytes, end).uleb();
  const cursor = new Cursor(bytes, handles.offset);
  let nameIndex = -1;
  for (let i = 0; i <= selfIndex; i++) {
    cursor.uleb(); // address index
    nameIndex = cursor.uleb();
  }
  const name = identifiers(bytes)[nameIndex];
  if (name === undefined) throw new BytecodeFormatError("self module name out of range");
  return name;
}

/** Names from `wanted` that appear in no module's identifier pool. */
export function missingIdentifiers(modules: Uint8Array[], wanted: readonly string[]): string[] {
  const present = new Set(modules.flatMap(identifiers));
  return wanted.filter((name) => !present.has(name));
}
