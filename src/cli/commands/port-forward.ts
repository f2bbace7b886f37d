import { type Command, onePositional } from "../command.ts";
import { CONNECTION_HELP, CONNECTION_OPTIONS } from "../context.ts";
import { usageError } from "../errors.ts";
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

export const portForwardCommand: Command = {
  name: "port-forward",
  summary: "Forward a local port (on 127.0.0.1) to a pod's port, through nautilus-control.",
  usage: "k8s-daas port-forward POD LOCAL:REMOTE [-n NAMESPACE]",
  example: "k8s-daas port-forward web 8080:80",
  options: { namespace: { type: "string", short: "n" }, ...CONNECTION_OPTIONS },
  optionHelp: {
    namespace: "your namespace (default: the context's, else the only one you hold)",
    ...CONNECTION_HELP,
  },
  async run({ values, positionals }) {
    const [pod, ports, ...rest] = positionals;
    if (!pod || !ports)
      throw usageError("missing POD or ports", `usage: ${portForwardCommand.usage}`);
    onePositional(portForwardCommand, [ports, ...rest], "ports");
    checkObjectName(pod);
    const { local, remote } = parsePorts(ports);
    const session = new Session(values);
    const namespace = await session.namespace(values.namespace);
    const api = session.controlApi();
    const base = `${api.url}/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/portforward?ports=${remote}`;
    const forwarder = await startPortForward(
      local,
      async (protocols) => api.openWebSocket(base, await api.signFor("GET", base), protocols),
      (problem) => process.stderr.write(`port-forward: ${problem}\n`),
    );
    process.stdout.write(`Forwarding from 127.0.0.1:${forwarder.port} -> ${remote}\n`);
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    await forwarder.close();
    return 0;
  },
};
