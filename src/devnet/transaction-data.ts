import { bcs } from "@mysten/sui/bcs";
import { type GrpcTypes, GrpcTypes as Proto } from "@mysten/sui/grpc";
import { normalizeStructTag, normalizeSuiAddress } from "@mysten/sui/utils";
import { invalidArgument } from "./grpc/status.ts";

/** Where a command argument comes from. */
export type Arg =
  | { kind: "gas" }
  | { kind: "input"; index: number }
  | { kind: "result"; index: number; sub?: number };

export interface ObjectRef {
  id: string;
  version: number;
  digest: string;
}

export type TxInput =
  | { kind: "pure"; bytes: Uint8Array }
  | ({ kind: "owned" } & ObjectRef)
  | { kind: "shared"; id: string; initialVersion: number; mutable: boolean }
  /** Only in transactions sent for simulation: the devnet fills in version and kind. */
  | { kind: "unresolved"; id: string; version?: number; mutable?: boolean };

export type TxCommand =
  | {
      kind: "moveCall";
      package: string;
      module: string;
      function: string;
      typeArguments: string[];
      args: Arg[];
    }
  | { kind: "splitCoins"; coin: Arg; amounts: Arg[] }
  | { kind: "mergeCoins"; target: Arg; sources: Arg[] }
  | { kind: "transferObjects"; objects: Arg[]; address: Arg }
  /** Publishes a package: its compiled modules and the package ids it links against. */
  | { kind: "publish"; modules: Uint8Array[]; dependencies: string[] }
  | { kind: "unsupported"; name: string };

export interface GasData {
  payment: ObjectRef[];
  owner: string;
  price?: bigint;
  budget?: bigint;
}

/** A programmable transaction in the one shape the executor reads. */
export interface TxData {
  sender: string;
  inputs: TxInput[];
  commands: TxCommand[];
  gas: GasData;
  expiration: { kind: "none" } | { kind: "epoch"; epoch: number } | { kind: "other" };
}

type BcsTransactionData = ReturnType<typeof bcs.TransactionData.parse>;
type BcsArgument = ReturnType<typeof bcs.Argument.parse>;

