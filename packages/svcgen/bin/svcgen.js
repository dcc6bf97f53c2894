#!/usr/bin/env node
// Committed (not built) so that npm links `svcgen` at install time, before the first build.
import { main } from "../dist/cli.js";

process.exitCode = await main(process.argv.slice(2));
