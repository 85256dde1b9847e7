// Real HTTP requests over loopback against the monitoring endpoint.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>

#include "monitoring/http_endpoint.hpp"
#include "monitoring/pipeline_probe.hpp"
#include "tests/monitoring/test_http_client.hpp"
#include "tests/monitoring/test_promtool.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace txstream::monitoring;
using test::connect_loopback;
using test::http_get;
using test::raw_http;
using namespace std::chrono_literals;

namespace {

http_endpoint_config loopback(std::uint16_t port = 0) {
  http_endpoint_config cfg;
  cfg.host = "127.0.0.1";
  cfg.port = port;
  cfg.io_timeout = std::chrono::milliseconds{500};
  return cfg;
}

}  // namespace

TEST_CASE("endpoint serves metrics and health over HTTP", "[monitoring]") {
  metrics_registry reg{"9.9.9"};
  pipeline_probe probe{reg};
  probe.dead_lettered("malformed_json", 3);
  probe.consumed(1, 10);
  health_state health;
  http_endpoint endpoint{loopback(), reg, health.checks()};
  REQUIRE(endpoint.port() != 0);

  SECTION("GET /metrics returns the text format") {
    auto reply = http_get(endpoint.port(), "/metrics");
    CHECK(reply.status == 200);
    CHECK(reply.head.find("Content-Type: text/plain; version=0.0.4") != std::string::npos);
    CHECK(reply.head.find("Content-Length: " + std::to_string(reply.body.size()))
          != std::string::npos);
    CHECK(reply.body.find("txstream_dead_lettered_total{reason=\"malformed_json\"} 3\n")
          != std::string::npos);
    CHECK(reply.body.find("txstream_build_info{version=\"9.9.9\"} 1\n") != std::string::npos);
    if (test::have_promtool()) {
      auto lint = test::promtool_check_metrics(reply.body);
      INFO(lint.output);
      CHECK(lint.exit_code == 0);
    } else {
      WARN("promtool not found in PATH: skipping the lint");
    }
  }
  SECTION("healthz follows the liveness state") {
    auto reply = http_get(endpoint.port(), "/healthz");
    CHECK(reply.status == 200);
    CHECK(reply.body == "ok\n");
    health.set_alive(false, "scheduler stalled");
    reply = http_get(endpoint.port(), "/healthz");
    CHECK(reply.status == 503);
    CHECK(reply.body == "scheduler stalled\n");
  }
  SECTION("readyz turns from 503 to 200") {
    auto reply = http_get(endpoint.port(), "/readyz");
    CHECK(reply.status == 503);
    CHECK(reply.body == "starting\n");
    health.set_ready(false, "no partitions assigned");
    CHECK(http_get(endpoint.port(), "/readyz").body == "no partitions assigned\n");
    health.set_ready(true);
    reply = http_get(endpoint.port(), "/readyz?verbose");
    CHECK(reply.status == 200);
    CHECK(reply.body == "ok\n");
  }
  SECTION("unknown path, other methods and garbage") {
    CHECK(http_get(endpoint.port(), "/").status == 404);
    CHECK(http_get(endpoint.port(), "/metricsx").status == 404);
    auto post = raw_http(endpoint.port(), "POST /metrics HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");
    CHECK(post.status == 405);
    CHECK(post.head.find("Allow: GET") != std::string::npos);
    CHECK(raw_http(endpoint.port(), "HEAD /healthz HTTP/1.1\r\n\r\n").status == 405);
    CHECK(raw_http(endpoint.port(), "hello\r\n\r\n").status == 400);
    CHECK(
      raw_http(endpoint.port(), std::string("\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\n", 10)).status
      == 400);
    // A head over max_request_bytes: civetweb answers 400, not 431.
    CHECK(raw_http(endpoint.port(), std::string(20000, 'A')).status == 400);
    // The server keeps serving after all of that.
    CHECK(http_get(endpoint.port(), "/healthz").status == 200);
  }
  SECTION("a silent client times out and does not block others for long") {
    int fd = connect_loopback(endpoint.port());
    auto t0 = std::chrono::steady_clock::now();
    CHECK(http_get(endpoint.port(), "/healthz").status == 200);
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds{3});
    ::close(fd);
  }
}

TEST_CASE("checks that throw or are missing", "[monitoring]") {
  metrics_registry reg{"test"};
  health_checks checks;
  checks.readiness = []() -> check_result { throw std::runtime_error("broker lookup failed"); };
  http_endpoint endpoint{loopback(), reg, checks};
  CHECK(http_get(endpoint.port(), "/healthz").status == 200);  // empty: passes
  auto reply = http_get(endpoint.port(), "/readyz");
  CHECK(reply.status == 503);
  CHECK(reply.body == "check failed: broker lookup failed\n");
}