/** Decodes signed transaction bytes; anything but a programmable transaction is refused. */
export function fromTransactionBytes(bytes: Uint8Array): TxData {
  let parsed: BcsTransactionData;
  try {
    parsed = bcs.TransactionData.parse(bytes);
  } catch (error) {
    throw invalidArgument(`transaction bytes are not valid BCS TransactionData: ${message(error)}`);
  }
  const data = parsed.V1;
  if (data.kind.$kind !== "ProgrammableTransaction") {
    throw invalidArgument(`transaction kind ${data.kind.$kind} is not accepted from users`);
  }
  const ptb = data.kind.ProgrammableTransaction;
  const inputs = ptb.inputs.map((input, index): TxInput => {
    switch (input.$kind) {
      case "Pure":
        return { kind: "pure", bytes: Uint8Array.from(Buffer.from(input.Pure.bytes, "base64")) };
      case "Object": {
        const object = input.Object;
        if (object.$kind === "ImmOrOwnedObject") {
          const ref = object.ImmOrOwnedObject;
          return {
            kind: "owned",
            id: ref.objectId,
            version: Number(ref.version),
            digest: ref.digest,
          };
        }
        if (object.$kind === "SharedObject") {
          const ref = object.SharedObject;
          return {
            kind: "shared",
            id: ref.objectId,
            initialVersion: Number(ref.initialSharedVersion),
            mutable: ref.mutable,
          };
        }
        throw invalidArgument(`input ${index}: ${object.$kind} objects are not supported`);
      }
      default:
        throw invalidArgument(`input ${index}: ${input.$kind} inputs are not supported`);
    }
  });
  const commands = ptb.commands.map((command): TxCommand => {
    switch (command.$kind) {
      case "MoveCall":
        return {
          kind: "moveCall",
          package: normalizeSuiAddress(command.MoveCall.package),
          module: command.MoveCall.module,
          function: command.MoveCall.function,
          typeArguments: command.MoveCall.typeArguments.map((t) => normalizeStructTag(t)),
          args: command.MoveCall.arguments.map(fromBcsArgument),
        };
      case "SplitCoins":
        return {
          kind: "splitCoins",
          coin: fromBcsArgument(command.SplitCoins.coin),
          amounts: command.SplitCoins.amounts.map(fromBcsArgument),
        };
      case "MergeCoins":
        return {
          kind: "mergeCoins",
          target: fromBcsArgument(command.MergeCoins.destination),
          sources: command.MergeCoins.sources.map(fromBcsArgument),
        };
      case "TransferObjects":
        return {
          kind: "transferObjects",
          objects: command.TransferObjects.objects.map(fromBcsArgument),
          address: fromBcsArgument(command.TransferObjects.address),
        };
      case "Publish":
        return {
          kind: "publish",
          modules: command.Publish.modules.map((module) =>
            Uint8Array.from(Buffer.from(module, "base64")),
          ),
          dependencies: command.Publish.dependencies.map((id) => normalizeSuiAddress(id)),
        };
      default:
        return { kind: "unsupported", name: command.$kind };
    }
  });
  return {
    sender: normalizeSuiAddress(data.sender),
    inputs,
    commands,
    gas: {
      payment: data.gasData.payment.map((ref) => ({
        id: normalizeSuiAddress(ref.objectId),
        version: Number(ref.version),
        digest: ref.digest,
      })),
      owner: normalizeSuiAddress(data.gasData.owner),
      price: BigInt(data.gasData.price),
      budget: BigInt(data.gasData.budget),
    },
    expiration:
      data.expiration.$kind === "None"
        ? { kind: "none" }
        : data.expiration.$kind === "Epoch"
          ? { kind: "epoch", epoch: Number(data.expiration.Epoch) }
          : { kind: "other" },
  };
}

function fromBcsArgument(arg: BcsArgument): Arg {
  switch (arg.$kind) {
    case "GasCoin":
      return { kind: "gas" };
    case "Input":
      return { kind: "input", index: arg.Input };
    case "Result":
      return { kind: "result", index: arg.Result };
    case "NestedResult":
      return { kind: "result", index: arg.NestedResult[0], sub: arg.NestedResult[1] };
    default:
      throw invalidArgument(`unsupported argument kind ${(arg as { $kind: string }).$kind}`);
  }
}

