import { type GrpcTypes, GrpcTypes as Proto } from "@mysten/sui/grpc";
import { normalizeStructTag, normalizeSuiAddress } from "@mysten/sui/utils";
import {
  computationCost,
  MAX_GAS_BUDGET,
  MAX_PURE_ARGUMENT_BYTES,
  minimumBudget,
  REFERENCE_GAS_PRICE,
  storageCost,
} from "./gas.ts";
import { failedPrecondition, invalidArgument } from "./grpc/status.ts";
import {
  MoveAbort,
  type MoveArg,
  type MoveCallContext,
  type MoveFunction,
  type MovePackage,
  type MoveReturn,
  type ObjectArg,
} from "./move-runtime.ts";
import {
  coinBalance,
  coinContents,
  deriveObjectId,
  type StoredObject,
  SUI_COIN_TYPE,
} from "./objects.ts";
import { PublishRefusal } from "./publish/interface.ts";
import { type PublishableTwin, publishPackage } from "./publish/publish-command.ts";
import type { LedgerStore } from "./store.ts";
import type { Arg, TxCommand, TxData } from "./transaction-data.ts";
import { WorkingSet } from "./working-set.ts";

export interface PendingEvent {
  packageId: string;
  module: string;
  sender: string;
  type: string;
  contents: Uint8Array;
}

export interface ExecutionOutcome {
  digest: string;
  tx: TxData;
  success: boolean;
  error?: GrpcTypes.ExecutionError;
  working: WorkingSet;
  events: PendingEvent[];
  /** Per command, the BCS of the pure values it returned (what simulation reports). */
  returnValues: Uint8Array[][];
  gasCoinId: string;
  computationCost: bigint;
  storageCost: bigint;
  lamportVersion: number;
  /** Ids of the packages the transaction published (none when it failed). */
  published: string[];
}

type Value =
  | { kind: "object"; id: string }
  | { kind: "pure"; bytes: Uint8Array }
  | { kind: "value"; type: string; bytes: Uint8Array };

/** A command failed without a Move abort (bad argument at run time, unused value, ...). */
class CommandFailure extends Error {
  readonly kind: GrpcTypes.ExecutionError_ExecutionErrorKind;
  constructor(kind: GrpcTypes.ExecutionError_ExecutionErrorKind, message: string) {
    super(message);
    this.kind = kind;
  }
}

/**
 * Runs programmable transactions against the ledger's state the way Sui does: validate
 * everything that can be checked up front (a failure there rejects the transaction with no
 * state change), then execute the commands; a failure during execution reverts every effect
 * but the gas charge.
 */
export class Executor {
  readonly #store: LedgerStore;
  readonly #packages = new Map<string, MovePackage>();
  readonly #keyOnlyTypes = new Set<string>();
  /** Packages whose aborts the chain reports by code only (no clever error). */
  readonly #plainAborts = new Set<string>();
  /** What a Publish may publish; without it the devnet refuses every Publish. */
  readonly #publishable: PublishableTwin | undefined;

  constructor(store: LedgerStore, packages: readonly MovePackage[], publishable?: PublishableTwin) {
    this.#store = store;
    this.#publishable = publishable;
    for (const pkg of packages) this.register(pkg);
  }

  /** Serves a package's functions from now on (at genesis, or once its Publish commits). */
  register(pkg: MovePackage): void {
    this.#packages.set(normalizeSuiAddress(pkg.id), normalizeTypes(pkg));
    for (const type of pkg.keyOnlyTypes ?? []) this.#keyOnlyTypes.add(normalizeStructTag(type));
    if (pkg.cleverErrors === false) this.#plainAborts.add(normalizeSuiAddress(pkg.id));
  }

