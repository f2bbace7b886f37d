// The shape checks every policy file needs: a list where a list belongs, a mapping where a
// mapping belongs, with the refusal naming the field; and a check run over a list's items.
import { type Rejection, rejection } from "./errors.ts";
import { type FieldPath, formatPath } from "./field-path.ts";
import { isUnset } from "./values.ts";

/** The list at `path` (empty when unset), or the rejection for a non-list. */
export function listAt(value: unknown, path: FieldPath): unknown[] | Rejection {
  if (isUnset(value)) return [];
  if (Array.isArray(value)) return value;
  return rejection("ADMISSION_FIELD_INVALID", `${formatPath(path)} must be a list`);
}

export function mustBeMapping(path: FieldPath): Rejection {
  return rejection("ADMISSION_FIELD_INVALID", `${formatPath(path)} must be a mapping`);
}

/** Runs `check` on every item of the list at `path` (unset: none); the first problem wins. */
export function checkEach(
  items: unknown,
  path: FieldPath,
  check: (item: unknown, path: FieldPath) => Rejection | undefined,
): Rejection | undefined {
  const list = listAt(items, path);
  if (!Array.isArray(list)) return list;
  for (const [index, item] of list.entries()) {
    const problem = check(item, [...path, index]);
    if (problem !== undefined) return problem;
  }
  return undefined;
}