TEST_CASE("a busy port fails at start-up with a clear error", "[monitoring]") {
  metrics_registry reg{"test"};
  http_endpoint first{loopback(), reg};
  try {
    http_endpoint second{loopback(first.port()), reg};
    FAIL("second endpoint bound a busy port");
  } catch (const std::system_error& e) {
    std::string what = e.what();
    CHECK(e.code() == std::errc::address_in_use);
    CHECK(what.find("127.0.0.1:" + std::to_string(first.port())) != std::string::npos);
    CHECK(what.find("in use") != std::string::npos);
  }
  auto unresolvable = loopback();
  unresolvable.host = "no.such.host.invalid";
  CHECK_THROWS_AS(http_endpoint(unresolvable, reg), std::system_error);
}

TEST_CASE("destruction does not hang on a connected client", "[monitoring]") {
  metrics_registry reg{"test"};
  auto cfg = loopback();
  cfg.io_timeout = std::chrono::seconds{30};
  int fd = -1;
  auto t0 = std::chrono::steady_clock::now();
  {
    http_endpoint endpoint{cfg, reg};
    fd = connect_loopback(endpoint.port());
    ::send(fd, "GET /met", 8, MSG_NOSIGNAL);  // and never finish
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
  }
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds{5});
  ::close(fd);
}

TEST_CASE("a client sending its head slowly does not hold up others", "[monitoring]") {
  metrics_registry reg{"test"};
  auto cfg = loopback();
  cfg.io_timeout = 10s;
  http_endpoint endpoint{cfg, reg};
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n";
  auto dribble = [](int fd, const std::string& bytes) {
    for (std::size_t i = 0; i < bytes.size(); i += 2) {
      ::send(fd, bytes.data() + i, std::min<std::size_t>(2, bytes.size() - i), MSG_NOSIGNAL);
      std::this_thread::sleep_for(50ms);
    }
  };
  int fd = connect_loopback(endpoint.port());
  dribble(fd, request.substr(0, 12));
  // Served while the slow head is incomplete; the slow client is served too
  // once its head is complete (well within io_timeout).
  CHECK(http_get(endpoint.port(), "/metrics").status == 200);
  dribble(fd, request.substr(12));
  CHECK(test::read_reply(fd).status == 200);
  ::close(fd);
}

TEST_CASE("a stalled client is dropped after io_timeout", "[monitoring]") {
  metrics_registry reg{"test"};
  auto cfg = loopback();
  cfg.io_timeout = 1s;
  http_endpoint endpoint{cfg, reg};
  auto t0 = std::chrono::steady_clock::now();
  int fd = connect_loopback(endpoint.port());

  SECTION("one that sends nothing is closed without a reply") {
    CHECK(http_get(endpoint.port(), "/healthz").status == 200);
    pollfd p{fd, POLLIN, 0};
    REQUIRE(::poll(&p, 1, 10000) == 1);
    char byte;
    CHECK(::recv(fd, &byte, 1, 0) == 0);
  }
  SECTION("one that stops in the middle of its head gets 400") {
    ::send(fd, "GET /hea", 8, MSG_NOSIGNAL);
    CHECK(http_get(endpoint.port(), "/healthz").status == 200);
    CHECK(test::read_reply(fd).status == 400);
  }
  CHECK(std::chrono::steady_clock::now() - t0 >= cfg.io_timeout);
  ::close(fd);
  CHECK(http_get(endpoint.port(), "/healthz").status == 200);
}

TEST_CASE("a malformed request gets a 4xx and the server keeps serving", "[monitoring]") {
  metrics_registry reg{"test"};
  http_endpoint endpoint{loopback(), reg};
  std::string binary;
  for (int i = 0; i < 256; ++i)
    binary += static_cast<char>(i);
  for (const auto& request :
       {binary, std::string{"GET\r\n\r\n"},
        std::string{"GET /healthz HTTP/1.1\r\nno colon\r\n\r\n"},
        std::string{"GET /healthz HTTP/1.1\r\nX: "} + std::string(10000, 'a') + "\r\n\r\n"}) {
    INFO("request starts with " << request.substr(0, 24));
    auto reply = raw_http(endpoint.port(), request);
    CHECK(reply.status >= 400);
    CHECK(reply.status < 500);
  }
  CHECK(http_get(endpoint.port(), "/healthz").status == 200);
}
