# Entry points; README.md's Quick start uses `make demo` and `make test`.
# The real work lives in scripts/ and CMake, so CI and people run the same.
BUILD    ?= build
JOBS     ?= 2
SECONDS  ?= 60
N        ?= 2000000
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release

.PHONY: all setup configure build test demo bench-codec bench-e2e bench-peers fuzz asan clean

all: build

setup:
	@scripts/setup

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

configure: setup $(BUILD)/CMakeCache.txt

build: configure
	cmake --build $(BUILD) -j$(JOBS)

# Set-up, build, start a local broker when none runs, run the whole suite.
test: build
	@scripts/test $(BUILD)

# Set-up, build, local broker, the main job for a bounded time, a summary.
demo: build
	@scripts/demo $(BUILD)

bench-codec: build
	@scripts/bench-codec

bench-e2e: build
	@scripts/bench-e2e $(N)

# txstream against Kafka Streams, Flink and Spark on one input (bench/peers/README.md).
bench-peers: build
	@scripts/bench-peers $(N)

fuzz: setup
	@scripts/fuzz $(SECONDS)

# Debug build with AddressSanitizer + UBSan in build-asan/.
asan: setup
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DTXSTREAM_SANITIZE=ON
	cmake --build build-asan -j$(JOBS)

clean:
	rm -rf $(BUILD) build-asan
