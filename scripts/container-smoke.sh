#!/usr/bin/env bash
# Builds the container image and tries it the way a CI job uses it: run it, wait until it is
# healthy, call the seeded API from the host (/health, a create_multiple on two locks), check
# the HEALTHCHECK status and that the image has no shell and runs as non-root, then stop it
# (SIGTERM) and check the exit code and how long stopping took. Prints the measurements.
#
#   scripts/container-smoke.sh              # public base images (needs a registry)
#   STANDIN=1 scripts/container-smoke.sh    # builder stand-in from scripts/container-standin.sh
#
# ENGINE=docker|podman (default: docker when its daemon answers, else podman). BUILDER_IMAGE
# and RUNTIME_IMAGE are passed to the build when set. PODMAN_FLAGS are global podman flags
# (default: --runtime runc, which this kind of machine needs). SKIP_BUILD=1 reuses IMAGE.
# Limits that fail the run: HEALTHY_LIMIT_MS (default 1500: Docker probes 1 s after start)
# and STOP_LIMIT_MS (default 1000), from `stop` to the process's exit as the engine records it.
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=${IMAGE:-localhost/seam-mock:smoke}
NAME=seam-mock-smoke-$$
HEALTHY_LIMIT_MS=${HEALTHY_LIMIT_MS:-1500}
STOP_LIMIT_MS=${STOP_LIMIT_MS:-1000}

if [[ -z "${ENGINE:-}" ]]; then
    if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
        ENGINE=docker
    elif command -v podman >/dev/null; then
        ENGINE=podman
    else
        echo "needs docker (with a daemon) or podman" >&2
        exit 1
    fi
fi
engine=("$ENGINE")
build_flags=()
run_flags=()
if [[ "$ENGINE" == podman ]]; then
    # shellcheck disable=SC2206 # word splitting wanted: a list of flags
    engine+=(${PODMAN_FLAGS---runtime runc})
    build_flags+=(--format docker) # the OCI format drops HEALTHCHECK
    run_flags+=(--ulimit nofile=20000:20000 --ulimit nproc=4096:4096)
    build_flags+=("${run_flags[@]}")
fi
if [[ -n "${STANDIN:-}" && -z "${BUILDER_IMAGE:-}" ]]; then
    BUILDER_IMAGE=$(ENGINE=$ENGINE scripts/container-standin.sh)
fi
[[ -n "${BUILDER_IMAGE:-}" ]] && build_flags+=(--build-arg "BUILDER_IMAGE=$BUILDER_IMAGE")
[[ -n "${RUNTIME_IMAGE:-}" ]] && build_flags+=(--build-arg "RUNTIME_IMAGE=$RUNTIME_IMAGE")

ms() { date +%s%3N; }
fail() {
    echo "FAIL: $*" >&2
    "${engine[@]}" logs "$NAME" 2>&1 | tail -20 >&2 || true
    exit 1
}
cleanup() { "${engine[@]}" rm -f "$NAME" >/dev/null 2>&1 || true; }
trap cleanup EXIT

if [[ -z "${SKIP_BUILD:-}" ]]; then
    echo "== $ENGINE build ${build_flags[*]} -t $IMAGE ."
    t=$(ms)
    "${engine[@]}" build "${build_flags[@]}" -t "$IMAGE" .
    echo "built in $((($(ms) - t) / 1000)) s"
fi
size=$("${engine[@]}" image inspect --format '{{.Size}}' "$IMAGE")
echo "image size: $size bytes ($((size / 1024 / 1024)) MiB)"
[[ "$size" -le $((20 * 1024 * 1024)) ]] || fail "image is over 20 MiB"
user=$("${engine[@]}" image inspect --format '{{.Config.User}}' "$IMAGE")
[[ "$user" == 65532:65532 ]] || fail "image user is '$user', not 65532:65532"
healthcheck=$("${engine[@]}" image inspect --format '{{json .Config.Healthcheck}}' "$IMAGE")
[[ "$healthcheck" == *healthcheck* ]] || fail "image has no HEALTHCHECK: $healthcheck"
if "${engine[@]}" run --rm "${run_flags[@]}" --entrypoint /bin/sh "$IMAGE" -c true >/dev/null 2>&1; then
    fail "the image has a shell"
