# The txstream image: `docker build -t txstream .` (docker-compose.yml builds
# it too). Two stages: the executable is built on Debian 12 with the same
# Debian packages scripts/setup installs, and runs on debian:bookworm-slim
# with only their runtime libraries.
#
#   docker run --rm txstream --help
#   docker run --rm txstream node --bootstrap broker:9092
#
# The entrypoint is `txstream`; the default command is `node`. Port 9464
# serves /metrics, /healthz and /readyz, 4100 is where docker-compose.yml's
# nodes listen for their peers. The process runs as the unprivileged user
# txstream (uid 10001).
#
# The base images are build arguments so that a machine without a registry
# can build from base images of its own (scripts/containers builds the
# runtime-base stage that way from a Debian root file system).
ARG BUILD_IMAGE=debian:bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

# ----------------------------------------------------------------- build ----
FROM ${BUILD_IMAGE} AS build
# The C++ libraries and tools of scripts/setup's list that the executable
# needs (catch2: CMake looks for it even without tests).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      cmake g++ make pkg-config \
      libcaf-dev librdkafka-dev nlohmann-json3-dev prometheus-cpp-dev libspdlog-dev \
      catch2 libcli11-dev libtomlplusplus-dev libssl-dev libabsl-dev \
      libmimalloc-dev libcivetweb-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# Portable code (TXSTREAM_MARCH empty), no tests: the image runs anywhere
# x86-64 runs. BUILD_JOBS bounds the compiler processes (each takes ~1 GB
# with link-time optimisation).
ARG BUILD_JOBS=2
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
 && cmake --build /build -j"${BUILD_JOBS}" --target txstream \
 && install -D -m 0755 /build/txstream /out/txstream

# ---------------------------------------------------------- runtime-base ----
# Everything of the runtime image but the executable.
FROM ${RUNTIME_IMAGE} AS runtime-base
# The shared libraries the executable links (CAF's io and openssl modules
# for the connections between cluster nodes), curl for the health check,
# openssl for cluster-ca (the cluster's certificates, below).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libcaf-core0.17 libcaf-io0.17 libcaf-openssl0.17 librdkafka1 librdkafka++1 \
      libprometheus-cpp-core1.0 libspdlog1.10 libfmt9 libcivetweb1 libabsl20220623 \
      libmimalloc2.0 libtomlplusplus3 libssl3 \
      ca-certificates curl openssl \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/txstream \
      --create-home --shell /usr/sbin/nologin txstream
# scripts/cluster-ca with the helpers it sources, at the same relative path:
# docker-compose.yml's certs service makes the cluster CA and the nodes'
# certificates with it.
COPY scripts/cluster-ca /usr/local/lib/txstream/scripts/cluster-ca
COPY scripts/lib/common.sh /usr/local/lib/txstream/scripts/lib/common.sh
USER txstream
WORKDIR /var/lib/txstream
EXPOSE 9464 4100
# /healthz answers 200 while the process lives and its liveness check passes.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD curl -fsS -o /dev/null http://127.0.0.1:9464/healthz || exit 1
ENTRYPOINT ["txstream"]
CMD ["node"]

# --------------------------------------------------------------- runtime ----
FROM runtime-base AS runtime
COPY --from=build /out/txstream /usr/local/bin/txstream
