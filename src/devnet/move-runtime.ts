import type { BcsType } from "@mysten/sui/bcs";

// How the devnet runs a Move package without a Move VM: each entry function is
// re-implemented in TypeScript against this interface, with its parameters declared so that
// arguments are checked before anything executes, as Sui's validators do.

export type MoveParam =
  // biome-ignore lint/suspicious/noExplicitAny: parameters of every value type share one list
  | { kind: "pure"; name: string; typeName: string; layout: BcsType<any, any> }
  | { kind: "object"; name: string; type: string; mode: "ref" | "mut" | "value" }
  /**
   * A struct value without `key` (e.g. `0x2::nitro_attestation::NitroAttestationDocument`):
   * only another call's result of exactly `type` is accepted, never a pure input, as on
   * Sui, where such a value can only come from the module that defines it.
   */
  | { kind: "value"; name: string; type: string };

export interface MoveFunction {
  /** Declared parameters, without the implicit trailing `&mut TxContext`. */
  params: MoveParam[];
  /** Entry functions may be called from transactions; the devnet calls only these. */
  run(ctx: MoveCallContext, args: MoveArg[]): MoveReturn[] | undefined;
}

export interface MovePackage {
  id: string;
  /** module name → function name → implementation */
  modules: Readonly<Record<string, Readonly<Record<string, MoveFunction>>>>;
  /**
   * Object types declared `has key` without `store`: only their own module may transfer
   * them, so a PTB's TransferObjects refuses them (Sui's InvalidTransferObject).
   */
  keyOnlyTypes?: readonly string[];
  /**
   * Whether the package's error constants are clever errors (`#[error]`), which the chain
   * names in `MoveAbort.clever_error`. Plain `u64` constants (k8s_daas) are reported by
   * module and code only, so clients must map codes to names themselves. Default true.
   */
  cleverErrors?: boolean;
}

/** An argument as a function implementation receives it. */
export type MoveArg = { kind: "pure"; value: unknown; bytes: Uint8Array } | StructValue | ObjectArg;

/** A returned struct value that is no object (see `MoveParam` kind `value`), as its BCS. */
export interface StructValue {
  kind: "value";
  type: string;
  bytes: Uint8Array;
}

export type MoveReturn =
  | { kind: "object"; id: string }
  | { kind: "pure"; bytes: Uint8Array }
  | StructValue;

export interface ObjectArg {
  kind: "object";
  id: string;
  type: string;
  contents(): Uint8Array;
  setContents(contents: Uint8Array): void;
  /** For by-value parameters: the object leaves storage (Move `object::delete`). */
  delete(): void;
  transfer(recipient: string): void;
}

/** A Move abort as the package itself raises it: named constant, numeric code. */
export class MoveAbort extends Error {
  readonly packageId: string;
  readonly module: string;
  readonly functionName: string;
  readonly code: number;
  readonly constantName: string;

  constructor(
    packageId: string,
    module: string,
    functionName: string,
    code: number,
    constantName: string,
  ) {
    super(`${module}::${functionName} aborted with ${constantName} (code ${code})`);
    this.name = "MoveAbort";
    this.packageId = packageId;
    this.module = module;
    this.functionName = functionName;
    this.code = code;
    this.constantName = constantName;
  }
}

export interface MoveCallContext {
  readonly sender: string;
  readonly txDigest: string;
  readonly packageId: string;
  readonly module: string;
  readonly functionName: string;
  /** The devnet's `0x2::clock::Clock` value (ms). */
  readonly clockMs: number;
  /**
   * Raises the named error constant of `module` (which may differ from the called module)
   * from `functionName` of that module: the Move function whose `assert!` fails, as the
   * chain reports the abort's location (the called function when omitted).
   */
  abort(module: string, code: number, constantName: string, functionName?: string): never;
  emit(module: string, structName: string, contents: Uint8Array): void;
  /** Creates an object; `contents` must start with its 32-byte UID, use `newId` first. */
  newId(): string;
  createObject(
    id: string,
    type: string,
    contents: Uint8Array,
    owner: { kind: "address"; address: string } | { kind: "shared" },
  ): void;
  readObject(id: string): { type: string; contents: Uint8Array } | undefined;
  writeObject(id: string, contents: Uint8Array): void;
  /** Dynamic fields (Move `Table` entries) under a parent object id. */
  getField(parent: string, name: Uint8Array): Uint8Array | undefined;
  setField(parent: string, name: Uint8Array, value: Uint8Array): void;
  removeField(parent: string, name: Uint8Array): void;
  /** Creates a `Coin<SUI>` of `amount` owned by `recipient` (e.g. a refund). */
  payCoin(recipient: string, amount: bigint): string;
}
