#!/usr/bin/env bash
# Fails when generated/ differs from what the compiler makes of idl/, or the runtime's
# inspector module from packages/runtime/idl/ (run `npm run generate` after changing the
# IDL or the generator). Builds nothing: run `npm run build` first.
set -euo pipefail
cd "$(dirname "$0")/.."
node packages/svcgen/dist/cli.js generate idl --out generated --check
# The runtime's own service (the inspector) is generated into its sources.
node packages/svcgen/dist/cli.js generate packages/runtime/idl --out packages/runtime/src/inspector/generated --check
