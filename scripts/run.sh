#!/usr/bin/env bash
# Sets up, builds and runs lowp's main job on the bundled defaults.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh" "$root/build" > "$root/build.log" 2>&1 || { tail -50 "$root/build.log"; exit 1; }
"$root/build/cli/lowp" demo-train --db "$root/runs.db"