  /** Serves the package a committed Publish created at `packageId`. */
  hostPublished(packageId: string): void {
    if (!this.#publishable) throw new Error(`no publishable package to host at ${packageId}`);
    this.register(this.#publishable.instantiate(packageId));
  }

  /** Looks up a function, for argument resolution during simulation. */
  functionOf(pkg: string, module: string, name: string): MoveFunction | undefined {
    return this.#packages.get(normalizeSuiAddress(pkg))?.modules[module]?.[name];
  }

  /** Rejects what a validator would refuse to sign. Throws a gRPC status error. */
  validate(tx: TxData): void {
    this.#validateGas(tx);
    const seen = new Set<string>(tx.gas.payment.map((ref) => ref.id));
    tx.inputs.forEach((input, index) => {
      if (input.kind === "pure") {
        if (input.bytes.length > MAX_PURE_ARGUMENT_BYTES) {
          throw invalidArgument(
            `input ${index} is ${input.bytes.length} bytes; a pure argument may be at most ${MAX_PURE_ARGUMENT_BYTES} bytes`,
          );
        }
        return;
      }
      if (input.kind === "unresolved") throw invalidArgument(`input ${index} is not resolved`);
      if (seen.has(input.id)) {
        throw invalidArgument(`object ${input.id} is used twice (input ${index} or gas)`);
      }
      seen.add(input.id);
      const object = this.#store.getObject(input.id);
      if (!object) throw invalidArgument(`input ${index}: object ${input.id} does not exist`);
      if (input.kind === "owned") {
        if (object.owner.kind === "shared") {
          throw invalidArgument(`input ${index}: object ${input.id} is shared, not owned`);
        }
        if (object.owner.kind === "address" && object.owner.address !== tx.sender) {
          throw invalidArgument(
            `input ${index}: object ${input.id} is owned by ${object.owner.address}, not the sender`,
          );
        }
        if (object.version !== input.version || object.digest !== input.digest) {
          throw failedPrecondition(
            `input ${index}: object ${input.id} is at version ${object.version}, the transaction names version ${input.version}; rebuild it`,
          );
        }
      } else if (object.owner.kind !== "shared") {
        throw invalidArgument(`input ${index}: object ${input.id} is not shared`);
      } else if (object.owner.initialVersion !== input.initialVersion) {
        throw invalidArgument(
          `input ${index}: object ${input.id} was shared at version ${object.owner.initialVersion}, not ${input.initialVersion}`,
        );
      }
    });
    tx.commands.forEach((command, index) => {
      this.#validateCommand(tx, command, index);
    });
  }

  #validateGas(tx: TxData): void {
    const { gas } = tx;
    if (gas.payment.length === 0) {
      throw invalidArgument(
        "the transaction names no gas coins; paying gas from an address balance is not supported by the devnet",
      );
    }
    const price = gas.price ?? 0n;
    const budget = gas.budget ?? 0n;
    if (price < REFERENCE_GAS_PRICE) {
      throw invalidArgument(
        `gas price ${price} is below the reference gas price ${REFERENCE_GAS_PRICE}`,
      );
    }
    if (budget < minimumBudget(price)) {
      throw invalidArgument(`gas budget ${budget} is below the minimum ${minimumBudget(price)}`);
    }
    if (budget > MAX_GAS_BUDGET) {
      throw invalidArgument(`gas budget ${budget} is above the maximum ${MAX_GAS_BUDGET}`);
    }
    let balance = 0n;
    for (const ref of gas.payment) {
      const coin = this.#store.getObject(ref.id);
      if (!coin) throw invalidArgument(`gas coin ${ref.id} does not exist`);
      if (coin.type !== SUI_COIN_TYPE)
        throw invalidArgument(`gas object ${ref.id} is not a SUI coin`);
      if (coin.owner.kind !== "address" || coin.owner.address !== gas.owner) {
        throw invalidArgument(`gas coin ${ref.id} is not owned by the gas owner ${gas.owner}`);
      }
      if (coin.version !== ref.version || coin.digest !== ref.digest) {
        throw failedPrecondition(
          `gas coin ${ref.id} is at version ${coin.version}, the transaction names version ${ref.version}; rebuild it`,
        );
      }
      balance += coinBalance(coin);
    }
    if (balance < budget) {
      throw invalidArgument(
        `insufficient gas: the gas coins hold ${balance} MIST, the budget is ${budget} MIST`,
      );
    }
  }

  #validateCommand(tx: TxData, command: TxCommand, index: number): void {
    if (command.kind === "unsupported") {
      throw invalidArgument(`command ${index}: ${command.name} is not supported by the devnet`);
    }
    if (command.kind === "publish" && !this.#publishable) {
      throw invalidArgument(`command ${index}: this devnet hosts no publishable package`);
    }
    if (command.kind !== "moveCall") return;
    const target = `${command.package}::${command.module}::${command.function}`;
    const fn = this.functionOf(command.package, command.module, command.function);
    if (!fn) throw invalidArgument(`command ${index}: function ${target} does not exist`);
    if (command.typeArguments.length > 0) {
      throw invalidArgument(`command ${index}: ${target} takes no type arguments`);
    }
    if (command.args.length !== fn.params.length) {
      throw invalidArgument(
        `command ${index}: ${target} takes ${fn.params.length} arguments (${fn.params
          .map((p) => p.name)
          .join(", ")}), got ${command.args.length}`,
      );
    }
    command.args.forEach((arg, position) => {
      const param = fn.params[position];
      if (!param || arg.kind !== "input") return;
      const input = tx.inputs[arg.index];
      if (!input) throw invalidArgument(`command ${index}: input ${arg.index} does not exist`);
      const where = `command ${index}: argument ${position} (${param.name}) of ${target}`;
      if (param.kind === "pure") {
        if (input.kind !== "pure")
          throw invalidArgument(`${where} must be a ${param.typeName} value`);
        try {
          const reencoded = param.layout.serialize(param.layout.parse(input.bytes)).toBytes();
          if (reencoded.length !== input.bytes.length) throw new Error("trailing bytes");
        } catch (error) {
          throw invalidArgument(
            `${where} is not a valid ${param.typeName}: ${error instanceof Error ? error.message : error}`,
          );
        }
        return;
      }
      if (param.kind === "value")
        throw invalidArgument(`${where} must be a ${param.type} returned by an earlier command`);
      if (input.kind === "pure")
        throw invalidArgument(`${where} must be an object of type ${param.type}`);
      if (input.kind === "unresolved") return;
      const object = this.#store.getObject(input.id);
      if (object && object.type !== param.type) {
        throw invalidArgument(
          `${where} must be a ${param.type}, object ${input.id} is a ${object.type}`,
        );
      }
      if (input.kind === "shared" && param.mode !== "ref" && !input.mutable) {
        throw invalidArgument(`${where} needs the shared object ${input.id} as mutable`);
      }
    });
  }

