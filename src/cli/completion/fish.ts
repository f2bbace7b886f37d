import { CONTEXT_ACTIONS, CONTEXT_FLAG, type CompletionSpec, PATH_FLAGS } from "./spec.ts";

/** fish completions: one `complete` line per command, action and flag. */
export function fishCompletion(spec: CompletionSpec): string {
  const p = spec.program;
  const fn = `__${p.replace(/[^A-Za-z0-9]/g, "_")}`;
  const lines = [
    `# fish completion for ${p}, generated from its command table by \`${p} completion fish\`.`,
    `# Load it in this shell:  ${p} completion fish | source`,
    `# or for every shell:    ${p} completion fish > ~/.config/fish/completions/${p}.fish`,
    "",
    "# True when the words typed so far are exactly the program and these words.",
    `function ${fn}_typed`,
    "    set -l tokens (commandline -opc)",
    "    test (count $tokens) -eq (math (count $argv) + 1); or return 1",
    "    for i in (seq (count $argv))",
    "        set -l word (math $i + 1)",
    '        test "$tokens[$word]" = "$argv[$i]"; or return 1',
    "    end",
    "end",
    "",
    "# True when the command (the second word) is $argv[1].",
    `function ${fn}_using`,
    "    set -l tokens (commandline -opc)",
    '    test (count $tokens) -ge 2; and test "$tokens[2]" = "$argv[1]"',
    "end",
    "",
    `function ${fn}_contexts`,
    `    ${p} config get-contexts -o name 2>/dev/null`,
    "end",
    "",
    `complete -c ${p} -f`,
    `complete -c ${p} -n '${fn}_typed' -l help -d 'show the help'`,
    `complete -c ${p} -n '${fn}_typed' -l version -d 'show the version, commit and default package'`,
  ];
  for (const command of spec.commands) {
    lines.push(
      "",
      `complete -c ${p} -n '${fn}_typed' -a ${command.name} -d ${single(command.summary)}`,
    );
    for (const action of command.actions) {
      lines.push(`complete -c ${p} -n '${fn}_typed ${command.name}' -a ${action}`);
    }
    if (command.name === "config") {
      for (const action of CONTEXT_ACTIONS) {
        lines.push(`complete -c ${p} -n '${fn}_typed config ${action}' -a '(${fn}_contexts)'`);
      }
    }
    for (const flag of command.flags) {
      const spelling = `${flag.short ? `-s ${flag.short} ` : ""}-l ${flag.long}`;
      const value =
        flag.long === CONTEXT_FLAG
          ? ` -x -a '(${fn}_contexts)'`
          : PATH_FLAGS.has(flag.long)
            ? " -r -F"
            : flag.takesValue
              ? " -x"
              : "";
      lines.push(
        `complete -c ${p} -n '${fn}_using ${command.name}' ${spelling}${value} -d ${single(flag.help)}`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}

/** A fish single-quoted word: only `\\` and `'` are special inside. */
function single(text: string): string {
  return `'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}
