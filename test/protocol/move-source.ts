// Reads declarations out of move/sources so tests can check src/protocol/ against them:
// struct fields and public function parameters, with their Move types.
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const MOVE_SOURCES = join(import.meta.dirname, "..", "..", "move", "sources");

export interface MoveField {
  name: string;
  type: string;
}

export function readModule(module: string): string {
  // Line comments may contain parentheses or braces; drop them before parsing.
  return readFileSync(join(MOVE_SOURCES, `${module}.move`), "utf8").replace(/\/\/.*$/gm, "");
}

function splitParams(list: string): MoveField[] {
  const fields: MoveField[] = [];
  let depth = 0;
  let current = "";
  for (const ch of `${list},`) {
    if (ch === "<") depth++;
    if (ch === ">") depth--;
    if (ch === "," && depth === 0) {
      const [name, ...type] = current.split(":");
      if (name?.trim()) fields.push({ name: name.trim(), type: type.join(":").trim() });
      current = "";
    } else {
      current += ch;
    }
  }
  return fields;
}

/** Fields of `public struct <name> ... { ... }` in `module`. */
export function structFields(module: string, name: string): MoveField[] {
  const match = new RegExp(`public struct ${name}(?:<[^>]*>)? has [^{]*\\{([^}]*)\\}`).exec(
    readModule(module),
  );
  if (!match) throw new Error(`no struct ${module}::${name}`);
  return splitParams(match[1] as string);
}

/** Names of `public struct`s with `copy, drop` in `module` (events and payloads). */
export function copyDropStructs(module: string): string[] {
  return [...readModule(module).matchAll(/public struct (\w+)(?:<[^>]*>)? has copy, drop \{/g)].map(
    (m) => m[1] as string,
  );
}

export interface MoveFunction {
  module: string;
  name: string;
  entry: boolean;
  params: MoveField[];
}

/** Every `public [entry] fun` of `module` with its parameters. */
export function publicFunctions(module: string): MoveFunction[] {
  const text = readModule(module);
  return [...text.matchAll(/public (entry )?fun (\w+)(?:<[^>]*>)?\(([^)]*)\)/g)].map((m) => ({
    module,
    name: m[2] as string,
    entry: m[1] !== undefined,
    params: splitParams(m[3] as string),
  }));
}

/** The BCS type name `@mysten/bcs` gives the schema for a Move value type. */
export function bcsNameOf(moveType: string): string {
  const names: Record<string, string> = {
    ID: "bytes[32]",
    address: "bytes[32]",
    String: "string",
    "vector<u8>": "vector<u8>",
    "vector<vector<u8>>": "vector<vector<u8>>",
    u8: "u8",
    u16: "u16",
    u32: "u32",
    u64: "u64",
    u128: "u128",
    bool: "bool",
    "vector<String>": "vector<string>",
    "vector<u128>": "vector<u128>",
  };
  const name = names[moveType];
  if (!name) throw new Error(`no BCS mapping for Move type ${moveType}`);
  return name;
}
