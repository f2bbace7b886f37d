import type { PodLogOptions } from "../../k8s/index.ts";
import { StreamError } from "./errors.ts";

const CONTAINER_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const MAX_TAIL_LINES = 1_000_000;

/**
 * `GET .../log` query → PodLogOptions, validated once here: `container`, `follow`,
 * `previous`, `timestamps` (`true`/`false`), `tail` (lines, 0..1e6), `since` (a duration
 * such as `90s`, `5m`, `2h`, or seconds). Anything else is `STREAM_BAD_REQUEST`.
 */
export function parseLogQuery(query: URLSearchParams): PodLogOptions {
  const known = new Set(["container", "follow", "previous", "timestamps", "tail", "since"]);
  for (const key of query.keys()) {
    if (!known.has(key)) throw bad(`unknown log option '${key}'`);
  }
  const container = query.get("container") ?? undefined;
  if (container !== undefined && !CONTAINER_NAME.test(container))
    throw bad(`'${container}' is not a container name`);
  const tail = query.get("tail");
  let tailLines: number | undefined;
  if (tail !== null) {
    tailLines = Number(tail);
    if (!/^\d+$/.test(tail) || tailLines > MAX_TAIL_LINES)
      throw bad(`tail must be a whole number of lines up to ${MAX_TAIL_LINES}`);
  }
  const since = query.get("since");
  return {
    ...(container === undefined ? {} : { container }),
    follow: flag(query, "follow"),
    previous: flag(query, "previous"),
    timestamps: flag(query, "timestamps"),
    ...(tailLines === undefined ? {} : { tailLines }),
    ...(since === null ? {} : { sinceSeconds: parseSince(since) }),
  };
}

/** `90`, `90s`, `5m`, `2h` → seconds (at least 1). */
export function parseSince(text: string): number {
  const match = /^(\d{1,9})([smh]?)$/.exec(text);
  if (!match?.[1]) throw bad(`since must be a duration like 30s, 5m or 2h, not '${text}'`);
  const seconds = Number(match[1]) * (match[2] === "h" ? 3600 : match[2] === "m" ? 60 : 1);
  if (seconds < 1) throw bad("since must be at least 1s");
  return seconds;
}

function flag(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  if (value === null || value === "false") return false;
  if (value === "true" || value === "") return true;
  throw bad(`${name} must be true or false`);
}

function bad(message: string): StreamError {
  return new StreamError("STREAM_BAD_REQUEST", 400, message);
}
