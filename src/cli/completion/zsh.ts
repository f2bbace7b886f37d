import {
  CONTEXT_ACTIONS,
  CONTEXT_FLAG,
  type CompletionSpec,
  flagWords,
  pathFlagWords,
} from "./spec.ts";

/**
 * A zsh completion function (commands with their summaries, actions, flags, paths, context
 * names), for `fpath` autoloading or for `source`.
 */
export function zshCompletion(spec: CompletionSpec): string {
  const fn = `_${spec.program}`;
  const commands = spec.commands.map(
    (command) => `    ${single(`${command.name}:${command.summary}`)}`,
  );
  const cases = spec.commands.map((command) =>
    [
      `    ${command.name})`,
      `      actions=(${command.actions.join(" ")})`,
      `      flags=(${flagWords(command).join(" ")})`,
      `      valued=(${flagWords(command, "valued").join(" ")})`,
      `      paths=(${pathFlagWords(command).join(" ")})`,
      "      ;;",
    ].join("\n"),
  );
  return `#compdef ${spec.program}
# zsh completion for ${spec.program}, generated from its command table by
# \`${spec.program} completion zsh\`. Load it in this shell:    source <(${spec.program} completion zsh)
# or for every shell: ${spec.program} completion zsh > "\${fpath[1]}/_${spec.program}"

${fn}() {
  local -a commands actions flags valued paths positionals context_actions
  context_actions=(${CONTEXT_ACTIONS.join(" ")})
  commands=(
${commands.join("\n")}
  )
  if (( CURRENT == 2 )); then
    _describe -t commands '${spec.program} command' commands
    return
  fi
  local command=$words[2] prev=$words[CURRENT-1] cur=$words[CURRENT]
  case $command in
${cases.join("\n")}
    *) return 1 ;;
  esac
  if [[ $prev == --${CONTEXT_FLAG} ]]; then
    compadd -- \${(f)"$($words[1] config get-contexts -o name 2>/dev/null)"}
    return
  fi
  if (( \${paths[(Ie)$prev]} )); then
    _files
    return
  fi
  (( \${valued[(Ie)$prev]} )) && return 1
  if [[ $cur == -* ]]; then
    compadd -- $flags
    return
  fi
  local i
  for (( i = 3; i < CURRENT; i++ )); do
    if [[ $words[i] != -* ]] && (( ! \${valued[(Ie)$words[i-1]]} )); then
      positionals+=($words[i])
    fi
  done
  if (( \${#positionals} == 0 && \${#actions} > 0 )); then
    compadd -- $actions
  elif (( \${#positionals} == 1 )) && [[ $command == config ]] && (( \${context_actions[(Ie)$positionals[1]]} )); then
    compadd -- \${(f)"$($words[1] config get-contexts -o name 2>/dev/null)"}
  else
    return 1
  fi
}

if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  ${fn} "$@"
else
  compdef ${fn} ${spec.program}
fi
`;
}

/** A zsh single-quoted word. */
function single(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}