  /** Executes a validated transaction against a fresh working set; never throws for Move aborts. */
  execute(tx: TxData, digest: string, clockMs: number): ExecutionOutcome {
    const gasCoinId = tx.gas.payment[0]?.id ?? "";
    const price = tx.gas.price ?? REFERENCE_GAS_PRICE;
    const budget = tx.gas.budget ?? 0n;
    let working = new WorkingSet(this.#store);
    let events: PendingEvent[] = [];
    let returnValues: Uint8Array[][] = [];
    let published: string[] = [];
    let error: GrpcTypes.ExecutionError | undefined;
    const progress: Progress = { command: undefined };
    try {
      this.#smashGas(working, tx);
      returnValues = this.#run(working, tx, digest, clockMs, events, published, progress);
    } catch (failure) {
      error = executionError(failure, progress.command, (pkg) =>
        this.#plainAborts.has(normalizeSuiAddress(pkg)),
      );
    }
    const computation = computationCost(price, tx.commands.length);
    let storage = error ? 0n : storageCost(bytesWritten(working));
    if (!error && computation + storage > budget) {
      error = {
        description: `insufficient gas: the transaction needs ${computation + storage} MIST, the budget is ${budget}`,
        kind: Proto.ExecutionError_ExecutionErrorKind.INSUFFICIENT_GAS,
        errorDetails: { oneofKind: undefined },
      };
    }
    if (error) {
      working = new WorkingSet(this.#store);
      events = [];
      returnValues = [];
      published = [];
      this.#smashGas(working, tx);
      storage = storageCost(bytesWritten(working));
    }
    const charge = minBigInt(computation + storage, budget);
    const gasCoin = working.get(gasCoinId);
    if (gasCoin) {
      working.write(gasCoinId, coinContents(gasCoinId, coinBalance(gasCoin.current) - charge));
    }
    const lamportVersion = working.seal(digest);
    const outcome: ExecutionOutcome = {
      digest,
      tx,
      success: !error,
      working,
      events,
      returnValues,
      gasCoinId,
      computationCost: computation,
      storageCost: charge - computation > 0n ? charge - computation : 0n,
      lamportVersion,
      published,
    };
    if (error) outcome.error = error;
    return outcome;
  }

  /** Sui merges all gas coins into the first before execution. */
  #smashGas(working: WorkingSet, tx: TxData): void {
    const [primary, ...rest] = tx.gas.payment;
    if (!primary) return;
    const first = working.get(primary.id);
    if (!first)
      throw new CommandFailure(
        Proto.ExecutionError_ExecutionErrorKind.INSUFFICIENT_GAS,
        "no gas coin",
      );
    let total = coinBalance(first.current);
    for (const ref of rest) {
      const coin = working.get(ref.id);
      if (!coin) continue;
      total += coinBalance(coin.current);
      working.delete(ref.id);
    }
    if (rest.length > 0) working.write(primary.id, coinContents(primary.id, total));
  }

  #run(
    working: WorkingSet,
    tx: TxData,
    digest: string,
    clockMs: number,
    events: PendingEvent[],
    published: string[],
    progress: Progress,
  ): Uint8Array[][] {
    const results: Value[][] = [];
    const unconsumed = new Set<string>();
    let created = 0;
    const newId = () => deriveObjectId(digest, created++);
    const resolve = (arg: Arg, command: number): Value => {
      switch (arg.kind) {
        case "gas":
          return { kind: "object", id: tx.gas.payment[0]?.id ?? "" };
        case "input": {
          const input = tx.inputs[arg.index];
          if (!input) throw argumentError(command, `input ${arg.index} does not exist`);
          if (input.kind === "pure") return { kind: "pure", bytes: input.bytes };
          return { kind: "object", id: input.id };
        }
        case "result": {
          const values = results[arg.index];
          if (!values) throw argumentError(command, `result ${arg.index} is not available yet`);
          const value = values[arg.sub ?? 0];
          if (!value || (arg.sub === undefined && values.length !== 1)) {
            throw argumentError(command, `result ${arg.index}/${arg.sub ?? 0} does not exist`);
          }
          return value;
        }
      }
    };
    const objectOf = (value: Value, command: number, what: string): string => {
      if (value.kind !== "object") throw argumentError(command, `${what} must be an object`);
      if (!working.get(value.id))
        throw argumentError(command, `${what}: object ${value.id} is gone`);
      return value.id;
    };
    const coinOf = (value: Value, command: number, what: string): string => {
      const id = objectOf(value, command, what);
      if (working.get(id)?.current.type !== SUI_COIN_TYPE) {
        throw argumentError(command, `${what} must be a Coin<SUI>`);
      }
      return id;
    };
    const u64Of = (value: Value, command: number): bigint => {
      if (value.kind !== "pure" || value.bytes.length !== 8) {
        throw argumentError(command, "amount must be a u64");
      }
      return Buffer.from(value.bytes).readBigUInt64LE(0);
    };

    tx.commands.forEach((command, index) => {
      progress.command = index;
      switch (command.kind) {
        case "splitCoins": {
          const source = coinOf(resolve(command.coin, index), index, "coin");
          let balance = coinBalance(working.get(source)?.current as StoredObject);
          const outputs: Value[] = [];
          for (const amountArg of command.amounts) {
            const amount = u64Of(resolve(amountArg, index), index);
            if (amount > balance) {
              throw new CommandFailure(
                Proto.ExecutionError_ExecutionErrorKind.INSUFFICIENT_COIN_BALANCE,
                `cannot split ${amount} MIST from a coin holding ${balance}`,
              );
            }
            balance -= amount;
            const id = newId();
            working.create(id, SUI_COIN_TYPE, coinContents(id, amount), {
              kind: "address",
              address: tx.sender,
            });
            unconsumed.add(id);
            outputs.push({ kind: "object", id });
          }
          working.write(source, coinContents(source, balance));
          results.push(outputs);
          return;
        }
        case "mergeCoins": {
          const target = coinOf(resolve(command.target, index), index, "target coin");
          let total = coinBalance(working.get(target)?.current as StoredObject);
          for (const sourceArg of command.sources) {
            const source = coinOf(resolve(sourceArg, index), index, "source coin");
            if (source === target || source === tx.gas.payment[0]?.id) {
              throw argumentError(index, "a coin cannot be merged into itself or be the gas coin");
            }
            total += coinBalance(working.get(source)?.current as StoredObject);
            working.delete(source);
            unconsumed.delete(source);
          }
          working.write(target, coinContents(target, total));
          results.push([]);
          return;
        }
        case "transferObjects": {
          const address = resolve(command.address, index);
          if (address.kind !== "pure" || address.bytes.length !== 32) {
            throw argumentError(index, "recipient must be an address");
          }
          const recipient = normalizeSuiAddress(Buffer.from(address.bytes).toString("hex"));
          for (const objectArg of command.objects) {
            const id = objectOf(resolve(objectArg, index), index, "transferred object");
            const current = working.get(id)?.current;
            if (current?.owner.kind !== "address") {
              throw argumentError(index, `object ${id} is not owned and cannot be transferred`);
            }
            if (this.#keyOnlyTypes.has(current.type)) {
              throw argumentError(
                index,
                `object ${id} is a ${current.type}, which has no store ability: only its module may transfer it`,
              );
            }
            working.setOwner(id, { kind: "address", address: recipient });
            unconsumed.delete(id);
          }
          results.push([]);
          return;
        }
        case "moveCall": {
          const fn = this.functionOf(command.package, command.module, command.function);
          if (!fn) throw argumentError(index, "function does not exist");
          const args = command.args.map((arg, position): MoveArg => {
            const param = fn.params[position];
            const value = resolve(arg, index);
            if (!param) throw argumentError(index, `argument ${position} is extra`);
            if (param.kind === "pure") {
              if (value.kind !== "pure")
                throw argumentError(index, `${param.name} must be a ${param.typeName}`);
              try {
                return { kind: "pure", value: param.layout.parse(value.bytes), bytes: value.bytes };
              } catch {
                throw argumentError(index, `${param.name} is not a valid ${param.typeName}`);
              }
            }
            if (param.kind === "value") {
              if (value.kind !== "value" || value.type !== param.type)
                throw argumentError(index, `${param.name} must be a ${param.type}`);
              return value;
            }
            const id = objectOf(value, index, param.name);
            const entry = working.get(id);
            if (entry?.current.type !== param.type) {
              throw argumentError(index, `${param.name} must be a ${param.type}`);
            }
            if (param.mode === "value") {
              if (id === tx.gas.payment[0]?.id)
                throw argumentError(index, "the gas coin cannot be passed by value");
              if (entry.current.owner.kind === "shared") {
                throw argumentError(index, `shared object ${id} cannot be passed by value`);
              }
              unconsumed.delete(id);
            }
            return this.#objectArg(working, id, param.mode);
          });
          const ctx = this.#callContext(
            working,
            tx,
            digest,
            clockMs,
            events,
            command,
            newId,
            unconsumed,
          );
          const returned: MoveReturn[] = fn.run(ctx, args) ?? [];
          results.push(
            returned.map((r) => (r.kind === "object" ? { kind: "object", id: r.id } : r)),
          );
          for (const r of returned) if (r.kind === "object") unconsumed.add(r.id);
          return;
        }
        case "publish": {
          if (!this.#publishable) throw argumentError(index, "publishing is not supported");
          try {
            const { packageId, capId } = publishPackage(
              working,
              command,
              tx.sender,
              newId,
              this.#publishable,
            );
            published.push(packageId);
            unconsumed.add(capId);
            results.push([{ kind: "object", id: capId }]);
          } catch (failure) {
            if (failure instanceof PublishRefusal) throw publishFailure(failure);
            throw failure;
          }
          return;
        }
        case "unsupported":
          throw argumentError(index, `${command.name} is not supported`);
      }
    });
    progress.command = undefined;
    if (unconsumed.size > 0) {
      throw new CommandFailure(
        Proto.ExecutionError_ExecutionErrorKind.UNUSED_VALUE_WITHOUT_DROP,
        `values created by the transaction were neither transferred nor consumed: ${[...unconsumed].join(", ")}`,
      );
    }
    return results.map((values) => values.flatMap((v) => (v.kind === "object" ? [] : [v.bytes])));
  }

