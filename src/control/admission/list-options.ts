// The options of a list request (GET without a name). The chain's request has no query
// string, so a list may carry them as its payload: a mapping with `limit`, `labelSelector`
// and `continue`, nothing else. Without a payload a list gets one page of `maxListItems`.
import type { ListQuery } from "../../k8s/operations.ts";
import { accept, type Checked, refuse, rejection } from "./errors.ts";
import { labelValueProblem, qualifiedNameProblem } from "./names.ts";
import type { AdmissionPolicy } from "./policy.ts";
import { describe, isUnset, type Mapping } from "./values.ts";

const LIST_OPTIONS = new Set(["limit", "labelSelector", "continue"]);
/** Far above any useful selector, far below what would make a long request line. */
const MAX_SELECTOR_LENGTH = 1024;
/** The API server's continue tokens are unpadded base64url of a small JSON object. */
const CONTINUE_TOKEN = /^[A-Za-z0-9_-]{1,1024}$/;

/** The query of a list without options: the policy's page size. */
export function defaultListQuery(policy: AdmissionPolicy): ListQuery {
  return { limit: policy.maxListItems };
}

/** Validates a list request's options mapping. */
export function listQueryOf(options: Mapping, policy: AdmissionPolicy): Checked<ListQuery> {
  for (const key of Object.keys(options)) {
    if (!LIST_OPTIONS.has(key)) {
      return refuse(rejection("ADMISSION_LIST_OPTION_INVALID", `unknown option ${describe(key)}`));
    }
  }
  const query = defaultListQuery(policy);
  const { limit, labelSelector, continue: token } = options;
  if (!isUnset(limit)) {
    if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1) {
      return refuse(rejection("ADMISSION_LIST_LIMIT_INVALID", `limit is ${describe(limit)}`));
    }
    if (limit > policy.maxListItems) {
      return refuse(
        rejection(
          "ADMISSION_LIST_LIMIT_INVALID",
          `limit is ${limit}, the cluster returns at most ${policy.maxListItems}`,
        ),
      );
    }
    query.limit = limit;
  }
  if (!isUnset(labelSelector)) {
    if (typeof labelSelector !== "string") {
      return refuse(
        rejection("ADMISSION_LIST_OPTION_INVALID", `labelSelector is ${describe(labelSelector)}`),
      );
    }
    const problem = labelSelectorProblem(labelSelector);
    if (problem !== undefined) {
      return refuse(rejection("ADMISSION_LIST_OPTION_INVALID", `labelSelector: ${problem}`));
    }
    if (labelSelector.trim() !== "") query.labelSelector = labelSelector;
  }
  if (!isUnset(token)) {
    if (typeof token !== "string" || !CONTINUE_TOKEN.test(token)) {
      return refuse(
        rejection(
          "ADMISSION_LIST_OPTION_INVALID",
          `continue must be the token of a previous page, not ${describe(token)}`,
        ),
      );
    }
    query.continue = token;
  }
  return accept(query);
}

const KEY = String.raw`[^\s=!(),<>]+`;
const EXISTS = new RegExp(`^(!?)\\s*(${KEY})$`);
const EQUALITY = new RegExp(`^(${KEY})\\s*(==|!=|=)\\s*([^\\s=!(),<>]*)$`);
const SET = new RegExp(`^(${KEY})\\s+(in|notin)\\s*\\(([^()]*)\\)$`);

/**
 * `undefined` for a label selector the API server parses (`a=b,c!=d,e in (f,g),!h,i`), else
 * the problem. The ordering operators (`>`, `<`) are left out: no tenant label is a number
 * that needs them.
 */
export function labelSelectorProblem(selector: string): string | undefined {
  if (selector.length > MAX_SELECTOR_LENGTH) return `longer than ${MAX_SELECTOR_LENGTH}`;
  if (selector.trim() === "") return undefined;
  for (const requirement of splitRequirements(selector)) {
    const problem = requirementProblem(requirement.trim());
    if (problem !== undefined) return `${JSON.stringify(requirement.trim())}: ${problem}`;
  }
  return undefined;
}

/** Splits at the commas that separate requirements (not those inside `in (a,b)`). */
function splitRequirements(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index < selector.length; index++) {
    const char = selector[index];
    if (char === "(") depth++;
    else if (char === ")") depth--;
    else if (char === "," && depth === 0) {
      parts.push(selector.slice(start, index));
      start = index + 1;
    }
  }
  parts.push(selector.slice(start));
  return parts;
}

function requirementProblem(requirement: string): string | undefined {
  const set = SET.exec(requirement);
  if (set) {
    const values = (set[3] ?? "").split(",").map((value) => value.trim());
    if (values.length === 1 && values[0] === "") return "an empty set of values";
    return (
      qualifiedNameProblem(set[1] ?? "") ??
      values.map(labelValueProblem).find((problem) => problem !== undefined)
    );
  }
  const equality = EQUALITY.exec(requirement);
  if (equality) {
    return qualifiedNameProblem(equality[1] ?? "") ?? labelValueProblem(equality[3] ?? "");
  }
  const exists = EXISTS.exec(requirement);
  if (exists) return qualifiedNameProblem(exists[2] ?? "");
  return "not a requirement (key, !key, key=value, key!=value, key in (...), key notin (...))";
}
