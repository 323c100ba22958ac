#!/usr/bin/env bash
# axe-core, the accessibility engine the dashboard's browser tests inject into every page
# (tests/web/test_pages_browser.py), from the npm registry into build/axe/ (not committed).
# Pinned; installs only when missing, so a machine that has it does no network work.
set -euo pipefail
cd "$(dirname "$0")/.."
version=4.14.1
target=build/axe
if [ -f "$target/node_modules/axe-core/axe.min.js" ] && \
   grep -q "\"version\": \"$version\"" "$target/node_modules/axe-core/package.json"; then
    exit 0
fi
if ! command -v npm >/dev/null; then
    echo "npm is missing: apt-get install npm (build_scripts/system_deps.sh does)" >&2
    exit 1
fi
mkdir -p "$target"
npm install --silent --no-audit --no-fund --prefix "$target" "axe-core@$version"