  #objectArg(working: WorkingSet, id: string, mode: "ref" | "mut" | "value"): ObjectArg {
    const entry = working.get(id);
    if (!entry) throw new Error(`object ${id} vanished`);
    const readOnly = mode === "ref";
    return {
      kind: "object",
      id,
      type: entry.current.type,
      contents: () => entry.current.contents,
      setContents: (contents) => {
        if (readOnly) throw new Error(`object ${id} was passed by immutable reference`);
        working.write(id, contents);
      },
      delete: () => {
        if (mode !== "value") throw new Error(`object ${id} was not passed by value`);
        working.delete(id);
      },
      transfer: (recipient) => {
        if (mode !== "value") throw new Error(`object ${id} was not passed by value`);
        working.setOwner(id, { kind: "address", address: normalizeSuiAddress(recipient) });
      },
    };
  }

  #callContext(
    working: WorkingSet,
    tx: TxData,
    digest: string,
    clockMs: number,
    events: PendingEvent[],
    command: Extract<TxCommand, { kind: "moveCall" }>,
    newId: () => string,
    unconsumed: Set<string>,
  ): MoveCallContext {
    const packageId = command.package;
    return {
      sender: tx.sender,
      txDigest: digest,
      packageId,
      module: command.module,
      functionName: command.function,
      clockMs,
      abort: (module, code, constantName, functionName) => {
        throw new MoveAbort(
          packageId,
          module,
          functionName ?? command.function,
          code,
          constantName,
        );
      },
      emit: (module, structName, contents) => {
        events.push({
          packageId,
          module,
          sender: tx.sender,
          type: normalizeStructTag(`${packageId}::${module}::${structName}`),
          contents,
        });
      },
      newId,
      createObject: (id, type, contents, owner) => {
        working.create(
          id,
          normalizeStructTag(type),
          contents,
          owner.kind === "shared"
            ? { kind: "shared", initialVersion: 0 }
            : { kind: "address", address: normalizeSuiAddress(owner.address) },
        );
        unconsumed.delete(id);
      },
      readObject: (id) => {
        const entry = working.get(id);
        return entry ? { type: entry.current.type, contents: entry.current.contents } : undefined;
      },
      writeObject: (id, contents) => working.write(id, contents),
      getField: (parent, name) => working.getField(parent, name),
      setField: (parent, name, value) => working.setField(parent, name, value),
      removeField: (parent, name) => working.setField(parent, name, null),
      payCoin: (recipient, amount) => {
        const id = newId();
        working.create(id, SUI_COIN_TYPE, coinContents(id, amount), {
          kind: "address",
          address: normalizeSuiAddress(recipient),
        });
        return id;
      },
    };
  }
}

