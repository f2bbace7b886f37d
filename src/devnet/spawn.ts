import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { moduleBeside } from "../install/index.ts";

const BIN = moduleBeside(import.meta.url, "../../bin/k8s-daas");

export interface DevnetProcess {
  url: string;
  packageId: string;
  child: ChildProcess;
  /** Ctrl-C, then wait for a clean exit; resolves to the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `k8s-daas devnet` as its own process and waits for its ready line (for tests,
 * benchmarks and the local stack).
 */
export async function startDevnetProcess(
  dataDir: string,
  port = 0,
  extraArgs: readonly string[] = [],
): Promise<DevnetProcess> {
  const child = spawn(
    process.execPath,
    [BIN, "devnet", "--port", String(port), "--data-dir", dataDir, ...extraArgs],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const ready = new Promise<{ url: string; packageId: string }>((resolve, reject) => {
    lines.on("line", (line) => {
      try {
        const parsed = JSON.parse(line) as { event?: string; url?: string; packageId?: string };
        if (parsed.event === "devnet.ready" && parsed.url && parsed.packageId) {
          resolve({ url: parsed.url, packageId: parsed.packageId });
        }
      } catch {
        // not the ready line
      }
    });
    child.once("exit", (code) =>
      reject(new Error(`devnet exited with ${code} before it was ready:\n${stderr}`)),
    );
  });
  const { url, packageId } = await ready;
  return {
    url,
    packageId,
    child,
    stop: async () => {
      if (child.exitCode !== null) return child.exitCode;
      child.kill("SIGINT");
      const [code] = (await once(child, "exit")) as [number | null];
      return code;
    },
  };
}
