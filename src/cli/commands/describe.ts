import { stringify as toYaml } from "yaml";
import { type Command, onePositional } from "../command.ts";
import { CONNECTION_HELP, CONNECTION_OPTIONS } from "../context.ts";
import { EXIT, usageError } from "../errors.ts";
import { checkObjectName, resourceOf } from "../manifests.ts";
import { formatTable, printResult } from "../output.ts";
import { Session } from "../session.ts";
import { eventTable } from "./events.ts";

export const describeCommand: Command = {
  name: "describe",
  summary: "Show one object and the events about it (from nautilus-control, as your account).",
  usage: "k8s-daas describe KIND NAME [-n NAMESPACE] [-o table|json|yaml]",
  example: "k8s-daas describe pod web",
  options: { namespace: { type: "string", short: "n" }, ...CONNECTION_OPTIONS },
  optionHelp: {
    namespace: "your namespace (default: the context's, else the only one you hold)",
    ...CONNECTION_HELP,
  },
  async run({ values, positionals }) {
    const [kind, ...rest] = positionals;
    if (!kind) throw usageError("missing KIND", `usage: ${describeCommand.usage}`);
    const resource = resourceOf(kind);
    const name = onePositional(describeCommand, rest, "object name");
    checkObjectName(name);
    const session = new Session(values);
    const namespace = await session.namespace(values.namespace);
    const view = await session.controlApi().describe(namespace, resource.plural, name);
    printResult(session.connection.output, view, () => {
      const events = eventTable(view.events);
      const eventLines =
        events.rows.length === 0
          ? ["  <none>"]
          : formatTable(events.headers, events.rows)
              .split("\n")
              .map((line) => `  ${line}`);
      return [
        toYaml(headFirst(view.object), { lineWidth: 0 }).trimEnd(),
        "",
        "Events:",
        ...eventLines,
      ].join("\n");
    });
    return EXIT.ok;
  },
};

/** apiVersion, kind and metadata first, as kubectl prints an object. */
function headFirst(object: unknown): unknown {
  if (typeof object !== "object" || object === null) return object;
  const { apiVersion, kind, metadata, ...rest } = object as Record<string, unknown>;
  return { apiVersion, kind, metadata, ...rest };
}
