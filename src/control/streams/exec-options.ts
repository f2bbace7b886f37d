import type { PodExecOptions } from "../../k8s/index.ts";
import { StreamError } from "./errors.ts";

const CONTAINER_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const MAX_ARGS = 256;
const MAX_ARG_LENGTH = 8_192;

/** `exec`/`attach` query → PodExecOptions: `command` (repeated, exec only), `container`, `stdin`, `tty`. */
export function parseExecQuery(
  query: URLSearchParams,
  subresource: "exec" | "attach",
): PodExecOptions {
  const known = new Set(["command", "container", "stdin", "tty"]);
  for (const key of query.keys()) {
    if (!known.has(key)) throw bad(`unknown ${subresource} option '${key}'`);
  }
  const command = query.getAll("command");
  if (subresource === "exec" && command.length === 0) throw bad("exec needs a command");
  if (subresource === "attach" && command.length > 0) throw bad("attach takes no command");
  if (command.length > MAX_ARGS || command.some((arg) => arg.length > MAX_ARG_LENGTH))
    throw bad(`at most ${MAX_ARGS} arguments of ${MAX_ARG_LENGTH} characters`);
  const container = query.get("container") ?? undefined;
  if (container !== undefined && !CONTAINER_NAME.test(container))
    throw bad(`'${container}' is not a container name`);
  return {
    command,
    ...(container === undefined ? {} : { container }),
    stdin: flag(query, "stdin"),
    tty: flag(query, "tty"),
  };
}

/** `portforward` query → the one pod port to forward (`ports=N`, 1..65535). */
export function parsePortQuery(query: URLSearchParams): number {
  for (const key of query.keys()) {
    if (key !== "ports") throw bad(`unknown port-forward option '${key}'`);
  }
  const ports = query.getAll("ports");
  const port = Number(ports[0]);
  if (ports.length !== 1 || !/^\d{1,5}$/.test(ports[0] ?? "") || port < 1 || port > 65_535)
    throw bad("port-forward takes one port, 1 to 65535 (one session per connection)");
  return port;
}

function flag(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  if (value === null || value === "false") return false;
  if (value === "true") return true;
  throw bad(`${name} must be true or false`);
}

function bad(message: string): StreamError {
  return new StreamError("STREAM_BAD_REQUEST", 400, message);
}
