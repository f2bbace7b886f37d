// Shell completion scripts (bash, zsh, fish) generated from the command table, so they
// list exactly the commands, actions and flags the CLI accepts.
export { bashCompletion } from "./bash.ts";
export { fishCompletion } from "./fish.ts";
export { type CompletionSpec, completionSpec } from "./spec.ts";
export { zshCompletion } from "./zsh.ts";
