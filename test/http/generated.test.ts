/** The generated calculator module end to end over REST: server base, client stub, error class. */
import { afterAll, beforeAll, expect, test } from "@jest/globals";
import { RpcServer, connectHttp, type Connection } from "@svcgen/runtime";
import { CalculatorBase, CalculatorClient, DivisionByZero } from "../../generated/calculator.js";

class Calculator extends CalculatorBase {
  #calls = 0n;
  add(a: number, b: number): number {
    this.#calls++;
    return a + b;
  }
  divide(a: number, b: number): number {
    this.#calls++;
    if (b === 0) throw new DivisionByZero({ dividend: a }, "cannot divide by zero");
    return a / b;
  }
  sum(values: number[]): number {
    this.#calls++;
    return values.reduce((total, value) => total + value, 0);
  }
  callCount(): bigint {
    return this.#calls;
  }
}

let server: RpcServer;
let connection: Connection;
beforeAll(async () => {
  server = new RpcServer({ logger: false });
  server.register(new Calculator());
  const { url } = await server.listen();
  connection = connectHttp(url);
});
afterAll(async () => {
  await connection.close();
  await server.close();
});

test("the generated client calls the generated base over REST", async () => {
  const calculator = new CalculatorClient(connection);
  expect(await calculator.add(1, 2)).toBe(3);
  expect(await calculator.sum([1, 2, 3.5])).toBe(6.5);
  expect(await calculator.divide(1, 0).catch((error: unknown) => error)).toEqual(
    expect.objectContaining({ dividend: 1, message: "cannot divide by zero" }),
  );
  await expect(calculator.divide(1, 0)).rejects.toBeInstanceOf(DivisionByZero);
  expect(await calculator.callCount()).toBe(4n);
});
