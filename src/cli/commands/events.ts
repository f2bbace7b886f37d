import type { Command } from "../command.ts";
import { CONNECTION_HELP, CONNECTION_OPTIONS } from "../context.ts";
import { EXIT, usageError } from "../errors.ts";
import { age, printResult } from "../output.ts";
import { Session } from "../session.ts";

/** The fields of a core/v1 Event the table shows. */
export interface EventView {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  firstTimestamp?: string | null;
  involvedObject?: { kind?: string; name?: string };
  metadata?: { creationTimestamp?: string };
}

/** kubectl's event columns: LAST SEEN, TYPE, REASON, OBJECT, MESSAGE. */
export function eventTable(events: readonly unknown[]) {
  return {
    headers: ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"],
    rows: (events as EventView[]).map((event) => {
      const stamp =
        event.lastTimestamp ??
        event.eventTime ??
        event.firstTimestamp ??
        event.metadata?.creationTimestamp;
      const object = event.involvedObject;
      return [
        stamp ? age(Date.parse(stamp)) : "",
        event.type ?? "",
        event.reason ?? "",
        object ? `${(object.kind ?? "").toLowerCase()}/${object.name ?? ""}` : "",
        (event.message ?? "").replace(/\s+/g, " ").trim(),
      ];
    }),
  };
}

export const eventsCommand: Command = {
  name: "events",
  summary:
    "List the events of your namespace (from nautilus-control, as your namespace's account).",
  usage: "k8s-daas events [-n NAMESPACE] [-o table|json|yaml]",
  example: "k8s-daas events -n team-a",
  options: { namespace: { type: "string", short: "n" }, ...CONNECTION_OPTIONS },
  optionHelp: {
    namespace: "your namespace (default: the context's, else the only one you hold)",
    ...CONNECTION_HELP,
  },
  async run({ values, positionals }) {
    if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}"`);
    const session = new Session(values);
    const namespace = await session.namespace(values.namespace);
    const events = await session.controlApi().events(namespace);
    printResult(session.connection.output, events, () => eventTable(events));
    return EXIT.ok;
  },
};
