import { readFile } from "node:fs/promises";

/** Last lines of a component log, for error messages; empty if the log cannot be read. */
export async function logTail(logFile: string, lines = 15): Promise<string> {
  try {
    const text = await readFile(logFile, "utf8");
    return text.trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}
