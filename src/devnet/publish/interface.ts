import { normalizeSuiAddress } from "@mysten/sui/utils";
import type { MovePackage, MoveParam } from "../move-runtime.ts";
import { type ModuleInterface, readModuleInterface } from "./bytecode.ts";

// The devnet runs no Move VM, so it can only host a published package it already implements
// in TypeScript. It accepts a Publish when the bytecode declares exactly the twin's modules
// and, for every function the twin runs, a function of the same name taking the same
// parameter types (references and struct types included; the trailing TxContext aside). A
// package that differs in a module name, a missing function, or one changed parameter type
// is refused. Function bodies and visibility are not compared: the devnet cannot run the
// bytecode's code either way, it runs the twin's rules.

/** Why a publish was refused; `kind` names the execution error Sui reports for it. */
export class PublishRefusal extends Error {
  readonly kind: "verification" | "nonZeroAddress" | "missingDependency";
  constructor(kind: PublishRefusal["kind"], message: string) {
    super(message);
    this.name = "PublishRefusal";
    this.kind = kind;
  }
}

const ZERO = "0".repeat(64);
const TX_CONTEXT = `0x${"0".repeat(63)}2::tx_context::TxContext`;
/** A pure `ID` argument has an address's BCS: the twin declares both as `address`. */
const OBJECT_ID = `0x${"0".repeat(63)}2::object::ID`;
/** Sui's framework packages a k8s_daas build links against. */
export const REQUIRED_DEPENDENCIES: readonly string[] = ["0x1", "0x2"].map((id) =>
  normalizeSuiAddress(id),
);

/** Throws a PublishRefusal unless `modules` are the package `twin` implements. */
export function checkAgainstTwin(
  modules: readonly Uint8Array[],
  dependencies: readonly string[],
  twin: MovePackage,
): void {
  const declared = new Set(dependencies.map((id) => normalizeSuiAddress(id)));
  for (const dependency of REQUIRED_DEPENDENCIES) {
    if (!declared.has(dependency)) {
      throw new PublishRefusal(
        "missingDependency",
        `the package links against ${dependency}, which the transaction does not list as a dependency`,
      );
    }
  }
  const interfaces = new Map<string, ModuleInterface>();
  for (const bytes of modules) {
    let module: ModuleInterface;
    try {
      module = readModuleInterface(bytes);
    } catch (error) {
      throw new PublishRefusal(
        "verification",
        `a module cannot be deserialized: ${error instanceof Error ? error.message : error}`,
      );
    }
    if (module.address !== ZERO) {
      throw new PublishRefusal(
        "nonZeroAddress",
        `module ${module.name} is compiled for address 0x${module.address}; a published module's self address must be 0x0`,
      );
    }
    if (interfaces.has(module.name)) {
      throw new PublishRefusal("verification", `module ${module.name} appears twice`);
    }
    interfaces.set(module.name, module);
  }
  const expected = Object.keys(twin.modules).sort();
  const got = [...interfaces.keys()].sort();
  if (expected.join(",") !== got.join(",")) {
    throw new PublishRefusal(
      "verification",
      `the package's modules (${got.join(", ")}) are not those of k8s_daas (${expected.join(", ")}); the devnet hosts only packages it implements`,
    );
  }
  const selfId = normalizeSuiAddress(twin.id);
  for (const [moduleName, functions] of Object.entries(twin.modules)) {
    const module = interfaces.get(moduleName) as ModuleInterface;
    for (const [name, fn] of Object.entries(functions)) {
      const declaredParams = module.functions.get(name);
      if (!declaredParams) {
        throw new PublishRefusal(
          "verification",
          `${moduleName}::${name} is missing from the package; k8s_daas declares it`,
        );
      }
      const params = withoutTxContext(declaredParams).map((type) =>
        type.replaceAll(OBJECT_ID, "address"),
      );
      const wanted = fn.params.map((param) => moveType(param, selfId));
      const same =
        params.length === wanted.length &&
        params.every(
          (type, index) =>
            type === wanted[index] ||
            // A PTB's pure argument may be passed to `&T` as well as to `T`.
            (fn.params[index]?.kind === "pure" && type === `&${wanted[index]}`),
        );
      if (!same) {
        throw new PublishRefusal(
          "verification",
          `${moduleName}::${name} takes (${params.join(", ")}); k8s_daas declares (${wanted.join(", ")})`,
        );
      }
    }
  }
}

function withoutTxContext(params: readonly string[]): string[] {
  const last = params.at(-1);
  return last === `&mut ${TX_CONTEXT}` || last === `&${TX_CONTEXT}`
    ? params.slice(0, -1)
    : [...params];
}

/** The twin's parameter as the bytecode spells it, the twin's own id read as 0x0. */
function moveType(param: MoveParam, selfId: string): string {
  if (param.kind === "object") {
    const type = param.type.replaceAll(selfId, `0x${ZERO}`);
    return param.mode === "ref" ? `&${type}` : param.mode === "mut" ? `&mut ${type}` : type;
  }
  if (param.kind === "value") return param.type;
  return bcsNameToMove(param.typeName);
}

const FRAMEWORK_1 = `0x${"0".repeat(63)}1`;

/** BCS schema names (`@mysten/bcs`) to Move types: `string`, `bytes[32]`, `Option<T>`, `vector<T>`. */
function bcsNameToMove(name: string): string {
  if (name === "string") return `${FRAMEWORK_1}::string::String`;
  if (name === "bytes[32]") return "address";
  const generic = /^(vector|Option)<(.*)>$/.exec(name);
  if (generic) {
    const inner = bcsNameToMove(generic[2] as string);
    return generic[1] === "vector"
      ? `vector<${inner}>`
      : `${FRAMEWORK_1}::option::Option<${inner}>`;
  }
  return name;
}
