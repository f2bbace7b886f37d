// A pino logger whose records a test can read back: how often something happened is in
// the control plane's logs only (e.g. "worker node removed").
import pino, { type Logger } from "pino";

export interface LogRecord {
  level: number;
  msg?: string;
  [key: string]: unknown;
}

export interface CapturedLog {
  readonly log: Logger;
  readonly records: LogRecord[];
  /** Records with this message whose fields include `fields`. */
  matching(msg: string, fields?: Record<string, unknown>): LogRecord[];
}

export function captureLog(level: pino.LevelWithSilent = "info"): CapturedLog {
  const records: LogRecord[] = [];
  const log = pino(
    { level },
    { write: (line: string) => void records.push(JSON.parse(line) as LogRecord) },
  );
  return {
    log,
    records,
    matching: (msg, fields = {}) =>
      records.filter(
        (record) =>
          record.msg === msg &&
          Object.entries(fields).every(([key, value]) => record[key] === value),
      ),
  };
}
