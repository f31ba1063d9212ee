#!/usr/bin/env bash
# Builds a local stand-in for the Dockerfile's BUILDER_IMAGE, for machines that reach no image
# registry: a debootstrap'd Debian bookworm (minbase + gcc + libc6-dev + CA certificates) with
# this machine's Rust toolchain copied in, imported as a local image. Prints the image name.
#
#   scripts/container-standin.sh            # reuses the image when it already exists
#   FORCE=1 scripts/container-standin.sh    # rebuilds it
#
# Needs root, debootstrap, and docker or podman (ENGINE=podman|docker to choose).
# DEBIAN_MIRROR overrides debootstrap's default mirror. The runtime stage needs no stand-in:
# it is `scratch`, which every engine provides without a registry.
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=${STANDIN_IMAGE:-localhost/seam-mock-builder-standin:bookworm}
ENGINE=${ENGINE:-$(command -v podman >/dev/null && echo podman || echo docker)}
WORK=target/container-standin
ROOTFS=$WORK/rootfs

if [[ -z "${FORCE:-}" ]] && "$ENGINE" image inspect "$IMAGE" >/dev/null 2>&1; then
    echo "$IMAGE"
    exit 0
fi

command -v debootstrap >/dev/null || { echo "debootstrap is required (apt-get install debootstrap)" >&2; exit 1; }
sysroot=$(rustc --print sysroot)

rm -rf "$ROOTFS"
mkdir -p "$ROOTFS"
echo "== debootstrap bookworm into $ROOTFS" >&2
debootstrap --variant=minbase --include=gcc,libc6-dev,ca-certificates \
    bookworm "$ROOTFS" ${DEBIAN_MIRROR:+"$DEBIAN_MIRROR"} >"$WORK/debootstrap.log" 2>&1 \
    || { tail -20 "$WORK/debootstrap.log" >&2; exit 1; }

echo "== Rust toolchain from $sysroot (without its docs)" >&2
mkdir -p "$ROOTFS/usr/local/rust" "$ROOTFS/usr/local/cargo"
tar -C "$sysroot" --exclude=./share/doc --exclude=./share/html -c . | tar -C "$ROOTFS/usr/local/rust" -x

# HTTPS from inside a build (cargo fetching crates) may need this machine's extra CAs.
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$ROOTFS/usr/local/share/ca-certificates/"
    chroot "$ROOTFS" update-ca-certificates >/dev/null
fi
rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/*

echo "== import as $IMAGE" >&2
tar -C "$ROOTFS" -c . | "$ENGINE" import \
    --change 'ENV PATH=/usr/local/cargo/bin:/usr/local/rust/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV CARGO_HOME=/usr/local/cargo' \
    - "$IMAGE" >/dev/null
rm -rf "$ROOTFS"
echo "$IMAGE"