/** Decodes the (possibly unresolved) transaction a client sends for simulation. */
export function fromProtoTransaction(tx: GrpcTypes.Transaction): TxData {
  if (tx.bcs?.value) return fromTransactionBytes(tx.bcs.value);
  const kind = tx.kind?.data;
  if (kind?.oneofKind !== "programmableTransaction") {
    throw invalidArgument("only programmable transactions can be simulated");
  }
  const ptb = kind.programmableTransaction;
  const inputs = ptb.inputs.map((input, index): TxInput => {
    switch (input.kind) {
      case Proto.Input_InputKind.PURE:
        return { kind: "pure", bytes: input.pure ?? new Uint8Array() };
      case Proto.Input_InputKind.IMMUTABLE_OR_OWNED:
        return {
          kind: "owned",
          id: normalizeSuiAddress(required(input.objectId, `input ${index} object id`)),
          version: Number(required(input.version, `input ${index} version`)),
          digest: required(input.digest, `input ${index} digest`),
        };
      case Proto.Input_InputKind.SHARED:
        return {
          kind: "shared",
          id: normalizeSuiAddress(required(input.objectId, `input ${index} object id`)),
          initialVersion: Number(required(input.version, `input ${index} version`)),
          mutable: input.mutable ?? input.mutability === Proto.Input_Mutability.MUTABLE,
        };
      case undefined:
      case Proto.Input_InputKind.INPUT_KIND_UNKNOWN: {
        if (!input.objectId) throw invalidArgument(`input ${index} has no kind and no object id`);
        const unresolved: TxInput = { kind: "unresolved", id: normalizeSuiAddress(input.objectId) };
        if (input.version !== undefined) unresolved.version = Number(input.version);
        if (input.mutable !== undefined) unresolved.mutable = input.mutable;
        return unresolved;
      }
      default:
        throw invalidArgument(`input ${index}: kind ${input.kind} is not supported`);
    }
  });
  const commands = ptb.commands.map((command): TxCommand => {
    const c = command.command;
    switch (c.oneofKind) {
      case "moveCall":
        return {
          kind: "moveCall",
          package: normalizeSuiAddress(required(c.moveCall.package, "move call package")),
          module: required(c.moveCall.module, "move call module"),
          function: required(c.moveCall.function, "move call function"),
          typeArguments: c.moveCall.typeArguments.map((t) => normalizeStructTag(t)),
          args: c.moveCall.arguments.map(fromProtoArgument),
        };
      case "splitCoins":
        return {
          kind: "splitCoins",
          coin: fromProtoArgument(required(c.splitCoins.coin, "split coin")),
          amounts: c.splitCoins.amounts.map(fromProtoArgument),
        };
      case "mergeCoins":
        return {
          kind: "mergeCoins",
          target: fromProtoArgument(required(c.mergeCoins.coin, "merge target")),
          sources: c.mergeCoins.coinsToMerge.map(fromProtoArgument),
        };
      case "transferObjects":
        return {
          kind: "transferObjects",
          objects: c.transferObjects.objects.map(fromProtoArgument),
          address: fromProtoArgument(required(c.transferObjects.address, "transfer address")),
        };
      case "publish":
        return {
          kind: "publish",
          modules: c.publish.modules,
          dependencies: c.publish.dependencies.map((id) => normalizeSuiAddress(id)),
        };
      default:
        return { kind: "unsupported", name: c.oneofKind ?? "unknown" };
    }
  });
  const sender = normalizeSuiAddress(tx.sender ?? "0x0");
  const gas: GasData = {
    payment: (tx.gasPayment?.objects ?? []).map((ref) => ({
      id: normalizeSuiAddress(required(ref.objectId, "gas object id")),
      version: Number(required(ref.version, "gas object version")),
      digest: required(ref.digest, "gas object digest"),
    })),
    owner: normalizeSuiAddress(tx.gasPayment?.owner ?? sender),
  };
  if (tx.gasPayment?.price !== undefined) gas.price = tx.gasPayment.price;
  if (tx.gasPayment?.budget !== undefined) gas.budget = tx.gasPayment.budget;
  const expirationKind = tx.expiration?.kind;
  return {
    sender,
    inputs,
    commands,
    gas,
    expiration:
      expirationKind === undefined ||
      expirationKind === Proto.TransactionExpiration_TransactionExpirationKind.NONE
        ? { kind: "none" }
        : expirationKind === Proto.TransactionExpiration_TransactionExpirationKind.EPOCH
          ? { kind: "epoch", epoch: Number(tx.expiration?.epoch ?? 0n) }
          : { kind: "other" },
  };
}

function fromProtoArgument(arg: GrpcTypes.Argument): Arg {
  switch (arg.kind) {
    case Proto.Argument_ArgumentKind.GAS:
      return { kind: "gas" };
    case Proto.Argument_ArgumentKind.INPUT:
      return { kind: "input", index: arg.input ?? 0 };
    case Proto.Argument_ArgumentKind.RESULT:
      return arg.subresult === undefined
        ? { kind: "result", index: arg.result ?? 0 }
        : { kind: "result", index: arg.result ?? 0, sub: arg.subresult };
    default:
      throw invalidArgument(`unsupported argument kind ${arg.kind}`);
  }
}