/** Object parameter types are compared with stored (normalized) types. */
function normalizeTypes(pkg: MovePackage): MovePackage {
  const modules = Object.fromEntries(
    Object.entries(pkg.modules).map(([module, functions]) => [
      module,
      Object.fromEntries(
        Object.entries(functions).map(([name, fn]) => [
          name,
          {
            ...fn,
            params: fn.params.map((param) =>
              param.kind === "object" ? { ...param, type: normalizeStructTag(param.type) } : param,
            ),
          },
        ]),
      ),
    ]),
  );
  return { id: normalizeSuiAddress(pkg.id), modules };
}

function bytesWritten(working: WorkingSet): number {
  let total = 0;
  for (const entry of working.objects.values()) {
    if (entry.mutated && !entry.deleted) total += entry.current.contents.length;
  }
  for (const field of working.fields.values()) {
    if (field.value) total += field.name.length + field.value.length;
  }
  return total;
}

function argumentError(command: number, message: string): CommandFailure {
  return new CommandFailure(
    Proto.ExecutionError_ExecutionErrorKind.COMMAND_ARGUMENT_ERROR,
    `command ${command}: ${message}`,
  );
}

/** The execution error Sui reports for a refused publish. */
function publishFailure(refusal: PublishRefusal): CommandFailure {
  const kinds = {
    verification: Proto.ExecutionError_ExecutionErrorKind.VM_VERIFICATION_OR_DESERIALIZATION_ERROR,
    nonZeroAddress: Proto.ExecutionError_ExecutionErrorKind.PUBLISH_ERROR_NON_ZERO_ADDRESS,
    missingDependency: Proto.ExecutionError_ExecutionErrorKind.PUBLISH_UPGRADE_MISSING_DEPENDENCY,
  } as const;
  return new CommandFailure(kinds[refusal.kind], refusal.message);
}

