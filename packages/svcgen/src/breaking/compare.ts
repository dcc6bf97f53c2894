/**
 * Two versions of a set of services → every change that breaks a peer built from the old
 * version talking to one built from the new: deployed clients calling the new server, and
 * the new server calling back deployed clients' callback implementations.
 *
 * Only what travels is compared. Services are paired by wire name; everything else is reached
 * from them and paired by position of use (a record renamed but shaped the same travels the
 * same JSON). Each value is judged by its direction: a *request* value is written by the old
 * peer and read by the new one (interface parameters, callback results), a *response* value
 * is written by the new peer and read by the old one (interface results and errors, callback
 * parameters). docs/breaking.md is the table, with the reason for each row.
 */
import type {
  CallbackDecl,
  Declaration,
  EnumDecl,
  ErrorDecl,
  Field,
  InterfaceDecl,
  Method,
  Model,
  RecordDecl,
  SourceSpan,
  TypeRef,
  UnionDecl,
} from "../model/model.js";
import { typeText } from "../model/type-text.js";
import { BreakingCode } from "./codes.js";
import type { BreakingCodeValue } from "./codes.js";

export interface BreakingChange {
  readonly code: BreakingCodeValue;
  readonly message: string;
  /** In the new version; in the old one only for what has no place in the new. */
  readonly span: SourceSpan;
}

type Direction = "request" | "response";

export function compareModels(before: Model, after: Model): BreakingChange[] {
  const comparison = new Comparison(before, after);
  comparison.run();
  return comparison.changes();
}

class Comparison {
  private readonly found = new Map<string, BreakingChange>();
  /** Declaration pairs already compared in a direction: recursive types end here. */
  private readonly compared = new Set<string>();

  constructor(
    private readonly before: Model,
    private readonly after: Model,
  ) {}

