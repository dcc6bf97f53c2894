/**
 * The annotations of IDL.md (`@deprecated`, `@status`, `@idempotent`, `@resubscribe`,
 * `@conflate`, `@rateLimit`): where each may appear, what arguments it takes, and what it means for the
 * model. Rules that need the method's parameters (a callback to resubscribe, the conflated
 * parameter) are checked by the checker, which has them.
 */
import type { Annotation } from "../syntax/ast.js";
import { Code } from "../diagnostics/diagnostic.js";
import type { Problem } from "../diagnostics/diagnostic.js";
import type { Deprecation } from "./model.js";
import { rateLimitProblem } from "./rate-limit.js";

/** What an annotation is attached to. */
export type AnnotationTarget =
  | "enum"
  | "record"
  | "error"
  | "union"
  | "interface"
  | "callback"
  | "enum member"
  | "field"
  | "union case"
  | "interface method"
  | "callback method"
  | "parameter";

export interface AnnotationMeaning {
  readonly deprecated?: Deprecation;
  readonly status?: number;
  readonly idempotent: boolean;
  readonly resubscribe?: true;
  /** The parameter named by `@conflate("param")`. */
  readonly conflate?: string;
  /** `@rateLimit("20/s")`, as written (validated). */
  readonly rateLimit?: string;
}

export const DEFAULT_ERROR_STATUS = 400;

const knownAnnotations = new Set([
  "deprecated",
  "status",
  "idempotent",
  "resubscribe",
  "conflate",
  "rateLimit",
]);

const NO_ANNOTATIONS: AnnotationMeaning = Object.freeze({ idempotent: false });

/** Validates `annotations` for `target`, reporting into `problems`; returns what they mean. */
export function readAnnotations(
  annotations: readonly Annotation[],
  target: AnnotationTarget,
  problems: Problem[],
): AnnotationMeaning {
  if (annotations.length === 0) return NO_ANNOTATIONS;
  let deprecated: Deprecation | undefined;
  let status: number | undefined;
  let idempotent = false;
  let resubscribe = false;
  let conflate: string | undefined;
  let rateLimit: string | undefined;
  const report = (code: Problem["code"], message: string, annotation: Annotation) =>
    problems.push({ code, message, span: annotation.span });

  for (const [index, annotation] of annotations.entries()) {
    if (annotation.name === "") continue;
    if (!knownAnnotations.has(annotation.name)) {
      report(
        Code.UnknownAnnotation,
        `unknown annotation "@${annotation.name}" (known: ${[...knownAnnotations].map((name) => `@${name}`).join(", ")})`,
        annotation,
      );
      continue;
    }
    if (annotations.slice(0, index).some((earlier) => earlier.name === annotation.name)) {
      report(Code.DuplicateAnnotation, `duplicate annotation "@${annotation.name}"`, annotation);
      continue;
    }
    const args = annotation.args;
    switch (annotation.name) {
      case "deprecated": {
        const reason = args[0];
        if (args.length > 1 || (reason && reason.kind !== "string")) {
          report(
            Code.BadAnnotationArgs,
            `@deprecated takes no argument or one string (the reason)`,
            annotation,
          );
        }
        deprecated = reason?.kind === "string" ? reason.value : true;
        break;
      }
      case "status": {
        if (target !== "error") {
          report(
            Code.MisplacedAnnotation,
            `@status applies only to errors, not to a ${target}`,
            annotation,
          );
          break;
        }
        const code = args[0];
        if (args.length !== 1 || code?.kind !== "integer") {
          report(
            Code.BadAnnotationArgs,
            `@status takes one integer argument (an HTTP status from 400 to 599)`,
            annotation,
          );
        } else if (!Number.isInteger(code.value) || code.value < 400 || code.value > 599) {
          report(
            Code.BadAnnotationArgs,
            `@status(${code.value}) is out of range: an error's HTTP status is from 400 to 599`,
            annotation,
          );
        } else {
          status = code.value;
        }
        break;
      }
      case "idempotent":
        if (target !== "interface method") {
          report(
            Code.MisplacedAnnotation,
            `@idempotent applies only to interface methods, not to a ${target}`,
            annotation,
          );
        } else if (args.length > 0) {
          report(Code.BadAnnotationArgs, `@idempotent takes no arguments`, annotation);
        } else {
          idempotent = true;
        }
        break;
      case "resubscribe":
        if (target !== "interface method") {
          report(
            Code.MisplacedAnnotation,
            `@resubscribe applies only to interface methods, not to ${withArticle(target)}`,
            annotation,
          );
        } else if (args.length > 0) {
          report(Code.BadAnnotationArgs, `@resubscribe takes no arguments`, annotation);
        } else {
          resubscribe = true;
        }
        break;
      case "conflate": {
        const param = args[0];
        if (target !== "callback method") {
          report(
            Code.MisplacedAnnotation,
            `@conflate applies only to oneway callback methods, not to ${withArticle(target)}`,
            annotation,
          );
        } else if (args.length !== 1 || param?.kind !== "string") {
          report(
            Code.BadAnnotationArgs,
            `@conflate takes one string argument (the parameter whose value keys the replacement)`,
            annotation,
          );
        } else {
          conflate = param.value;
        }
        break;
      }
      case "rateLimit": {
        const limit = args[0];
        if (target !== "interface method") {
          report(
            Code.MisplacedAnnotation,
            `@rateLimit applies only to interface methods, not to ${withArticle(target)}`,
            annotation,
          );
        } else if (args.length !== 1 || limit?.kind !== "string") {
          report(
            Code.BadAnnotationArgs,
            `@rateLimit takes one string argument, e.g. @rateLimit("20/s")`,
            annotation,
          );
        } else {
          const problem = rateLimitProblem(limit.value);
          if (problem === undefined) rateLimit = limit.value.trim();
          else report(Code.BadRateLimit, `@rateLimit("${limit.value}"): ${problem}`, annotation);
        }
        break;
      }
    }
  }
  // Set one by one rather than spread from six objects: a big program has many of these.
  const meaning: { -readonly [K in keyof AnnotationMeaning]: AnnotationMeaning[K] } = {
    idempotent,
  };
  if (deprecated !== undefined) meaning.deprecated = deprecated;
  if (status !== undefined) meaning.status = status;
  if (resubscribe) meaning.resubscribe = true;
  if (conflate !== undefined) meaning.conflate = conflate;
  if (rateLimit !== undefined) meaning.rateLimit = rateLimit;
  return meaning;
}

/** "a record", "an enum member". */
function withArticle(target: AnnotationTarget): string {
  return `${/^[aeiou]/.test(target) ? "an" : "a"} ${target}`;
}
