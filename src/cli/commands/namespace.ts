import { addCall } from "../../chain/k8s-daas.ts";
import { decodeEvent } from "../../protocol/index.ts";
import { type Command, onePositional, runAction } from "../command.ts";
import { CONNECTION_HELP, CONNECTION_OPTIONS } from "../context.ts";
import { EXIT } from "../errors.ts";
import { checkNamespace } from "../manifests.ts";
import { printResult } from "../output.ts";
import { Session } from "../session.ts";

export const namespaceCommand: Command = {
  name: "namespace",
  summary: "Claim, list or release your namespaces (each is a NamespaceCap you hold).",
  usage: "k8s-daas namespace claim NAME | list | release NAME",
  example: "k8s-daas namespace claim team-a && k8s-daas namespace list",
  actions: ["claim", "list", "release"],
  options: CONNECTION_OPTIONS,
  optionHelp: CONNECTION_HELP,
  run: (args) =>
    runAction(namespaceCommand, args, {
      async claim({ values }, rest) {
        const namespace = onePositional(namespaceCommand, rest, "namespace name");
        checkNamespace(namespace);
        const session = new Session(values);
        const tx = await session.execute((tx) =>
          addCall(
            tx,
            session.connection.packageId,
            "claim_namespace",
            { namespace },
            { cluster: session.connection.clusterId },
          ),
        );
        const event = (tx.events ?? []).find((e) => e.eventType.endsWith("::NamespaceEvent"));
        const decoded = event ? decodeEvent(event.eventType, event.bcs) : undefined;
        const capId = decoded?.name === "NamespaceEvent" ? decoded.value.cap_id : undefined;
        const data = { namespace, capId, owner: await session.address(), tx: tx.digest };
        printResult(session.connection.output, data, () =>
          [
            `claimed namespace ${namespace} (NamespaceCap ${capId}) in ${tx.digest}`,
            `next: k8s-daas pod create web --image nginxinc/nginx-unprivileged:1.27 -n ${namespace}`,
          ].join("\n"),
        );
        return EXIT.ok;
      },
      async list({ values }) {
        const session = new Session(values);
        const held = await session.namespaces();
        printResult(session.connection.output, held, () => ({
          headers: ["NAMESPACE", "NAMESPACE CAP"],
          rows: held.map((entry) => [entry.namespace, entry.capId]),
        }));
        return EXIT.ok;
      },
      async release({ values }, rest) {
        const namespace = onePositional(namespaceCommand, rest, "namespace name");
        checkNamespace(namespace);
        const session = new Session(values);
        const cap = await session.namespaceCap(namespace);
        const tx = await session.execute((tx) =>
          addCall(
            tx,
            session.connection.packageId,
            "release_namespace",
            {},
            { cluster: session.connection.clusterId, cap },
          ),
        );
        printResult(
          session.connection.output,
          { namespace, released: true, tx: tx.digest },
          () => `released namespace ${namespace} in ${tx.digest}`,
        );
        return EXIT.ok;
      },
    }),
};