fi

echo "== run"
t0=$(ms)
"${engine[@]}" run -d --name "$NAME" "${run_flags[@]}" -p 127.0.0.1::8080 "$IMAGE" >/dev/null
port=$("${engine[@]}" port "$NAME" 8080/tcp | head -1 | sed 's/.*://')
base="http://127.0.0.1:$port"

t_run=$(($(ms) - t0))
# Healthy: the engine's own status. Docker runs HEALTHCHECK on its schedule (every second);
# podman needs systemd timers for that, so without them run the check now, as they would.
health_status() {
    "${engine[@]}" inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$NAME"
}
until [[ "$(health_status)" == healthy ]]; do
    (($(ms) - t0 < 10000)) || fail "not healthy within 10 s (status: $(health_status))"
    if [[ "$ENGINE" == podman ]]; then
        "${engine[@]}" healthcheck run "$NAME" >/dev/null 2>&1 || sleep 0.02
    else
        sleep 0.05
    fi
done
t_healthy=$(($(ms) - t0))
echo "'run' returned after $t_run ms; status healthy after $t_healthy ms"
((t_healthy <= HEALTHY_LIMIT_MS)) || fail "healthy after $t_healthy ms (limit $HEALTHY_LIMIT_MS ms)"
"${engine[@]}" exec "$NAME" /seam-mock healthcheck || fail "seam-mock healthcheck exited non-zero"

echo "== the seeded API"
curl -fsS "$base/health" | python3 -c 'import json,sys; b=json.load(sys.stdin); assert b["ok"] is True, b' \
    || fail "/health is not ok"
curl -fsS -X PUT "$base/access_codes/create_multiple" \
    -H 'Authorization: Bearer seam_apikey1_token' -H 'Content-Type: application/json' \
    -d '{"device_ids": ["5ea10003-0000-4000-8000-000000000001",
                        "5ea10003-0000-4000-8000-000000000007"], "name": "Smoke"}' |
    python3 -c '
import json, sys
codes = json.load(sys.stdin)["access_codes"]
assert len(codes) == 2, codes
assert codes[0]["code"] == codes[1]["code"], codes
assert codes[0]["common_code_key"] and codes[0]["common_code_key"] == codes[1]["common_code_key"], codes
print("create_multiple: one PIN on two locks:", codes[0]["code"])
' || fail "create_multiple did not create one shared PIN on two locks"

echo "== stop (SIGTERM)"
t=$(ms)
"${engine[@]}" stop -t 10 "$NAME" >/dev/null
t_stop=$(($(ms) - t))
code=$("${engine[@]}" inspect --format '{{.State.ExitCode}}' "$NAME")
finished=$("${engine[@]}" inspect --format '{{.State.FinishedAt}}' "$NAME")
# How long the process itself took to exit after the stop began (the rest is the engine).
t_exit=$(($(date -d "${finished% UTC}" +%s%3N) - t))
echo "process exited $t_exit ms after stop began; stop returned after $t_stop ms; exit code $code"
[[ "$code" == 0 ]] || fail "exit code $code after SIGTERM"
((t_exit <= STOP_LIMIT_MS)) || fail "exited $t_exit ms after SIGTERM (limit $STOP_LIMIT_MS ms)"
((t_stop < 10000)) || fail "stop waited for its 10 s timeout (SIGKILL)"

echo "container smoke: OK (image $((size / 1024)) KiB, run $t_run ms, healthy $t_healthy ms, exit after SIGTERM $t_exit ms, stop returned $t_stop ms, exit $code)"
