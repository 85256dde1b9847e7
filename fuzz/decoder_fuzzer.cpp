// libFuzzer target: the decoder must survive any bytes, and a record it
// accepts must survive encode -> decode unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "messages/json_encoder.hpp"
#include "messages/transaction_decoder.hpp"

namespace {

[[noreturn]] void fail(const char* what, const std::string& text) {
  std::fprintf(stderr, "decoder_fuzzer: %s\n%s\n", what, text.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const txstream::transaction_decoder decoder;
  // An exact-size heap copy lets ASan catch any read past the payload.
  std::string payload{reinterpret_cast<const char*>(data), size};
  txstream::transaction first;
  auto r = decoder.decode(payload, first);
  if (r.offset > size)
    fail("offset beyond the payload", payload);
  if (!r.ok()) {
    if (r.reason == txstream::dead_letter_reason::none || describe(r).empty())
      fail("bad error result", payload);
    return 0;
  }
  std::string encoded;
  txstream::encode_json(first, encoded);
  txstream::transaction second;
  auto r2 = decoder.decode(encoded, second);
  if (!r2.ok())
    fail(("re-encoded record rejected: " + describe(r2)).c_str(), encoded);
  if (!(first == second))
    fail("re-decoded record differs", encoded);
  std::string again;
  txstream::encode_json(second, again);
  if (again != encoded)
    fail("encoding is not stable", again);
  return 0;
}
