import { type Command, onePositional } from "../command.ts";
import { CONNECTION_HELP, CONNECTION_OPTIONS } from "../context.ts";
import { CliError, usageError } from "../errors.ts";
import { checkObjectName } from "../manifests.ts";
import { startPortForward } from "../port-forward.ts";
import { Session } from "../session.ts";

/** `LOCAL:REMOTE` or `PORT` (the same on both sides); LOCAL 0 picks a free port. */
export function parsePorts(text: string): { local: number; remote: number } {
  const match = /^(\d{1,5})(?::(\d{1,5}))?$/.exec(text);
  const local = Number(match?.[1]);
  const remote = Number(match?.[2] ?? match?.[1]);
  if (!match || local > 65_535 || remote < 1 || remote > 65_535)
    throw usageError(`ports are LOCAL:REMOTE or PORT (1-65535), got "${text}"`);
  return { local, remote };
}

/** `POD`, `pod/NAME`, `svc/NAME` or `service/NAME` → what to forward to. */
export function parseForwardTarget(text: string): { kind: "pods" | "services"; name: string } {
  const slash = text.indexOf("/");
  const prefix = slash < 0 ? "pod" : text.slice(0, slash);
  const name = slash < 0 ? text : text.slice(slash + 1);
  const kind =
    prefix === "pod" || prefix === "pods" || prefix === "po"
      ? "pods"
      : prefix === "svc" || prefix === "service" || prefix === "services"
        ? "services"
        : undefined;
  if (!kind) throw usageError(`forward to POD, pod/NAME or svc/NAME, got "${text}"`);
  checkObjectName(name);
  return { kind, name };
}

export const portForwardCommand: Command = {
  name: "port-forward",
  summary:
    "Forward a local port (on 127.0.0.1) to a pod's port or a Service's, through nautilus-control.",
  usage: "k8s-daas port-forward POD|svc/NAME LOCAL:REMOTE [-n NAMESPACE]",
  example: "k8s-daas port-forward svc/web 8080:80",
  options: { namespace: { type: "string", short: "n" }, ...CONNECTION_OPTIONS },
  optionHelp: {
    namespace: "your namespace (default: the context's, else the only one you hold)",
    ...CONNECTION_HELP,
  },
  async run({ values, positionals }) {
    const [what, ports, ...rest] = positionals;
    if (!what || !ports)
      throw usageError("missing POD or ports", `usage: ${portForwardCommand.usage}`);
    onePositional(portForwardCommand, [ports, ...rest], "ports");
    const target = parseForwardTarget(what);
    const { local, remote } = parsePorts(ports);
    const session = new Session(values);
    const namespace = await session.namespace(values.namespace);
    const api = session.controlApi();
    if (target.kind === "services") {
      // A Service that is not there, or lacks the port, fails now rather than per connection.
      const { object } = await api.describe(namespace, "services", target.name);
      const offered = (
        (object as { spec?: { ports?: { port?: number }[] } }).spec?.ports ?? []
      ).map((p) => p.port);
      if (!offered.includes(remote))
        throw new CliError(
          "SERVICE_PORT_UNKNOWN",
          `service ${namespace}/${target.name} has no port ${remote} (it has: ${offered.join(", ") || "none"})`,
        );
    }
    // For a Service, REMOTE is its port; the control plane picks a ready pod behind it and the
    // port the Service targets, for each connection.
    const base = `${api.url}/v1/namespaces/${encodeURIComponent(namespace)}/${target.kind}/${encodeURIComponent(target.name)}/portforward?ports=${remote}`;
    const forwarder = await startPortForward(
      local,
      async (protocols) => api.openWebSocket(base, await api.signFor("GET", base), protocols),
      (problem) => process.stderr.write(`port-forward: ${problem}\n`),
    );
    const to = target.kind === "services" ? `svc/${target.name}:${remote}` : String(remote);
    process.stdout.write(`Forwarding from 127.0.0.1:${forwarder.port} -> ${to}\n`);
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    await forwarder.close();
    return 0;
  },
};
