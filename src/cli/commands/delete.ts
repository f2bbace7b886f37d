import { type Command, onePositional } from "../command.ts";
import { EXIT, usageError } from "../errors.ts";
import { checkObjectName, resourceOf } from "../manifests.ts";
import { REQUEST_HELP, REQUEST_OPTIONS, submitRequests } from "../request-flow.ts";
import { Session } from "../session.ts";

export const deleteCommand: Command = {
  name: "delete",
  summary: "Delete an object in your namespace.",
  usage: "k8s-daas delete KIND NAME [-n NAMESPACE]",
  example: "k8s-daas delete pod web",
  options: REQUEST_OPTIONS,
  optionHelp: REQUEST_HELP,
  async run(args) {
    const [kind, ...rest] = args.positionals;
    if (!kind) throw usageError("missing KIND", `usage: ${deleteCommand.usage}`);
    const resource = resourceOf(kind);
    const name = onePositional(deleteCommand, rest, "object name");
    checkObjectName(name);
    const session = new Session(args.values);
    const namespace = await session.namespace(args.values.namespace);
    const { failed } = await submitRequests(session, args, namespace, [
      {
        call: "submit",
        values: { method: "DELETE", resource: resource.plural, name, payload: new Uint8Array() },
        label: `${resource.kind.toLowerCase()}/${name}`,
        write: true,
      },
    ]);
    return failed ? EXIT.failure : EXIT.ok;
  },
};