/** The resolved transaction, in the proto form the SDK's resolver reads back. */
export function toProtoTransaction(tx: TxData): GrpcTypes.Transaction {
  const inputs = tx.inputs.map((input): GrpcTypes.Input => {
    switch (input.kind) {
      case "pure":
        return { kind: Proto.Input_InputKind.PURE, pure: input.bytes };
      case "owned":
        return {
          kind: Proto.Input_InputKind.IMMUTABLE_OR_OWNED,
          objectId: input.id,
          version: BigInt(input.version),
          digest: input.digest,
        };
      case "shared":
        return {
          kind: Proto.Input_InputKind.SHARED,
          objectId: input.id,
          version: BigInt(input.initialVersion),
          mutable: input.mutable,
        };
      default:
        throw new Error(`input ${input.id} left unresolved`);
    }
  });
  const commands = tx.commands.map((command): GrpcTypes.Command => {
    switch (command.kind) {
      case "moveCall":
        return {
          command: {
            oneofKind: "moveCall",
            moveCall: {
              package: command.package,
              module: command.module,
              function: command.function,
              typeArguments: command.typeArguments,
              arguments: command.args.map(toProtoArgument),
            },
          },
        };
      case "splitCoins":
        return {
          command: {
            oneofKind: "splitCoins",
            splitCoins: {
              coin: toProtoArgument(command.coin),
              amounts: command.amounts.map(toProtoArgument),
            },
          },
        };
      case "mergeCoins":
        return {
          command: {
            oneofKind: "mergeCoins",
            mergeCoins: {
              coin: toProtoArgument(command.target),
              coinsToMerge: command.sources.map(toProtoArgument),
            },
          },
        };
      case "transferObjects":
        return {
          command: {
            oneofKind: "transferObjects",
            transferObjects: {
              objects: command.objects.map(toProtoArgument),
              address: toProtoArgument(command.address),
            },
          },
        };
      case "publish":
        return {
          command: {
            oneofKind: "publish",
            publish: { modules: command.modules, dependencies: command.dependencies },
          },
        };
      default:
        throw invalidArgument(`command ${command.name} is not supported by the devnet`);
    }
  });
  const gasPayment: GrpcTypes.GasPayment = {
    objects: tx.gas.payment.map((ref) => ({
      objectId: ref.id,
      version: BigInt(ref.version),
      digest: ref.digest,
    })),
    owner: tx.gas.owner,
  };
  if (tx.gas.price !== undefined) gasPayment.price = tx.gas.price;
  if (tx.gas.budget !== undefined) gasPayment.budget = tx.gas.budget;
  return {
    version: 1,
    kind: {
      kind: Proto.TransactionKind_Kind.PROGRAMMABLE_TRANSACTION,
      data: { oneofKind: "programmableTransaction", programmableTransaction: { inputs, commands } },
    },
    sender: tx.sender,
    gasPayment,
    expiration:
      tx.expiration.kind === "epoch"
        ? {
            kind: Proto.TransactionExpiration_TransactionExpirationKind.EPOCH,
            epoch: BigInt(tx.expiration.epoch),
          }
        : { kind: Proto.TransactionExpiration_TransactionExpirationKind.NONE },
  };
}

function toProtoArgument(arg: Arg): GrpcTypes.Argument {
  switch (arg.kind) {
    case "gas":
      return { kind: Proto.Argument_ArgumentKind.GAS };
    case "input":
      return { kind: Proto.Argument_ArgumentKind.INPUT, input: arg.index };
    case "result":
      return arg.sub === undefined
        ? { kind: Proto.Argument_ArgumentKind.RESULT, result: arg.index }
        : { kind: Proto.Argument_ArgumentKind.RESULT, result: arg.index, subresult: arg.sub };
  }
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw invalidArgument(`${what} is missing`);
  return value;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
