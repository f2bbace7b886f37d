import type { GrpcTypes } from "@mysten/sui/grpc";
import { normalizeStructTag, normalizeSuiAddress } from "@mysten/sui/utils";
import { invalidArgument } from "./grpc/status.ts";
import type { StoredEvent } from "./store.ts";

/**
 * Event cursors are opaque to clients; here they are a version byte and the event's ledger
 * position (big-endian u64), so they order as the ledger does and survive restarts.
 */
const CURSOR_VERSION = 1;

export function encodeCursor(seq: number): Uint8Array {
  const out = new Uint8Array(9);
  out[0] = CURSOR_VERSION;
  new DataView(out.buffer).setBigUint64(1, BigInt(seq));
  return out;
}

export function decodeCursor(bytes: Uint8Array, what: string): number {
  if (bytes.length !== 9 || bytes[0] !== CURSOR_VERSION) {
    throw invalidArgument(`${what} is not a cursor issued by this devnet`);
  }
  return Number(new DataView(bytes.buffer, bytes.byteOffset, 9).getBigUint64(1));
}

export type EventPredicate = (event: StoredEvent) => boolean;

/** Compiles a DNF event filter (terms ORed, literals ANDed) into a predicate. */
export function compileEventFilter(filter: GrpcTypes.EventFilter | undefined): EventPredicate {
  if (!filter || filter.terms.length === 0) return () => true;
  const terms = filter.terms.map((term) => {
    const literals = term.literals.map(compileLiteral);
    return (event: StoredEvent) => literals.every((literal) => literal(event));
  });
  return (event) => terms.some((term) => term(event));
}

function compileLiteral(literal: GrpcTypes.EventLiteral): EventPredicate {
  const predicate = compilePredicate(literal.predicate);
  return literal.negated ? (event) => !predicate(event) : predicate;
}

function compilePredicate(predicate: GrpcTypes.EventLiteral["predicate"]): EventPredicate {
  switch (predicate.oneofKind) {
    case "sender": {
      const sender = normalizeSuiAddress(required(predicate.sender.address, "sender filter"));
      return (event) => event.sender === sender;
    }
    case "emitModule": {
      const [pkg, module] = required(predicate.emitModule.module, "module filter").split("::");
      const packageId = normalizeSuiAddress(pkg ?? "");
      return (event) => event.packageId === packageId && (!module || event.module === module);
    }
    case "eventType":
      return eventTypeMatcher(required(predicate.eventType.eventType, "event type filter"));
    default:
      throw invalidArgument(
        `event filter ${predicate.oneofKind ?? "(empty)"} is not supported by the devnet`,
      );
  }
}

/** `0xaddr`, `0xaddr::module`, `0xaddr::module::Name` or an exact instantiation. */
function eventTypeMatcher(filter: string): EventPredicate {
  const parts = filter.split("::");
  if (parts.length >= 3) {
    const exact = normalizeStructTag(filter);
    if (filter.includes("<")) return (event) => event.type === exact;
    return (event) => event.type === exact || event.type.startsWith(`${exact}<`);
  }
  const packageId = normalizeSuiAddress(parts[0] ?? "");
  const module = parts[1];
  return (event) => {
    const [pkg, mod] = event.type.split("::");
    return normalizeSuiAddress(pkg ?? "") === packageId && (!module || mod === module);
  };
}

function required(value: string | undefined, what: string): string {
  if (!value) throw invalidArgument(`${what} is empty`);
  return value;
}
