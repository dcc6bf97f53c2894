import { DivisionByZero } from "../../generated/calculator.js";
import type { Calculator } from "../../generated/calculator.js";

/** One call and how it went, for printing. */
export interface CalculationLine {
  readonly call: string;
  readonly outcome: string;
  /** True when the call failed with the error the IDL declares for it. */
  readonly declaredError: boolean;
}

/**
 * A few calculator calls, made the way a REST client would: each is one stateless
 * request. Dividing by zero shows a declared error arriving as its generated class.
 */
export async function runCalculations(calculator: Calculator): Promise<CalculationLine[]> {
  const lines: CalculationLine[] = [];
  const record = (call: string, outcome: string, declaredError = false): void => {
    lines.push({ call, outcome, declaredError });
  };
  record("add(2, 3)", `= ${await calculator.add(2, 3)}`);
  record("sum([1.5, 2.5, 6])", `= ${await calculator.sum([1.5, 2.5, 6])}`);
  record("divide(10, 4)", `= ${await calculator.divide(10, 4)}`);
  try {
    const quotient = await calculator.divide(1, 0);
    record("divide(1, 0)", `= ${quotient} (expected DivisionByZero)`);
  } catch (error) {
    if (!(error instanceof DivisionByZero)) throw error;
    record("divide(1, 0)", `threw DivisionByZero { dividend: ${error.dividend} }`, true);
  }
  record("callCount()", `= ${await calculator.callCount()}`);
  return lines;
}
