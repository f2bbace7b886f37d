import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { writeProxyContext } from "../../gateway/index.ts";
import { type Command, integerFlag, stringFlag } from "../command.ts";
import { CONNECTION_HELP, CONNECTION_OPTIONS } from "../context.ts";
import { usageError } from "../errors.ts";
import { Session } from "../session.ts";

/** kubectl's own rule: the first file of $KUBECONFIG, else ~/.kube/config. */
function defaultKubeconfig(): string {
  const first = process.env.KUBECONFIG?.split(delimiter).find((path) => path !== "");
  return first ?? join(homedir(), ".kube", "config");
}

export const kubeconfigCommand: Command = {
  name: "kubeconfig",
  summary: "Write a kubeconfig context that points kubectl and Helm at 'k8s-daas proxy'.",
  usage:
    "k8s-daas kubeconfig [--context-name NAME] [--port 8001] [--kubeconfig FILE] [-n NAMESPACE]",
  example: "k8s-daas kubeconfig && kubectl --context k8s-daas get pods",
  // `--context` names the kubeconfig context written (kubectl's word); the k8s-daas context
  // used is $K8S_DAAS_CONTEXT's, else the current one.
  options: {
    ...CONNECTION_OPTIONS,
    port: { type: "string", short: "p" },
    "proxy-address": { type: "string" },
    kubeconfig: { type: "string" },
    namespace: { type: "string", short: "n" },
  },
  optionHelp: {
    ...CONNECTION_HELP,
    context: "name of the kubeconfig context to write (default: k8s-daas)",
    port: "the proxy's port (default 8001)",
    "proxy-address": "the proxy's address (default 127.0.0.1)",
    kubeconfig: "kubeconfig file to write (default: first of $KUBECONFIG, else ~/.kube/config)",
    namespace: "the context's default namespace (default: one you hold)",
  },
  async run({ values }) {
    const name = stringFlag(values, "context") ?? "k8s-daas";
    if (!/^[A-Za-z0-9][A-Za-z0-9._@-]{0,252}$/.test(name))
      throw usageError(`--context "${name}" is not a usable kubeconfig context name`);
    const port = integerFlag(values, "port", 8001, { min: 1, max: 65_535 });
    const address = stringFlag(values, "proxy-address") ?? "127.0.0.1";
    const path = stringFlag(values, "kubeconfig") ?? defaultKubeconfig();
    const session = new Session({ ...values, context: undefined, kubeconfig: undefined });
    let namespace: string;
    if (typeof values.namespace === "string") namespace = values.namespace;
    else {
      const held = await session.namespaces();
      namespace = session.connection.namespace ?? held[0]?.namespace ?? "";
      if (!namespace)
        throw usageError(
          "you hold no namespace on this cluster",
          "claim one first: k8s-daas namespace claim NAME",
        );
    }
    const host = address.includes(":") ? `[${address}]` : address;
    writeProxyContext(path, { name, server: `http://${host}:${port}`, namespace });
    process.stdout.write(
      `wrote context "${name}" (server http://${host}:${port}, namespace ${namespace}) to ${path}\n` +
        `use it:\n  k8s-daas proxy --port ${port} &\n  kubectl --context ${name} get pods\n  helm --kube-context ${name} install web ./chart\n`,
    );
    return 0;
  },
};
