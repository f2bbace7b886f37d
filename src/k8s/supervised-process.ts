import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { type BackoffPolicy, backoffDelay, sleep } from "../shared/backoff.ts";

export interface SupervisedProcessOptions {
  command: string;
  args: readonly string[];
  /** Values passed through the environment, not argv (e.g. a token other users must not see). */
  env?: Record<string, string>;
  backoff?: BackoffPolicy;
  log?: (line: string) => void;
}

const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 30_000 };

/**
 * Keeps one child process running: restarted with capped backoff when it dies (a run that
 * lasted over a minute resets the backoff), stopped with SIGTERM then SIGKILL. Used for
 * `k3s server` (K3sServer) and `k3s agent` (the worker's real join).
 */
export class SupervisedProcess {
  restarts = 0;
  readonly #o: SupervisedProcessOptions;
  #child: ChildProcess | undefined;
  #stopping = false;
  #supervision: Promise<void> | undefined;

  constructor(options: SupervisedProcessOptions) {
    this.#o = options;
  }

  start(): void {
    this.#spawn();
    this.#supervision = this.#supervise();
  }

  get running(): boolean {
    const child = this.#child;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  async stop(graceMs = 20_000): Promise<void> {
    this.#stopping = true;
    const child = this.#child;
    if (child && this.running) {
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    }
    await this.#supervision;
  }

  #spawn(): void {
    const child = spawn(this.#o.command, [...this.#o.args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...this.#o.env },
    });
    const log = this.#o.log;
    if (log) {
      child.stdout?.on("data", (chunk: Buffer) => log(chunk.toString().trimEnd()));
      child.stderr?.on("data", (chunk: Buffer) => log(chunk.toString().trimEnd()));
    }
    child.on("error", (error) => log?.(`${this.#o.command}: ${error.message}`));
    this.#child = child;
  }

  async #supervise(): Promise<void> {
    let failures = 0;
    while (!this.#stopping) {
      const child = this.#child;
      if (!child) return;
      const started = Date.now();
      const [code, signal] = (await once(child, "exit")) as [number | null, string | null];
      if (this.#stopping) return;
      failures = Date.now() - started > 60_000 ? 0 : failures + 1;
      const delay = backoffDelay(this.#o.backoff ?? DEFAULT_BACKOFF, failures - 1, () => 1);
      this.#o.log?.(
        `${this.#o.command} exited (${signal ?? `code ${code}`}); restarting in ${delay} ms`,
      );
      await sleep(delay);
      if (this.#stopping) return;
      this.restarts++;
      this.#spawn();
    }
  }
}
