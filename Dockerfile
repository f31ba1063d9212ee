# seam-mock as a CI service container: one static binary on `scratch`, listening on
# 0.0.0.0:8080, with a HEALTHCHECK that needs no shell (`seam-mock healthcheck`).
#
#   docker build -t seam-mock .
#   docker run --rm -p 127.0.0.1:8080:8080 seam-mock
#
# Both base images are build arguments, so a machine without registry access can pass local
# mirrors or stand-ins (scripts/container-standin.sh builds one for BUILDER_IMAGE).
ARG BUILDER_IMAGE=rust:1.95-slim-bookworm
ARG RUNTIME_IMAGE=scratch

FROM ${BUILDER_IMAGE} AS build
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
WORKDIR /src
# A static glibc binary (crt-static on the gnu target every Rust image ships): it runs on
# `scratch` without adding a musl target, which a builder without network could not fetch.
# --target keeps the flag off build scripts and proc macros, which must stay dynamic.
ENV RUSTFLAGS="-C target-feature=+crt-static" \
    CARGO_PROFILE_RELEASE_STRIP=symbols \
    CARGO_TERM_COLOR=never

# Dependencies first, against placeholder sources: this layer is rebuilt only when
# Cargo.toml or Cargo.lock change, not on every source edit.
COPY Cargo.toml Cargo.lock ./
RUN mkdir -p src benches \
    && echo 'fn main() {}' > src/main.rs \
    && touch src/lib.rs \
    && sed -n '/^\[\[bench\]\]/{n;s/^name = "\(.*\)"$/\1/p}' Cargo.toml \
       | while read -r bench; do echo 'fn main() {}' > "benches/$bench.rs"; done \
    && target="$(rustc -vV | sed -n 's/^host: //p')" \
    && cargo build --release --locked --target "$target" --bin seam-mock \
    && rm -rf src

COPY src ./src
# touch: COPY keeps the files' old mtimes, which cargo could take for "already built".
RUN target="$(rustc -vV | sed -n 's/^host: //p')" \
    && touch src/main.rs src/lib.rs \
    && cargo build --release --locked --target "$target" --bin seam-mock \
    && cp "target/$target/release/seam-mock" /seam-mock \
    && /seam-mock --version

FROM ${RUNTIME_IMAGE}
COPY --from=build /seam-mock /seam-mock
# Listen on every address inside the container (the binary's own default stays loopback);
# no ANSI colours in CI logs.
ENV SEAM_MOCK_HOST=0.0.0.0 \
    PORT=8080 \
    NO_COLOR=1
# Not root; numeric, so no /etc/passwd is needed.
USER 65532:65532
EXPOSE 8080
# Probes 127.0.0.1:$PORT/health from inside. The server is up within milliseconds, so a 1 s
# interval marks it healthy about 1 s after start (Docker runs the first probe one interval
# in); --start-interval would be quicker but older engines and hadolint reject it.
HEALTHCHECK --interval=1s --timeout=3s --retries=3 CMD ["/seam-mock", "healthcheck"]
ENTRYPOINT ["/seam-mock"]
