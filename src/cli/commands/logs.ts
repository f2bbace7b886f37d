import { type Command, integerFlag, onePositional } from "../command.ts";
import { CONNECTION_HELP, CONNECTION_OPTIONS } from "../context.ts";
import { CliError, EXIT, usageError } from "../errors.ts";
import { checkObjectName } from "../manifests.ts";
import { Session } from "../session.ts";

/** End reasons after which `logs -f` exits 0: the stream was complete or the pod is gone. */
const CLEAN_ENDS = new Set(["EOF", "POD_GONE", "STOPPED"]);

export const logsCommand: Command = {
  name: "logs",
  summary: "Print a pod's logs (read from nautilus-control as your namespace's account).",
  usage:
    "k8s-daas logs POD [-c CONTAINER] [-f] [--since 5m] [--tail N] [--previous] [-n NAMESPACE]",
  example: "k8s-daas logs web -f --tail 20",
  options: {
    namespace: { type: "string", short: "n" },
    container: { type: "string", short: "c" },
    follow: { type: "boolean", short: "f" },
    since: { type: "string" },
    tail: { type: "string" },
    previous: { type: "boolean", short: "p" },
    timestamps: { type: "boolean" },
    ...CONNECTION_OPTIONS,
  },
  optionHelp: {
    namespace: "your namespace (default: the context's, else the only one you hold)",
    container: "which container (default: the pod's only one)",
    follow: "keep printing lines as they are written, until the pod goes or you stop (Ctrl-C)",
    since: "only lines newer than this: 30s, 5m, 2h",
    tail: "only the last N lines",
    previous: "the previous run of the container (after a restart)",
    timestamps: "prefix each line with its time",
    ...CONNECTION_HELP,
  },
  async run({ values, positionals }) {
    const pod = onePositional(logsCommand, positionals, "pod name");
    checkObjectName(pod);
    if (typeof values.since === "string" && !/^\d{1,9}[smh]?$/.test(values.since))
      throw usageError(`--since takes a duration like 30s, 5m or 2h, got "${values.since}"`);
    const tail =
      values.tail === undefined
        ? undefined
        : integerFlag(values, "tail", 0, { min: 0, max: 1_000_000 });
    const session = new Session(values);
    const namespace = await session.namespace(values.namespace);
    const stop = new AbortController();
    const onSignal = (): void => stop.abort();
    process.once("SIGINT", onSignal);
    try {
      const reason = await session.controlApi().podLog(
        namespace,
        pod,
        {
          container: typeof values.container === "string" ? values.container : undefined,
          follow: values.follow === true ? "true" : undefined,
          previous: values.previous === true ? "true" : undefined,
          timestamps: values.timestamps === true ? "true" : undefined,
          since: typeof values.since === "string" ? values.since : undefined,
          tail: tail === undefined ? undefined : String(tail),
        },
        (chunk) => process.stdout.write(chunk),
        stop.signal,
      );
      if (CLEAN_ENDS.has(reason)) {
        if (reason === "POD_GONE") process.stderr.write(`pod ${namespace}/${pod} is gone\n`);
        return EXIT.ok;
      }
      throw new CliError("STREAM_ENDED", `the log stream ended: ${reason}`, {
        exitCode: EXIT.unavailable,
      });
    } finally {
      process.off("SIGINT", onSignal);
    }
  },
};
