import { CalculatorBase, DivisionByZero } from "../../generated/calculator.js";

/** The calculator of idl/calculator.svc: stateless arithmetic, plus a count of calls served. */
export class CalculatorService extends CalculatorBase {
  private served = 0n;

  add(a: number, b: number): number {
    this.served++;
    return a + b;
  }

  divide(a: number, b: number): number {
    this.served++;
    // A declared error instead of Infinity: it reaches the client as a DivisionByZero
    // instance (HTTP 422 over REST).
    if (b === 0) throw new DivisionByZero({ dividend: a }, `cannot divide ${a} by zero`);
    return a / b;
  }

  sum(values: number[]): number {
    this.served++;
    return values.reduce((total, value) => total + value, 0);
  }

  callCount(): bigint {
    this.served++;
    return this.served;
  }
}
