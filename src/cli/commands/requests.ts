import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { ResultWatcher } from "../../chain/results.ts";
import { openResult, ReplyKeys, type ResultDocument } from "../../gateway/index.ts";
import { type Command, onePositional, type ParsedArgs } from "../command.ts";
import { CONNECTION_HELP, CONNECTION_OPTIONS } from "../context.ts";
import type { RequestView } from "../control-api.ts";
import { CliError, EXIT, usageError } from "../errors.ts";
import { formatData, printResult } from "../output.ts";
import { Session } from "../session.ts";

/** Inbox states after which nothing changes: the result is on chain, or never will be. */
const FINISHED = new Set(["reported", "cancelled"]);

function requestId(text: string): bigint {
  if (!/^\d{1,20}$/.test(text)) throw usageError(`a request id is a number, got "${text}"`);
  return BigInt(text);
}

function table(views: readonly RequestView[]) {
  return {
    headers: ["ID", "STATE", "METHOD", "RESOURCE", "NAMESPACE", "NAME", "STATUS", "RESULT"],
    rows: views.map((view) => [
      view.requestId,
      view.state,
      view.method,
      view.resource,
      view.namespace,
      view.name || "-",
      view.statusCode === undefined ? "" : String(view.statusCode),
      view.errorCode ? `${view.errorCode}: ${view.summary ?? ""}` : (view.summary ?? ""),
    ]),
  };
}

export const requestsCommand: Command = {
  name: "requests",
  summary: "List your requests and their state (from nautilus-control), or follow one.",
  usage: "k8s-daas requests [ID] [--watch] [--limit N]",
  example: "k8s-daas requests 12 --watch",
  options: {
    watch: { type: "boolean", short: "w" },
    limit: { type: "string" },
    ...CONNECTION_OPTIONS,
  },
  optionHelp: {
    watch: "keep showing changes (for an ID: until it has a result)",
    limit: "how many of your latest requests to list (default 20)",
    ...CONNECTION_HELP,
  },
  async run({ values, positionals }: ParsedArgs) {
    const session = new Session(values);
    const api = session.controlApi();
    const id =
      positionals.length === 0
        ? undefined
        : requestId(onePositional(requestsCommand, positionals, "request id"));
    const limit = Number(values.limit ?? 20);
    const read = async () =>
      id === undefined ? await api.requests(limit) : [await api.request(id)];
    let last = "";
    for (;;) {
      const views = await read();
      const rendered = formatData("json", views);
      if (rendered !== last) {
        printResult(session.connection.output, id === undefined ? views : views[0], () =>
          table(views),
        );
        last = rendered;
      }
      const finished = id !== undefined && views.every((view) => FINISHED.has(view.state));
      if (values.watch !== true || finished) {
        const failed = id !== undefined && (views[0]?.statusCode ?? 0) >= 400;
        return failed ? EXIT.failure : EXIT.ok;
      }
      await sleep(1_000);
    }
  },
};

export const resultCommand: Command = {
  name: "result",
  summary: "Show a request's full output (served by nautilus-control to you only, signed request).",
  usage: "k8s-daas result ID [-o table|json|yaml]",
  example: "k8s-daas result 12 -o yaml",
  options: CONNECTION_OPTIONS,
  optionHelp: CONNECTION_HELP,
  async run({ values, positionals }) {
    const id = requestId(onePositional(resultCommand, positionals, "request id"));
    const session = new Session(values);
    const api = session.controlApi();
    const view = await api.request(id);
    if (view.statusCode === undefined) {
      throw new CliError("NOT_FINISHED", `request ${id} is ${view.state}; it has no result yet`, {
        hint: `wait for it: k8s-daas requests ${id} --watch`,
      });
    }
    const { text, body } = await api.output(id);
    // The digest on chain covers the served bytes: checked before anything is opened.
    const verified = await verifyAgainstChain(session, id, text);
    const keys = new ReplyKeys(session.connection);
    const { document: result, sealed } = openResult(
      keys,
      { clusterId: session.connection.clusterId, requestId: id },
      body as ResultDocument,
    );
    printResult(session.connection.output, { request: view, ...result, sealed, verified }, () =>
      [
        `request ${id}: ${view.method} ${view.resource}${view.name ? `/${view.name}` : ""} in ${view.namespace}`,
        `result:  ${result.statusCode}${result.errorCode ? ` ${result.errorCode}` : ""} ${result.summary}`,
        `chain:   submitted in ${view.submittedTx}${view.resultTx ? `, result in ${view.resultTx}` : ""}`,
        `sha256:  ${verified.sha256} (${verified.onChain ? `matches the K8sAPIResultEvent in ${verified.resultTx}` : "no result on chain yet"})`,
        ...(sealed ? [`sealed:  output opened with the one-time key ${keys.path(id)}`] : []),
        "output:",
        formatData("yaml", result.output)
          .split("\n")
          .map((line) => `  ${line}`)
          .join("\n"),
      ].join("\n"),
    );
    return result.statusCode >= 400 ? EXIT.failure : EXIT.ok;
  },
};

/**
 * The control plane serves the output; the chain holds its sha256, posted with the enclave's
 * signature. A mismatch means the served output is not what was attested: refuse to show it
 * as the result.
 */
async function verifyAgainstChain(session: Session, id: bigint, output: string) {
  const sha256 = createHash("sha256").update(output, "utf8").digest("hex");
  const watcher = new ResultWatcher(
    session.client,
    session.connection.packageId,
    session.connection.clusterId,
  );
  const found = (await session.chain(() => watcher.poll())).get(String(id));
  if (!found) return { sha256, onChain: false as const };
  const onChain = Buffer.from(found.event.output_sha256).toString("hex");
  if (onChain !== sha256) {
    throw new CliError(
      "OUTPUT_MISMATCH",
      `the output nautilus-control served for request ${id} has sha256 ${sha256}, but the result on chain says ${onChain}`,
      {
        hint: `the control plane at ${session.connection.controlUrl} is not serving the attested output`,
      },
    );
  }
  return { sha256, onChain: true as const, resultTx: found.txDigest };
}
