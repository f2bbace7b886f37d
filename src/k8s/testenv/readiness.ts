import { setTimeout as sleep } from "node:timers/promises";
import type { CoreV1Api } from "@kubernetes/client-node";
import { TestenvError } from "./errors.ts";
import { logTail } from "./log-tail.ts";
import { nodesNotReady } from "./nodes.ts";
import { type ProbeCredentials, probe } from "./probes.ts";
import type { LaunchedProcess } from "./processes.ts";
import type { ComponentState } from "./state.ts";

const POLL_MS = 250;

async function notReadyError(
  component: ComponentState,
  what: string,
  lastDetail: string,
): Promise<TestenvError> {
  const tail = await logTail(component.logFile);
  return new TestenvError(
    "TESTENV_NOT_READY",
    `${component.name} ${what} (last check: ${lastDetail}); log: ${component.logFile}` +
      (tail ? `\n--- last lines of ${component.logFile} ---\n${tail}` : ""),
  );
}

async function exitedError(component: ComponentState, code: number | null): Promise<TestenvError> {
  const tail = await logTail(component.logFile);
  return new TestenvError(
    "TESTENV_COMPONENT_EXITED",
    `${component.name} (pid ${component.pid}) exited with code ${code} during startup; ` +
      `log: ${component.logFile}` +
      (tail ? `\n--- last lines of ${component.logFile} ---\n${tail}` : ""),
  );
}

/** Polls a component's health endpoint until it answers 200, it exits, or the deadline passes. */
export async function waitHealthy(
  component: ComponentState,
  process: LaunchedProcess,
  credentials: ProbeCredentials,
  deadline: number,
): Promise<void> {
  let last = "not probed yet";
  for (;;) {
    const code = process.exitCode();
    if (code !== undefined) throw await exitedError(component, code);
    const result = await probe(component.healthUrl, credentials, component.name === "apiserver");
    if (result.ok) return;
    last = result.detail;
    if (Date.now() >= deadline) {
      throw await notReadyError(component, `not healthy at ${component.healthUrl}`, last);
    }
    await sleep(POLL_MS);
  }
}

/** Waits until every named node reports Ready (KWOK's node-initialize stage has run). */
export async function waitNodesReady(
  core: CoreV1Api,
  names: readonly string[],
  kwok: ComponentState,
  kwokProcess: LaunchedProcess,
  deadline: number,
): Promise<void> {
  let last = "not checked yet";
  for (;;) {
    const code = kwokProcess.exitCode();
    if (code !== undefined) throw await exitedError(kwok, code);
    try {
      const pending = await nodesNotReady(core, names);
      if (pending.length === 0) return;
      last = `not Ready: ${pending.join(", ")}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() >= deadline) throw await notReadyError(kwok, "did not make nodes Ready", last);
    await sleep(POLL_MS);
  }
}
