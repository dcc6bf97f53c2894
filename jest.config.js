/** Tests run the TypeScript sources directly (swc strips types), as native ESM. */
export default {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  extensionsToTreatAsEsm: [".ts"],
  transform: {
    "^.+\\.ts$": [
      "@swc/jest",
      {
        jsc: { parser: { syntax: "typescript" }, target: "es2022" },
        module: { type: "es6" },
      },
    ],
  },
  moduleNameMapper: {
    "^@svcgen/runtime$": "<rootDir>/packages/runtime/src/index.ts",
    "^@svcgen/runtime/inspector$":
      "<rootDir>/packages/runtime/src/inspector/generated/inspector.ts",
    "^@svcgen/redis$": "<rootDir>/packages/redis/src/index.ts",
    "^svcgen$": "<rootDir>/packages/svcgen/src/index.ts",
    "^(\\.{1,2}/.*)\\.js$": "$1",
  },
  testTimeout: 30000,
};