  changes(): BreakingChange[] {
    return [...this.found.values()].sort(
      (a, b) =>
        (a.span.file < b.span.file ? -1 : a.span.file > b.span.file ? 1 : 0) ||
        a.span.line - b.span.line ||
        a.span.column - b.span.column ||
        (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
    );
  }

  private report(code: BreakingCodeValue, message: string, span: SourceSpan): void {
    const key = `${code}\0${span.file}:${span.line}:${span.column}\0${message}`;
    if (!this.found.has(key)) this.found.set(key, { code, message, span });
  }

  run(): void {
    const services = (model: Model) =>
      [...model.declarations.values()].filter(
        (declaration): declaration is InterfaceDecl => declaration.kind === "interface",
      );
    const afterServices = services(this.after);
    for (const old of services(this.before)) {
      const current = this.after.declarations.get(old.qualifiedName);
      if (current?.kind === "interface") {
        this.compareService(old, current);
        continue;
      }
      const moved = afterServices.find((service) => service.name === old.name);
      if (moved) {
        this.report(
          BreakingCode.ServiceWireNameChanged,
          `service "${old.qualifiedName}" is now "${moved.qualifiedName}": deployed clients ` +
            `call it by its old wire name`,
          moved.span,
        );
      } else {
        this.report(
          BreakingCode.ServiceRemoved,
          `service "${old.qualifiedName}" was removed or renamed: deployed clients still call it`,
          this.placeOfRemoved(old),
        );
      }
    }
  }

  /** Where to report a service that is gone: a new file of its package, else its old place. */
  private placeOfRemoved(old: Declaration): SourceSpan {
    const file = this.after.files.find((candidate) => candidate.package === old.package);
    return file
      ? { file: file.displayPath, line: 1, column: 1, endLine: 1, endColumn: 1 }
      : old.span;
  }

  private compareService(old: InterfaceDecl, current: InterfaceDecl): void {
    for (const oldMethod of old.methods) {
      const method = current.methods.find((candidate) => candidate.name === oldMethod.name);
      const where = `${current.name}.${oldMethod.name}`;
      if (!method) {
        this.report(
          BreakingCode.MethodRemoved,
          `method "${where}" was removed or renamed: deployed clients still call it`,
          current.span,
        );
        continue;
      }
      if (this.compareOneway(oldMethod, method, where, "deployed clients")) continue;
      if (oldMethod.idempotent && !method.idempotent) {
        this.report(
          BreakingCode.IdempotentRemoved,
          `method "${where}" is no longer @idempotent: deployed clients still retry it ` +
            `after a lost connection`,
          method.span,
        );
      }
      this.compareServiceParams(oldMethod, method, where);
      this.compareResult(oldMethod, method, where, "response");
      for (const thrown of method.throws) {
        const error = this.after.declarations.get(thrown) as ErrorDecl;
        if (!oldMethod.throws.includes(thrown)) {
          this.report(
            BreakingCode.ErrorAdded,
            `method "${where}" now throws "${thrown}": deployed clients do not know it`,
            method.span,
          );
          continue;
        }
        const oldError = this.before.declarations.get(thrown) as ErrorDecl;
        if (oldError.status !== error.status) {
          this.report(
            BreakingCode.ErrorStatusChanged,
            `error "${thrown}" changed its HTTP status from ${oldError.status} to ` +
              `${error.status}: REST clients tell errors apart by status`,
            error.span,
          );
        }
        this.compareDeclarations(oldError, error, "response");
      }
    }
  }

  /** Reports a change to or from `oneway`; true if there was one (nothing else then matters). */
  private compareOneway(old: Method, current: Method, where: string, peers: string): boolean {
    if (old.oneway === current.oneway) return false;
    this.report(
      BreakingCode.OnewayChanged,
      current.oneway
        ? `method "${where}" became oneway: ${peers} still wait for an answer that never comes`
        : `method "${where}" is no longer oneway: ${peers} send it without waiting for an answer`,
      current.span,
    );
    return true;
  }

  /** Interface parameters: by name and by position (PROTOCOL.md accepts positional arrays). */
  private compareServiceParams(old: Method, current: Method, where: string): void {
    old.params.forEach((oldParam, index) => {
      const position = current.params.findIndex((param) => param.name === oldParam.name);
      if (position === -1) {
        this.report(
          BreakingCode.ParameterRemoved,
          `parameter "${oldParam.name}" of "${where}" was removed or renamed: deployed clients ` +
            `still send it, and the ones passing parameters by position send the rest misplaced`,
          current.span,
        );
        return;
      }
      const param = current.params[position]!;
      if (position !== index) {
        this.report(
          BreakingCode.ParameterMoved,
          `parameter "${param.name}" of "${where}" moved from position ${index + 1} to ` +
            `${position + 1}: clients passing parameters by position send another one there`,
          param.span,
        );
      }
      if (oldParam.optional && !param.optional) {
        this.report(
          BreakingCode.ParameterMadeRequired,
          `parameter "${param.name}" of "${where}" became required: deployed clients may omit it`,
          param.span,
        );
      }
      this.compareType(
        oldParam.type,
        param.type,
        "request",
        param.span,
        `parameter "${param.name}"`,
      );
    });
    for (const param of current.params) {
      if (param.optional || old.params.some((oldParam) => oldParam.name === param.name)) continue;
      this.report(
        BreakingCode.RequiredParameterAdded,
        `required parameter "${param.name}" was added to "${where}": deployed clients do not send it`,
        param.span,
      );
    }
  }

  private compareResult(old: Method, current: Method, where: string, direction: Direction): void {
    if (old.returns && current.returns) {
      this.compareType(
        old.returns,
        current.returns,
        direction,
        current.span,
        `the result of "${where}"`,
      );
    } else if (old.returns !== current.returns) {
      this.report(
        BreakingCode.TypeChanged,
        `the result of "${where}" changed from ${resultText(old.returns)} to ${resultText(current.returns)}`,
        current.span,
      );
    }
  }

  /**
   * A callback: the new server calls the methods of deployed clients' implementations, so
   * the roles turn round: its parameters are responses, its results and errors requests.
   */
  private compareCallbacks(old: CallbackDecl, current: CallbackDecl): void {
    for (const method of current.methods) {
      const where = `${current.name}.${method.name}`;
      const oldMethod = old.methods.find((candidate) => candidate.name === method.name);
      if (!oldMethod) {
        this.report(
          BreakingCode.CallbackMethodAdded,
          `callback method "${where}" was added (or renamed): deployed clients do not implement it`,
          method.span,
        );
        continue;
      }
      if (this.compareOneway(oldMethod, method, where, "the server")) continue;
      for (const oldParam of oldMethod.params) {
        const param = method.params.find((candidate) => candidate.name === oldParam.name);
        if (!param) {
          if (!oldParam.optional) {
            this.report(
              BreakingCode.CallbackParameterRemoved,
              `required parameter "${oldParam.name}" of callback method "${where}" was removed ` +
                `or renamed: deployed clients' implementations still require it`,
              method.span,
            );
          }
          continue;
        }
        if (!oldParam.optional && param.optional) {
          this.report(
            BreakingCode.CallbackParameterMadeOptional,
            `parameter "${param.name}" of callback method "${where}" became optional: deployed ` +
              `clients' implementations require it`,
            param.span,
          );
        }
        this.compareType(
          oldParam.type,
          param.type,
          "response",
          param.span,
          `parameter "${param.name}"`,
        );
      }
      this.compareResult(oldMethod, method, where, "request");
      for (const thrown of oldMethod.throws) {
        if (!method.throws.includes(thrown)) {
          this.report(
            BreakingCode.CallbackErrorRemoved,
            `callback method "${where}" no longer throws "${thrown}": deployed clients still ` +
              `answer with it`,
            method.span,
          );
          continue;
        }
        const oldError = this.before.declarations.get(thrown) as ErrorDecl;
        const error = this.after.declarations.get(thrown) as ErrorDecl;
        this.compareDeclarations(oldError, error, "request");
      }
    }
  }

  private compareType(
    old: TypeRef,
    current: TypeRef,
    direction: Direction,
    span: SourceSpan,
    what: string,
  ): void {
    if (old.kind === "list" && current.kind === "list") {
      return this.compareType(old.element, current.element, direction, span, what);
    }
    if (old.kind === "map" && current.kind === "map") {
      return this.compareType(old.value, current.value, direction, span, what);
    }
    if (old.kind === "primitive" && current.kind === "primitive" && old.name === current.name) {
      return;
    }
    if (old.kind === "named" && current.kind === "named" && old.targetKind === current.targetKind) {
      const before = this.before.declarations.get(old.target)!;
      const after = this.after.declarations.get(current.target)!;
      return this.compareDeclarations(before, after, direction);
    }
    this.report(
      BreakingCode.TypeChanged,
      `the type of ${what} changed from ${typeText(old)} to ${typeText(current)}`,
      span,
    );
  }

  private compareDeclarations(old: Declaration, current: Declaration, direction: Direction): void {
    const key = `${direction}\0${old.qualifiedName}\0${current.qualifiedName}`;
    if (this.compared.has(key)) return;
    this.compared.add(key);
    if (old.kind === "callback" && current.kind === "callback") {
      return this.compareCallbacks(old, current);
    }
    if (old.kind === "enum" && current.kind === "enum") {
      return this.compareEnums(old, current, direction);
    }
    if (old.kind === "union" && current.kind === "union") {
      return this.compareUnions(old, current, direction);
    }
    if (
      (old.kind === "record" || old.kind === "error") &&
      (current.kind === "record" || current.kind === "error")
    ) {
      return this.compareFields(old, current, direction);
    }
  }

  private compareFields(
    old: RecordDecl | ErrorDecl,
    current: RecordDecl | ErrorDecl,
    direction: Direction,
  ): void {
    const owner = `${current.kind} "${current.qualifiedName}"`;
    const byName = (fields: readonly Field[], name: string) =>
      fields.find((field) => field.name === name);
    for (const oldField of old.fields) {
      const field = byName(current.fields, oldField.name);
      if (!field) {
        if (direction === "response" && !oldField.optional) {
          this.report(
            BreakingCode.ResponseFieldRemoved,
            `required field "${oldField.name}" of ${owner} was removed or renamed: deployed ` +
              `clients reading it in answers require it`,
            current.span,
          );
        }
        continue;
      }
      if (direction === "response" && !oldField.optional && field.optional) {
        this.report(
          BreakingCode.ResponseFieldMadeOptional,
          `field "${field.name}" of ${owner} became optional: deployed clients reading it in ` +
            `answers require it`,
          field.span,
        );
      }
      if (direction === "request" && oldField.optional && !field.optional) {
        this.report(
          BreakingCode.RequestFieldMadeRequired,
          `field "${field.name}" of ${owner} became required: deployed clients sending it may omit it`,
          field.span,
        );
      }
      this.compareType(oldField.type, field.type, direction, field.span, `field "${field.name}"`);
    }
    if (direction !== "request") return;
    for (const field of current.fields) {
      if (field.optional || byName(old.fields, field.name)) continue;
      this.report(
        BreakingCode.RequiredRequestFieldAdded,
        `required field "${field.name}" was added to ${owner}: deployed clients sending it do ` +
          `not set it`,
        field.span,
      );
    }
  }

  private compareEnums(old: EnumDecl, current: EnumDecl, direction: Direction): void {
    const owner = `enum "${current.qualifiedName}"`;
    if (direction === "response") {
      for (const member of current.members) {
        if (old.members.some((oldMember) => oldMember.name === member.name)) continue;
        this.report(
          BreakingCode.EnumMemberAdded,
          `member "${member.name}" was added to ${owner}: deployed clients reject it in answers`,
          member.span,
        );
      }
    } else {
      for (const oldMember of old.members) {
        if (current.members.some((member) => member.name === oldMember.name)) continue;
        this.report(
          BreakingCode.EnumMemberRemoved,
          `member "${oldMember.name}" of ${owner} was removed or renamed: deployed clients ` +
            `still send it`,
          current.span,
        );
      }
    }
  }

  private compareUnions(old: UnionDecl, current: UnionDecl, direction: Direction): void {
    const owner = `union "${current.qualifiedName}"`;
    for (const unionCase of current.cases) {
      const oldCase = old.cases.find((candidate) => candidate.name === unionCase.name);
      if (oldCase) {
        this.compareType(
          oldCase.type,
          unionCase.type,
          direction,
          unionCase.span,
          `case "${unionCase.name}"`,
        );
      } else if (direction === "response") {
        this.report(
          BreakingCode.UnionCaseAdded,
          `case "${unionCase.name}" was added to ${owner}: deployed clients reject it in answers`,
          unionCase.span,
        );
      }
    }
    if (direction !== "request") return;
    for (const oldCase of old.cases) {
      if (current.cases.some((unionCase) => unionCase.name === oldCase.name)) continue;
      this.report(
        BreakingCode.UnionCaseRemoved,
        `case "${oldCase.name}" of ${owner} was removed or renamed: deployed clients still send it`,
        current.span,
      );
    }
  }
}

/** A type as IDL writes it, declarations by wire name; `void` for no result. */
function resultText(type: TypeRef | undefined): string {
  return type === undefined ? "void" : typeText(type);
}
