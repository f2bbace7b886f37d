import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

/** `from "./x.js"`, `import("./x.js")`, `import "./x.js"`: the relative specifiers a file loads. */
const RELATIVE_SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["'](\.{1,2}\/[^"']+)["']/g;

/**
 * Every relative import of the compiled tree must name a .js file that exists: a `.ts`
 * specifier left over (an import the compiler did not rewrite) would load fine from a clone
 * and fail only once installed. Returns one line per problem.
 */
export function checkCompiledImports(distDir: string): string[] {
  const problems: string[] = [];
  for (const file of javascriptFiles(distDir)) {
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(RELATIVE_SPECIFIER)) {
      const specifier = match[1] ?? "";
      const where = `${relative(distDir, file)} imports "${specifier}"`;
      if (!specifier.endsWith(".js")) problems.push(`${where}: not a .js file`);
      else if (!existsSync(resolve(dirname(file), specifier))) problems.push(`${where}: missing`);
    }
  }
  return problems;
}

function javascriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return javascriptFiles(path);
    return entry.name.endsWith(".js") ? [path] : [];
  });
}
