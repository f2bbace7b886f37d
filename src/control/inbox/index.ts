// nautilus-control's durable state: the event log and cursor (Inbox) and what is derived
// from the same events in the same transaction (requests, namespace claims, the enclave's
// sequence counter; src/control/workers adds the worker registry the same way).
import { Inbox, type InboxOptions } from "./inbox.ts";
import { NamespaceStore } from "./namespaces.ts";
import { RequestStore } from "./requests.ts";
import { EnclaveSequences } from "./sequences.ts";

export {
  type AppliedEvent,
  Inbox,
  type InboxEvent,
  type InboxExtension,
  type InboxOptions,
  type InboxTables,
  type IngestResult,
} from "./inbox.ts";
export { type NamespaceClaim, NamespaceStore } from "./namespaces.ts";
export {
  type InboxRequest,
  type IngestedRequests,
  type RequestState,
  RequestStore,
  type StoredOutcome,
} from "./requests.ts";
export { EnclaveSequences } from "./sequences.ts";

/** The control plane's state: the inbox with its three built-in extensions attached. */
export interface ControlState {
  inbox: Inbox;
  requests: RequestStore;
  namespaces: NamespaceStore;
  sequences: EnclaveSequences;
}

export function openControlState(path: string, options: InboxOptions): ControlState {
  const inbox = new Inbox(path, options);
  return {
    inbox,
    requests: inbox.extend(new RequestStore()),
    namespaces: inbox.extend(new NamespaceStore()),
    sequences: inbox.extend(new EnclaveSequences()),
  };
}
