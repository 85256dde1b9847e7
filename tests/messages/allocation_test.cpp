// The hot path does not allocate: decoding into a reused transaction and
// encoding into a reused buffer keep their capacity.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <new>

#include "messages/json_encoder.hpp"
#include "messages/transaction_decoder.hpp"

namespace {

std::atomic<long> allocations{0};

}  // namespace

// Counting replacements of the global allocation functions for this binary.
void* operator new(std::size_t n) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n))
    return p;
  throw std::bad_alloc{};
}

void operator delete(void* p) noexcept {
  std::free(p);
}

void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

using namespace txstream;

TEST_CASE("decode and encode do not allocate once buffers are warm", "[messages]") {
  const std::string records[] = {
    R"({"transactionId":"0d7c7c4e-2b1a-4f5e-8c9d-0123456789ab","userId":"user_000042",)"
    R"("amount":12.345,"transactionTime":1700000000123,"merchantId":"merchant_0007",)"
    R"("transactionType":"refund","location":"S\u00e3o Paulo","paymentMethod":"paypal",)"
    R"("isInternational":false,"currency":"EUR","extra":{"a":[1,2,{"b":"c"}]}})",
    R"({"transactionId": "6f1c2a9e-4b7d-4c3a-9e2f-1a2b3c4d5e6f", "userId": "user_42", )"
    R"("amount": 123.45, "transactionTime": 1700000000, "merchantId": "merchant_7", )"
    R"("transactionType": "purchase", "location": "Location_3", )"
    R"("paymentMethod": "credit_card", "isInternational": "True", "currency": "USD"})",
    R"({"transactionId":"t","userId":"u","amount":-1})",  // rejected
  };
  transaction_decoder decoder;
  transaction t;
  std::string buf;
  // Warm-up: strings and the buffer reach their working capacity.
  for (auto& r : records) {
    decoder.decode(r, t);
    buf.clear();
    encode_json(t, buf);
  }
  buf.reserve(1024);
  auto before = allocations.load();
  for (int i = 0; i < 1000; ++i) {
    for (auto& r : records) {
      auto res = decoder.decode(r, t);
      buf.clear();
      if (res.ok())
        encode_json(t, buf);
    }
  }
  CHECK(allocations.load() - before == 0);
}
