import { startGateway } from "../../gateway/index.ts";
import { MAX_PRIORITY } from "../../protocol/index.ts";
import { type Command, integerFlag, stringFlag } from "../command.ts";
import { CONNECTION_HELP, CONNECTION_OPTIONS } from "../context.ts";
import { CliError, EXIT, usageError } from "../errors.ts";
import { Session } from "../session.ts";

export const proxyCommand: Command = {
  name: "proxy",
  summary:
    "Serve the Kubernetes API locally for kubectl and Helm: writes go on chain, reads are free.",
  usage: "k8s-daas proxy [--port 8001] [--address 127.0.0.1]",
  example: "k8s-daas proxy &   k8s-daas kubeconfig   kubectl --context k8s-daas apply -f web.yaml",
  // `--address` is where to listen, as in `kubectl proxy`; the signing key is the
  // context's (or $K8S_DAAS_ADDRESS's), not a flag here.
  options: {
    ...CONNECTION_OPTIONS,
    port: { type: "string", short: "p" },
    address: { type: "string" },
    "no-seal": { type: "boolean" },
    fee: { type: "string" },
    priority: { type: "string" },
  },
  optionHelp: {
    port: "port to listen on (default 8001; 0 picks a free one)",
    "no-seal":
      "send write payloads in the clear (public on chain for ever) instead of sealed to the enclave",
    fee: "fee per write in MIST (default: the cluster's request fee)",
    priority: `0 (lowest) to ${MAX_PRIORITY} (highest), default 5`,
    ...CONNECTION_HELP,
    address: "address to listen on (default 127.0.0.1: the proxy signs with your key)",
  },
  async run({ values }) {
    const port = integerFlag(values, "port", 8001, { min: 0, max: 65_535 });
    const address = stringFlag(values, "address") ?? "127.0.0.1";
    const priority = integerFlag(values, "priority", 5, { min: 0, max: MAX_PRIORITY });
    const fee = values.fee;
    if (fee !== undefined && (typeof fee !== "string" || !/^\d{1,20}$/.test(fee)))
      throw usageError(`--fee must be a whole number of MIST, got "${String(fee)}"`);
    const session = new Session({ ...values, address: process.env.K8S_DAAS_ADDRESS });
    const api = session.controlApi();
    await api.health();
    const held = await session.namespaces();
    const signer = await session.signer();
    const log = (line: string) => process.stderr.write(`proxy: ${line}\n`);
    let server: Awaited<ReturnType<typeof startGateway>>;
    try {
      server = await startGateway({
        client: session.client,
        signer,
        packageId: session.connection.packageId,
        clusterId: session.connection.clusterId,
        control: api.transport,
        dataDir: session.connection.dataDir,
        address,
        port,
        noSeal: values["no-seal"] === true,
        priority,
        ...(typeof fee === "string" ? { fee: BigInt(fee) } : {}),
        log,
      });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === "EADDRINUSE" || code === "EACCES") {
        throw new CliError("PROXY_LISTEN_FAILED", `cannot listen on ${address}:${port} (${code})`, {
          hint: "pick another --port",
          exitCode: EXIT.usage,
        });
      }
      throw error;
    }
    if (session.connection.output === "json") {
      process.stdout.write(
        `${JSON.stringify({ event: "proxy.ready", url: server.url, port: server.port, namespaces: held.map((h) => h.namespace) })}\n`,
      );
    } else {
      process.stdout.write(`Starting to serve on ${server.url}\n`);
      process.stderr.write(
        `writes go on chain as ${await session.address()}; namespaces held: ${held.map((h) => h.namespace).join(", ") || "none"}\n`,
      );
    }
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    await server.close();
    return EXIT.ok;
  },
};
