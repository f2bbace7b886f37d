// A linear pre-scan for deeply nested flow collections (`[[[[…` or `{"a":{"a":…`). The YAML
// parser recurses once per level and, given thousands, spends hundreds of milliseconds
// before it overflows its stack; this finds the same bombs in microseconds. It counts
// brackets outside quoted strings and comments, so a plain scalar holding more than
// `maxDepth` unclosed brackets would be refused too: no manifest has one.

/** The largest flow-bracket depth in `text`, stopping early once it passes `limit`. */
export function flowNestingDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let quote: '"' | "'" | undefined;
  let comment = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (comment) {
      if (char === "\n") comment = false;
    } else if (quote === '"') {
      if (char === "\\") index++;
      else if (char === '"') quote = undefined;
    } else if (quote === "'") {
      if (char === "'") quote = undefined; // '' (an escaped quote) reopens at once
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === "#" && (index === 0 || /\s/.test(text[index - 1] ?? ""))) {
      comment = true;
    } else if (char === "[" || char === "{") {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if ((char === "]" || char === "}") && depth > 0) {
      depth--;
    }
  }
  return deepest;
}
