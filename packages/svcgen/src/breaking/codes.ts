/**
 * The codes of `svcgen breaking` (SVC3xxx): one per kind of change that breaks a deployed
 * peer. docs/breaking.md has the table with the reason for each; codes never change meaning.
 */
export const BreakingCode = {
  ServiceRemoved: "SVC3001",
  ServiceWireNameChanged: "SVC3002",
  MethodRemoved: "SVC3003",
  OnewayChanged: "SVC3004",
  ParameterRemoved: "SVC3005",
  ParameterMoved: "SVC3006",
  RequiredParameterAdded: "SVC3007",
  ParameterMadeRequired: "SVC3008",
  TypeChanged: "SVC3009",
  ErrorAdded: "SVC3010",
  ErrorStatusChanged: "SVC3011",
  IdempotentRemoved: "SVC3012",
  CallbackMethodAdded: "SVC3013",
  CallbackParameterRemoved: "SVC3014",
  CallbackParameterMadeOptional: "SVC3015",
  ResponseFieldRemoved: "SVC3016",
  ResponseFieldMadeOptional: "SVC3017",
  RequiredRequestFieldAdded: "SVC3018",
  RequestFieldMadeRequired: "SVC3019",
  EnumMemberAdded: "SVC3020",
  EnumMemberRemoved: "SVC3021",
  UnionCaseAdded: "SVC3022",
  UnionCaseRemoved: "SVC3023",
  CallbackErrorRemoved: "SVC3024",
} as const;

export type BreakingCodeValue = (typeof BreakingCode)[keyof typeof BreakingCode];