/** Which command was running when execution failed (none: a failure after the last). */
interface Progress {
  command: number | undefined;
}

/**
 * The execution error the chain reports: the failing command's index and, for a Move
 * abort, its location; the constant's name only for packages with clever errors.
 */
function executionError(
  failure: unknown,
  command: number | undefined,
  plainAborts: (packageId: string) => boolean,
): GrpcTypes.ExecutionError {
  const at = command === undefined ? {} : { command: BigInt(command) };
  if (failure instanceof MoveAbort) {
    return {
      description: failure.message,
      kind: Proto.ExecutionError_ExecutionErrorKind.MOVE_ABORT,
      ...at,
      errorDetails: {
        oneofKind: "abort",
        abort: {
          abortCode: BigInt(failure.code),
          location: {
            package: failure.packageId,
            module: failure.module,
            functionName: failure.functionName,
          },
          ...(plainAborts(failure.packageId)
            ? {}
            : {
                cleverError: {
                  errorCode: BigInt(failure.code),
                  constantName: failure.constantName,
                  value: { oneofKind: undefined },
                },
              }),
        },
      },
    };
  }
  if (failure instanceof CommandFailure) {
    return {
      description: failure.message,
      kind: failure.kind,
      ...at,
      errorDetails: { oneofKind: undefined },
    };
  }
  throw failure;
}

function minBigInt(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
