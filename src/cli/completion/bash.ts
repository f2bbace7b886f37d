import {
  CONTEXT_ACTIONS,
  CONTEXT_FLAG,
  type CompletionSpec,
  flagWords,
  pathFlagWords,
} from "./spec.ts";

/**
 * A bash completion function for every command, action and flag of the table. Context names
 * are asked of the program itself (`config get-contexts -o name`) when needed.
 */
export function bashCompletion(spec: CompletionSpec): string {
  const fn = `_${spec.program.replace(/[^A-Za-z0-9]/g, "_")}`;
  const cases = spec.commands.map((command) =>
    [
      `    ${command.name})`,
      `      actions=${quote(command.actions.join(" "))}`,
      `      flags=${quote(flagWords(command).join(" "))}`,
      `      valued=${quote(flagWords(command, "valued").join(" "))}`,
      `      paths=${quote(pathFlagWords(command).join(" "))}`,
      "      ;;",
    ].join("\n"),
  );
  return `# bash completion for ${spec.program}, generated from its command table by
# \`${spec.program} completion bash\`. Load it in this shell:    source <(${spec.program} completion bash)
# or for every shell:  ${spec.program} completion bash > ~/.local/share/bash-completion/completions/${spec.program}

${fn}_contexts() {
  "\${COMP_WORDS[0]}" config get-contexts -o name 2>/dev/null
}

${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  if [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=($(compgen -W ${quote([...spec.commands.map((command) => command.name), "--help", "--version"].join(" "))} -- "$cur"))
    return
  fi
  local command="\${COMP_WORDS[1]}" actions="" flags="" valued="" paths=""
  case "$command" in
${cases.join("\n")}
    *) return ;;
  esac
  if [[ "$prev" == --${CONTEXT_FLAG} ]]; then
    COMPREPLY=($(compgen -W "$(${fn}_contexts)" -- "$cur"))
    return
  fi
  if [[ " $paths " == *" $prev "* ]]; then
    COMPREPLY=($(compgen -f -- "$cur"))
    return
  fi
  if [[ " $valued " == *" $prev "* ]]; then
    COMPREPLY=()
    return
  fi
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
    return
  fi
  # Words before this one that are neither flags nor a flag's value.
  local i positionals=()
  for ((i = 2; i < COMP_CWORD; i++)); do
    if [[ "\${COMP_WORDS[i]}" != -* && " $valued " != *" \${COMP_WORDS[i-1]} "* ]]; then
      positionals+=("\${COMP_WORDS[i]}")
    fi
  done
  if [[ \${#positionals[@]} -eq 0 && -n "$actions" ]]; then
    COMPREPLY=($(compgen -W "$actions" -- "$cur"))
  elif [[ \${#positionals[@]} -eq 1 && "$command" == config && " ${CONTEXT_ACTIONS.join(" ")} " == *" \${positionals[0]} "* ]]; then
    COMPREPLY=($(compgen -W "$(${fn}_contexts)" -- "$cur"))
  else
    COMPREPLY=()
  fi
}

complete -F ${fn} ${spec.program}
`;
}

/** A bash word in double quotes (flag and action names never hold quotes or `$`). */
function quote(words: string): string {
  return `"${words}"`;
}
