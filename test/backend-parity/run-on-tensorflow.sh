#!/usr/bin/env bash
# The backend-parity tests on a tensorflow backend built here: `asl-run setup tensorflow` (about a
# minute plus the download of the ~270 MB tensorflow-cpu wheel; needs python3 with pip, g++, make)
# into $ASL_RUN_TENSORFLOW_DIR, or into a temporary folder removed afterwards, then the tests with
# ASL_RUN_REQUIRE_TENSORFLOW=1 so that a backend that does not load fails them instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${ASL_RUN_TENSORFLOW_DIR:-}" ]; then
  ASL_RUN_TENSORFLOW_DIR="$(mktemp -d)"
  trap 'rm -rf "$ASL_RUN_TENSORFLOW_DIR"' EXIT
fi
export ASL_RUN_TENSORFLOW_DIR
npm run build
node bin/asl-run.js setup tensorflow --dir "$ASL_RUN_TENSORFLOW_DIR"
ASL_RUN_REQUIRE_TENSORFLOW=1 npx jest test/backend-parity
