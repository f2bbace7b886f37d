import { TestenvError } from "./errors.ts";
import { runCommand } from "./run-command.ts";
import type { TestenvVersions } from "./state.ts";

/** Asks the binary what it was built from (`kube-testenv version` prints JSON). */
export async function binaryVersions(binary: string): Promise<TestenvVersions> {
  const result = await runCommand(binary, ["version"]);
  if (result.code !== 0) {
    throw new TestenvError(
      "TESTENV_BUILD_FAILED",
      `${binary} version failed (exit ${result.code}): ${result.stderr.trim()}`,
    );
  }
  return JSON.parse(result.stdout) as TestenvVersions;
}
