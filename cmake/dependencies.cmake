# Imported targets for every third-party dependency, all from Debian packages.
find_package(Threads REQUIRED)
find_package(OpenSSL REQUIRED)

# CAF 0.17.6: Debian ships no CMake config, so build imported targets by hand.
find_path(CAF_INCLUDE_DIR caf/all.hpp REQUIRED)
find_library(CAF_CORE_LIBRARY caf_core REQUIRED)
find_library(CAF_IO_LIBRARY caf_io REQUIRED)
find_library(CAF_OPENSSL_LIBRARY caf_openssl REQUIRED)
add_library(CAF::core UNKNOWN IMPORTED)
set_target_properties(CAF::core PROPERTIES IMPORTED_LOCATION "${CAF_CORE_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${CAF_INCLUDE_DIR}"
  INTERFACE_LINK_LIBRARIES Threads::Threads)
add_library(CAF::io UNKNOWN IMPORTED)
set_target_properties(CAF::io PROPERTIES IMPORTED_LOCATION "${CAF_IO_LIBRARY}"
  INTERFACE_LINK_LIBRARIES CAF::core)
add_library(CAF::openssl UNKNOWN IMPORTED)
set_target_properties(CAF::openssl PROPERTIES IMPORTED_LOCATION "${CAF_OPENSSL_LIBRARY}"
  INTERFACE_LINK_LIBRARIES "CAF::io;OpenSSL::SSL;OpenSSL::Crypto")

find_package(PkgConfig REQUIRED)
pkg_check_modules(RDKAFKA REQUIRED IMPORTED_TARGET rdkafka++ rdkafka)
find_package(prometheus-cpp CONFIG REQUIRED)
# civetweb's C API serves the monitoring endpoint.
find_package(civetweb CONFIG REQUIRED)
find_package(spdlog 1.10 CONFIG REQUIRED)
find_package(nlohmann_json 3.11 CONFIG REQUIRED)
find_package(tomlplusplus 3.3 CONFIG REQUIRED)
find_package(CLI11 2.1 CONFIG REQUIRED)
find_package(Catch2 2.13 CONFIG REQUIRED)
# Abseil: flat_hash_map for the per-user and per-merchant state on the hot path.
find_package(absl CONFIG REQUIRED)
# mimalloc replaces malloc in the executables (not under sanitizers, which
# bring their own): glibc's arenas returned and re-faulted memory that the
# pipeline's threads hand to each other: the node drained ~8 % slower on it.
# -DTXSTREAM_MIMALLOC=OFF keeps glibc's allocator, for heap profilers such as
# heaptrack that only see malloc (mimalloc's operator new bypasses it).
option(TXSTREAM_MIMALLOC "Link the executables with mimalloc" ON)
find_package(mimalloc 2.0 CONFIG REQUIRED)
function(txstream_use_mimalloc target)
  if(NOT TXSTREAM_SANITIZE AND TXSTREAM_MIMALLOC)
    # --no-as-needed: nothing calls mimalloc by name; it must stay linked.
    target_link_libraries(${target} PRIVATE -Wl,--no-as-needed mimalloc -Wl,--as-needed)
    # Lets the executable tune it (nodes/allocator_tuning.cpp).
    target_compile_definitions(${target} PRIVATE TXSTREAM_WITH_MIMALLOC)
  endif()
endfunction()
