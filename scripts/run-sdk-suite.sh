#!/usr/bin/env bash
# Runs the test suite of one of Seam's official SDK repositories against seam-mock instead of
# Seam's fake (@seamapi/fake-seam-connect), without changing the checkout for good:
#
#   scripts/run-sdk-suite.sh PATH [ARGS...]    # PATH: a checkout of seamapi/python or
#                                              #       seamapi/javascript-http
#
# - seamapi/python: its conftest starts node_modules/.bin/fake-seam-connect --seed with PORT set.
#   That path becomes a shim exec'ing seam-mock (whatever was there is put back afterwards).
#   The suite's dependencies (pyproject's, pytest and pytest-asyncio from its `dev` group) go into a venv under
#   $TARGET/sdk-suite-python-venv. ARGS go to pytest.
# - seamapi/javascript-http: its fixture test/fixtures/seam/connect/api.ts runs the fake
#   in-process; for the run it is replaced by tests/sdk/suites/javascript-http/api.ts, which
#   starts seam-mock as a process the same way, and restored afterwards. `npm ci` installs the
#   suite's own dependencies in the checkout if node_modules is missing. ARGS go to AVA.
#
# The binary is SEAM_MOCK_BIN, or this worktree's debug build (built first). TARGET is
# CARGO_TARGET_DIR or target/. Logs: $TARGET/sdk-suites/. Ends with
# `<suite>: N passed, N failed` and the failing tests; exits non-zero when any failed.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 PATH-TO-SDK-CHECKOUT [ARGS...]" >&2; exit 2; }
SUITE=$(cd "$1" && pwd)
shift
cd "$(dirname "$0")/.."
ROOT=$PWD
TARGET=${CARGO_TARGET_DIR:-target}
case $TARGET in /*) ;; *) TARGET=$ROOT/$TARGET ;; esac
LOGS=$TARGET/sdk-suites
mkdir -p "$LOGS"

if [ -z "${SEAM_MOCK_BIN:-}" ]; then
    cargo build --locked --bin seam-mock
    SEAM_MOCK_BIN=$TARGET/debug/seam-mock
fi
SEAM_MOCK_BIN=$(cd "$(dirname "$SEAM_MOCK_BIN")" && pwd)/$(basename "$SEAM_MOCK_BIN")
[ -x "$SEAM_MOCK_BIN" ] || { echo "no seam-mock binary at $SEAM_MOCK_BIN" >&2; exit 1; }
export SEAM_MOCK_BIN

# Moves FILE aside for the run; `restore` puts every moved file back (on any exit).
MOVED=()
CREATED_DIRS=()
set_aside() {
    if [ -e "$1" ] || [ -L "$1" ]; then mv "$1" "$1.seam-mock-orig"; fi
    MOVED+=("$1")
}
restore() {
    for f in "${MOVED[@]}"; do
        rm -f "$f"
        if [ -e "$f.seam-mock-orig" ] || [ -L "$f.seam-mock-orig" ]; then
            mv "$f.seam-mock-orig" "$f"
        fi
    done
    for d in "${CREATED_DIRS[@]}"; do rmdir "$d" 2>/dev/null || true; done
}
trap restore EXIT

suite_name=$(python3 - "$SUITE" <<'EOF'
import json, sys, pathlib
root = pathlib.Path(sys.argv[1])
try:
    import tomllib
    name = tomllib.loads((root / "pyproject.toml").read_text())["project"]["name"]
    if name == "seam":
        print("python"); sys.exit()
except (OSError, KeyError):
    pass
try:
    if json.loads((root / "package.json").read_text())["name"] == "@seamapi/http":
        print("javascript-http"); sys.exit()
except (OSError, KeyError, ValueError):
    pass
print("unknown")
EOF
)

run_python() {
    local venv=$TARGET/sdk-suite-python-venv
    local pins
    pins=$( (cat "$SUITE/pyproject.toml"; echo "$SUITE") | sha256sum | cut -d' ' -f1)
    if [ "$(cat "$venv/.pins" 2>/dev/null)" != "$pins" ]; then
        echo "installing the suite's dependencies into $venv" >&2
        rm -rf "$venv"
        python3 -m venv "$venv"
        python3 - "$SUITE/pyproject.toml" >"$venv/requirements.txt" <<'EOF'
import re, sys, tomllib
project = tomllib.load(open(sys.argv[1], "rb"))
for req in project["project"].get("dependencies", []):
    print(req)
# From the dev group, what running the tests takes (not the linters and formatters).
for req in project.get("dependency-groups", {}).get("dev", []):
    if isinstance(req, str) and re.split(r"[<>=!~ \[;]", req)[0] in ("pytest", "pytest-asyncio"):
        print(req)
EOF
        "$venv/bin/pip" install --quiet --disable-pip-version-check --no-input \
            -r "$venv/requirements.txt"
        # The SDK under test is the checkout itself (editable: nothing is written into it); the
        # SDK reads its own version from the installed metadata.
        "$venv/bin/pip" install --quiet --disable-pip-version-check --no-input --no-deps \
            -e "$SUITE"
        echo "$pins" >"$venv/.pins"
    fi

    local shim=$SUITE/node_modules/.bin/fake-seam-connect
    [ -d "$SUITE/node_modules" ] || CREATED_DIRS+=("$SUITE/node_modules/.bin" "$SUITE/node_modules")
    mkdir -p "$(dirname "$shim")"
    set_aside "$shim"
    printf '#!/bin/sh\n# seam-mock standing in for Seam'"'"'s fake (scripts/run-sdk-suite.sh)\nexec "%s" "$@"\n' \
        "$SEAM_MOCK_BIN" >"$shim"
    chmod +x "$shim"

    local status=0
    rm -f "$LOGS/python.xml"
    (cd "$SUITE" && PYTHONDONTWRITEBYTECODE=1 "$venv/bin/python" -m pytest test \
        -p no:cacheprovider -q -rfE --junitxml="$LOGS/python.xml" "$@") 2>&1 |
        tee "$LOGS/python.log" || status=$?
    python3 - "$LOGS/python.xml" <<'EOF'
import sys
import xml.etree.ElementTree as ET
try:
    root = ET.parse(sys.argv[1]).getroot()
except (OSError, ET.ParseError):
    print("python: 0 passed, 1 failed (pytest wrote no report)")
    sys.exit()
passed, failed = 0, []
for case in root.iter("testcase"):
    if case.find("failure") is not None or case.find("error") is not None:
        failed.append(f"{case.get('classname')}::{case.get('name')}")
    elif case.find("skipped") is None:
        passed += 1
if failed:
    print("failing:")
    for name in failed:
        print(f"  {name}")
print(f"python: {passed} passed, {len(failed)} failed")
EOF
    return "$status"
}

# When `npm ci` cannot resolve the checkout's lock (a registry without some of its exact
# versions, e.g. @seamapi/types or AVA's newest dependencies), install only what the suite
# runs: the SDK's dependencies and the test tools, at the checkout's ranges where they
# resolve. Seam's fake is not needed (the fixture is replaced). package.json and the lock are
# set aside during the install, so that npm does not try to resolve the rest, and put back.
install_javascript_fallback() {
    echo "npm ci failed; installing only what the suite runs" >&2
    local specs
    specs=$(python3 - "$SUITE/package.json" <<'PY'
import json, sys
pkg = json.load(open(sys.argv[1]))
dev = pkg.get("devDependencies", {})
specs = [f"{name}@{rng}" for name, rng in pkg.get("dependencies", {}).items()]
for name in ["tsx", "jsonwebtoken", "nock", "node-fetch"]:
    if name in dev:
        specs.append(f"{name}@{dev[name]}")
# AVA 8.0.1: the newest 8.x whose dependencies all resolve on such a registry. @seamapi/types:
# the suite reads its OpenAPI document only behind nock, so the newest published one serves.
specs += ["ava@8.0.1", "@seamapi/types@latest"]
print(" ".join(specs))
PY
)
    set_aside "$SUITE/package.json"
    set_aside "$SUITE/package-lock.json"
    local status=0
    # shellcheck disable=SC2086
    npm install --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
        --prefix "$SUITE" $specs || status=$?
    restore
    MOVED=()
    return "$status"
}

run_javascript() {
    if [ ! -x "$SUITE/node_modules/.bin/ava" ]; then
        echo "installing the suite's dependencies (npm ci) in $SUITE" >&2
        # --force: the checkout's devEngines asks for Node 22/24 and npm refuses Node 20
        # otherwise; the suite runs on Node 20.
        if ! (cd "$SUITE" && npm ci --no-audit --no-fund --loglevel=error --force); then
            install_javascript_fallback
        fi
    fi
    local fixture=$SUITE/test/fixtures/seam/connect/api.ts
    set_aside "$fixture"
    cp tests/sdk/suites/javascript-http/api.ts "$fixture"

    local status=0
    (cd "$SUITE" && node_modules/.bin/ava --tap "$@") 2>&1 | tee "$LOGS/javascript-http.tap" ||
        status=$?
    local passed failed
    passed=$(grep -c '^ok ' "$LOGS/javascript-http.tap" || true)
    failed=$(grep -c '^not ok ' "$LOGS/javascript-http.tap" || true)
    if [ "$failed" -gt 0 ]; then
        echo "failing:"
        sed -n 's/^not ok [0-9]* - /  /p' "$LOGS/javascript-http.tap"
    fi
    echo "javascript-http: $passed passed, $failed failed"
    return "$status"
}

case $suite_name in
    python) run_python "$@" ;;
    javascript-http) run_javascript "$@" ;;
    *)
        echo "$SUITE is neither seamapi/python nor seamapi/javascript-http" >&2
        exit 2
        ;;
esac
