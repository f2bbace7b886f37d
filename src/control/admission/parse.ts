// Bytes → one plain JSON-like mapping, or a rejection. The only place tenant bytes are
// interpreted: everything after works on the plain value this returns. JSON is parsed as
// YAML 1.2 (of which it is a subset), so both formats go through the same limits.
import {
  type Alias,
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseAllDocuments,
  type YAMLError,
} from "yaml";
import { type AdmissionErrorCode, accept, type Checked, refuse, rejection } from "./errors.ts";
import { type FieldPath, formatPath } from "./field-path.ts";
import { flowNestingDepth } from "./nesting-scan.ts";
import type { AdmissionPolicy } from "./policy.ts";
import type { Mapping } from "./values.ts";

/** Tags of the YAML 1.2 core schema; anything else (`!!binary`, `!custom`) is refused. */
const CORE_TAGS = new Set(
  ["str", "int", "float", "bool", "null", "map", "seq"].map((name) => `tag:yaml.org,2002:${name}`),
);

// `__proto__` as a key would reach Object.prototype through plain assignment.
const FORBIDDEN_KEYS = new Set(["__proto__"]);

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Characters YAML 1.2 does not allow in a stream (the parser is lenient about them, the
 * Kubernetes API server's is not): C0 and C1 controls other than tab, newlines and NEL,
 * and the non-characters U+FFFE and U+FFFF.
 */
const NON_PRINTABLE = /[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

export type Decoded =
  | { kind: "empty" } // only whitespace or comments: callers decide if that is allowed
  | { kind: "mapping"; value: Mapping };

/** Decodes a payload under the policy's limits. Throws only on a parser bug (`admit` reports that as ADMISSION_INTERNAL). */
export function decodePayload(payload: Uint8Array, policy: AdmissionPolicy): Checked<Decoded> {
  if (payload.length > policy.maxManifestBytes) {
    return refuse(
      rejection(
        "ADMISSION_PAYLOAD_TOO_LARGE",
        `${payload.length} bytes, at most ${policy.maxManifestBytes}`,
      ),
    );
  }
  let text: string;
  try {
    text = utf8.decode(payload);
  } catch {
    return refuse(rejection("ADMISSION_PAYLOAD_ENCODING", "invalid byte sequence"));
  }
  try {
    return decodeText(text, policy);
  } catch (error) {
    // The parser recurses per nesting level; a stack overflow is just another bomb.
    if (error instanceof RangeError) {
      return refuse(rejection("ADMISSION_YAML_TOO_DEEP", "the parser ran out of stack"));
    }
    throw error;
  }
}

function decodeText(text: string, policy: AdmissionPolicy): Checked<Decoded> {
  const unprintable = NON_PRINTABLE.exec(text);
  if (unprintable !== null) {
    const { line, col } = positionOf(text, unprintable.index);
    const codePoint = unprintable[0].codePointAt(0) ?? 0;
    return refuse(
      rejection(
        "ADMISSION_YAML_SYNTAX",
        `non-printable character U+${codePoint.toString(16).toUpperCase().padStart(4, "0")} at line ${line}, column ${col}`,
      ),
    );
  }
  if (flowNestingDepth(text, policy.maxDepth) > policy.maxDepth) {
    return refuse(
      rejection("ADMISSION_YAML_TOO_DEEP", `brackets nested deeper than ${policy.maxDepth} levels`),
    );
  }
  const lines = new LineCounter();
  const parsed = parseAllDocuments(text, {
    version: "1.2",
    schema: "core",
    merge: false,
    uniqueKeys: true,
    customTags: [],
    intAsBigInt: false,
    lineCounter: lines,
    prettyErrors: true,
  });
  const documents = Array.isArray(parsed) ? parsed : [];
  if (documents.length > 1) {
    return refuse(
      rejection("ADMISSION_YAML_MULTIPLE_DOCUMENTS", `found ${documents.length} documents`),
    );
  }
  const document = documents[0];
  if (document === undefined) return accept({ kind: "empty" });

  const broken = document.errors[0];
  if (broken !== undefined) {
    return refuse(rejection(codeOfParseError(broken), describeProblem(broken)));
  }
  if (document.directives.yaml.version !== "1.2") {
    return refuse(
      rejection("ADMISSION_YAML_VERSION", `%YAML ${document.directives.yaml.version} directive`),
    );
  }
  // Warnings are things the parser guessed around (unknown tags, odd directives): refuse.
  const warning = document.warnings[0];
  if (warning !== undefined) {
    const code =
      warning.code === "TAG_RESOLVE_FAILED" ? "ADMISSION_YAML_TAG" : "ADMISSION_YAML_SYNTAX";
    return refuse(rejection(code, describeProblem(warning)));
  }

  const root = document.contents;
  if (root === null || (isScalar(root) && root.value === null && root.tag === undefined)) {
    return accept({ kind: "empty" });
  }
  const converted = new PlainConverter(document, lines, policy).convert(root, [], 0);
  if (!converted.ok) return converted;
  const value = converted.value;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return refuse(rejection("ADMISSION_MANIFEST_NOT_MAPPING", `the document is ${kindOf(value)}`));
  }
  return accept({ kind: "mapping", value: value as Mapping });
}

function codeOfParseError(error: YAMLError): AdmissionErrorCode {
  if (error.code === "DUPLICATE_KEY") return "ADMISSION_YAML_DUPLICATE_KEY";
  // The parser catches its own stack overflow and reports it as a syntax error.
  if (error.message.includes("call stack")) return "ADMISSION_YAML_TOO_DEEP";
  return "ADMISSION_YAML_SYNTAX";
}

/** The parser's one-line message with its position: `Map keys must be unique at line 2, column 1`. */
function describeProblem(problem: YAMLError): string {
  const firstLine = problem.message.split("\n")[0] || problem.code;
  const what = firstLine.replace(/ at line \d+, column \d+:?$/, "");
  const at = problem.linePos?.[0];
  return at ? `${what} at line ${at.line}, column ${at.col}` : what;
}

function positionOf(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf("\n") + 1;
  return { line: before.split("\n").length, col: offset - lineStart + 1 };
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return "a sequence";
  if (value === null) return "null";
  return `a ${typeof value}`;
}

/** Walks the document's nodes once, checking limits while building plain values. */
class PlainConverter {
  readonly #document: Document.Parsed;
  readonly #lines: LineCounter;
  readonly #policy: AdmissionPolicy;
  #aliases = 0;

  constructor(document: Document.Parsed, lines: LineCounter, policy: AdmissionPolicy) {
    this.#document = document;
    this.#lines = lines;
    this.#policy = policy;
  }

  convert(node: unknown, path: FieldPath, depth: number): Checked<unknown> {
    if (node === null || node === undefined) return accept(null); // `key:` with no value
    if (isAlias(node)) return this.#alias(node, path, depth);
    const tag = (node as Node).tag;
    if (tag !== undefined && !CORE_TAGS.has(tag)) {
      return refuse(rejection("ADMISSION_YAML_TAG", `${tag} ${this.#where(node, path)}`));
    }
    if (isScalar(node)) return this.#scalar(node.value, node, path);
    if (isMap(node) || isSeq(node)) {
      if (depth + 1 > this.#policy.maxDepth) {
        return refuse(
          rejection(
            "ADMISSION_YAML_TOO_DEEP",
            `deeper than ${this.#policy.maxDepth} levels ${this.#where(node, path)}`,
          ),
        );
      }
      return isMap(node)
        ? this.#pairs(node.items, node, path, depth + 1)
        : this.#sequence(node.items, path, depth + 1);
    }
    return refuse(rejection("ADMISSION_YAML_SYNTAX", `unsupported node ${formatPath(path)}`));
  }

  #alias(node: Alias, path: FieldPath, depth: number): Checked<unknown> {
    this.#aliases += 1;
    if (this.#aliases > this.#policy.maxAliases) {
      return refuse(
        rejection(
          "ADMISSION_YAML_ALIAS",
          `at most ${this.#policy.maxAliases} allowed ${this.#where(node, path)}`,
        ),
      );
    }
    const target = node.resolve(this.#document);
    if (target === undefined) {
      return refuse(rejection("ADMISSION_YAML_SYNTAX", `unresolved alias ${formatPath(path)}`));
    }
    // Depth keeps counting through the alias, so a self-referencing anchor ends too.
    return this.convert(target, path, depth);
  }

  #scalar(value: unknown, node: unknown, path: FieldPath): Checked<unknown> {
    if (typeof value === "string" || typeof value === "boolean" || value === null) {
      return accept(value);
    }
    if (typeof value === "number") {
      if (!Number.isFinite(value) || (Number.isInteger(value) && !Number.isSafeInteger(value))) {
        return refuse(
          rejection("ADMISSION_YAML_NUMBER", `${String(value)} ${this.#where(node, path)}`),
        );
      }
      return accept(value);
    }
    return refuse(rejection("ADMISSION_YAML_TAG", `non-core value ${this.#where(node, path)}`));
  }

  #pairs(items: readonly unknown[], node: unknown, path: FieldPath, depth: number) {
    const mapping: Mapping = {};
    for (const item of items) {
      if (!isPair(item)) {
        return refuse(rejection("ADMISSION_YAML_SYNTAX", `bad mapping ${this.#where(node, path)}`));
      }
      const key = item.key;
      if (!isScalar(key) || typeof key.value !== "string" || FORBIDDEN_KEYS.has(key.value)) {
        return refuse(
          rejection(
            "ADMISSION_YAML_KEY",
            `key ${isScalar(key) ? (JSON.stringify(key.value) ?? "") : "(collection)"} ${this.#where(key ?? node, path)}`,
          ),
        );
      }
      const keyTag = key.tag;
      if (keyTag !== undefined && !CORE_TAGS.has(keyTag)) {
        return refuse(rejection("ADMISSION_YAML_TAG", `${keyTag} ${this.#where(key, path)}`));
      }
      const childPath = [...path, key.value];
      const value = this.convert(item.value, childPath, depth);
      if (!value.ok) return value;
      mapping[key.value] = value.value;
    }
    return accept(mapping);
  }

  #sequence(items: readonly unknown[], path: FieldPath, depth: number): Checked<unknown> {
    const list: unknown[] = [];
    for (const [index, item] of items.entries()) {
      // `[a: b]` is a sequence holding the one-pair mapping {a: b}.
      const value = isPair(item)
        ? this.#pairs([item], item, [...path, index], depth + 1)
        : this.convert(item, [...path, index], depth);
      if (!value.ok) return value;
      list.push(value.value);
    }
    return accept(list);
  }

  /** `at line 3, column 7 (spec.containers[0])`, from the node's source offset. */
  #where(node: unknown, path: FieldPath): string {
    const range = (node as { range?: readonly number[] } | null)?.range;
    const offset = range?.[0];
    const location = formatPath(path);
    if (offset === undefined) return `at ${location}`;
    const { line, col } = this.#lines.linePos(offset);
    return `at line ${line}, column ${col} (${location})`;
  }
}
