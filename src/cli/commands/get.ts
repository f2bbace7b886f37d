import { openResult, ReplyKeys, type ResultDocument } from "../../gateway/index.ts";
import { type Command, onePositional } from "../command.ts";
import { EXIT, usageError } from "../errors.ts";
import { checkObjectName, resourceOf } from "../manifests.ts";
import { printResult } from "../output.ts";
import { REQUEST_HELP, REQUEST_OPTIONS, submitRequests } from "../request-flow.ts";
import { Session } from "../session.ts";
import { objectTable } from "./object-table.ts";

export const getCommand: Command = {
  name: "get",
  summary: "Read objects in a namespace, through the chain (a GET request), like kubectl get.",
  usage: "k8s-daas get KIND [NAME] [-n NAMESPACE] [-o table|json|yaml]",
  example: "k8s-daas get pods   # or: k8s-daas get deployment web -o yaml",
  options: REQUEST_OPTIONS,
  optionHelp: REQUEST_HELP,
  async run(args) {
    const [kind, ...rest] = args.positionals;
    if (!kind) throw usageError("missing KIND", `usage: ${getCommand.usage}`);
    const resource = resourceOf(kind);
    const name = rest.length === 0 ? "" : onePositional(getCommand, rest, "object name");
    if (name) checkObjectName(name);
    const session = new Session(args.values);
    const namespace = await session.namespace(args.values.namespace);
    const { outcomes, failed } = await submitRequests(
      session,
      args,
      namespace,
      [
        {
          call: "submit_get",
          values: { resource: resource.plural, name },
          label: name ? `${resource.kind.toLowerCase()}/${name}` : resource.plural,
          write: false,
        },
      ],
      // `get` shows the objects themselves, not the one-line summary.
      { ownView: true },
    );
    const outcome = outcomes[0];
    if (failed || !outcome || outcome.statusCode === undefined) {
      return failed ? EXIT.failure : EXIT.ok;
    }
    // The chain carries a one-line summary; the objects themselves come from the control
    // plane, which serves them to the requester only.
    if (!session.connection.controlUrl) {
      process.stdout.write(`${outcome.summary}\n`);
      process.stderr.write("hint: pass --control-url to see the objects themselves\n");
      return EXIT.ok;
    }
    const requestId = BigInt(outcome.requestId);
    const { body } = await session.controlApi().output(requestId);
    const { output } = openResult(
      new ReplyKeys(session.connection),
      { clusterId: session.connection.clusterId, requestId },
      body as ResultDocument,
    ).document;
    printResult(session.connection.output, output, () => objectTable(resource.kind, output));
    return EXIT.ok;
  },
};
