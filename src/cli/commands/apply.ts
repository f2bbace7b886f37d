import { readFileSync } from "node:fs";
import { type Command, stringFlag } from "../command.ts";
import { printHourlyCost } from "../cost-estimate.ts";
import { CliError, EXIT, usageError } from "../errors.ts";
import { parseManifests } from "../manifests.ts";
import { jsonPayload, REQUEST_HELP, REQUEST_OPTIONS, submitRequests } from "../request-flow.ts";
import { Session } from "../session.ts";

export const applyCommand: Command = {
  name: "apply",
  summary: "Apply Kubernetes objects from a YAML/JSON file (several documents: one transaction).",
  usage: "k8s-daas apply -f FILE|- [-n NAMESPACE]",
  example: "k8s-daas apply -f web.yaml   # or: cat web.yaml | k8s-daas apply -f -",
  options: { filename: { type: "string", short: "f" }, ...REQUEST_OPTIONS },
  optionHelp: { filename: "manifest file, or - for standard input", ...REQUEST_HELP },
  async run(args) {
    const file = stringFlag(args.values, "filename");
    if (!file) throw usageError("-f FILE is required", `usage: ${applyCommand.usage}`);
    const source = file === "-" ? "standard input" : file;
    const text = readSource(file);
    const objects = parseManifests(text, source);
    const session = new Session(args.values);
    const namespace = await session.namespace(
      args.values.namespace ?? objects.find((object) => object.namespace)?.namespace,
    );
    const elsewhere = objects.find((object) => object.namespace && object.namespace !== namespace);
    if (elsewhere) {
      throw new CliError(
        "NAMESPACE_MISMATCH",
        `${elsewhere.label} is in namespace ${elsewhere.namespace}, the others in ${namespace}`,
        { hint: "apply one namespace at a time", exitCode: EXIT.usage },
      );
    }
    await printHourlyCost(
      session,
      objects.map((object) => ({
        kind: object.resource.kind,
        label: object.label,
        object: object.object,
      })),
    );
    const { failed } = await submitRequests(
      session,
      args,
      namespace,
      objects.map((object) => {
        const payload = jsonPayload(object.object);
        return {
          call: "submit" as const,
          values: { method: "POST", resource: object.resource.plural, name: object.name, payload },
          label: object.label,
          write: true,
          payload,
          ...(object.resource.kind === "Secret" ? { secret: `the data of ${object.label}` } : {}),
        };
      }),
    );
    return failed ? EXIT.failure : EXIT.ok;
  },
};

function readSource(file: string): string {
  try {
    return readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (error) {
    throw new CliError("FILE_UNREADABLE", `cannot read ${file}: ${(error as Error).message}`, {
      exitCode: EXIT.usage,
    });
  }
}
