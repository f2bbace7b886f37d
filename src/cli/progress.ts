/**
 * Shows that a command is waiting: a spinner with elapsed seconds on a terminal, one plain
 * line per state change (and a heartbeat line every 10 s) otherwise, so logs stay readable.
 * Always on stderr: stdout carries the answer.
 */
export interface Progress {
  update(text: string): void;
  /** Clears the spinner and prints a final line (if given). */
  done(line?: string): void;
}

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const HEARTBEAT_MS = 10_000;

export function startProgress(
  text: string,
  stream: NodeJS.WriteStream = process.stderr,
  interactive = stream.isTTY === true && process.env.CI === undefined,
): Progress {
  const started = Date.now();
  let current = text;
  let frame = 0;
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
  if (!interactive) {
    stream.write(`${current}...\n`);
    let lastLine = Date.now();
    const heartbeat = setInterval(() => {
      if (Date.now() - lastLine >= HEARTBEAT_MS) {
        stream.write(`${current}... (${elapsed()})\n`);
        lastLine = Date.now();
      }
    }, 1_000);
    heartbeat.unref();
    return {
      update(next) {
        if (next === current) return;
        current = next;
        lastLine = Date.now();
        stream.write(`${current}... (${elapsed()})\n`);
      },
      done(line) {
        clearInterval(heartbeat);
        if (line) stream.write(`${line}\n`);
      },
    };
  }
  const render = () => {
    stream.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${current} ${elapsed()}`);
  };
  render();
  const timer = setInterval(render, 100);
  timer.unref();
  return {
    update(next) {
      current = next;
      render();
    },
    done(line) {
      clearInterval(timer);
      stream.write("\r\x1b[2K");
      if (line) stream.write(`${line}\n`);
    },
  };
}
