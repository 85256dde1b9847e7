#include "monitoring/http_endpoint.hpp"

#include <atomic>
#include <cerrno>
#include <exception>
#include <mutex>
#include <string_view>
#include <system_error>
#include <thread>

#include <civetweb.h>
#include <spdlog/spdlog.h>

#include "monitoring/listen_address.hpp"

namespace txstream::monitoring {

namespace {

// Scrapes are light and a few per interval; the cores belong to the
// pipeline. A silent client holds one worker for up to io_timeout, so two
// let a scrape through while one such client waits.
constexpr const char* worker_threads = "2";

// mg_init_library counts its users but its first call is not thread-safe.
// Its result lists the optional features set up (none asked for here); a
// real failure shows as mg_start2's error text.
std::mutex library_mutex;

void acquire_library() {
  std::lock_guard<std::mutex> guard{library_mutex};
  mg_init_library(0);
}

void release_library() {
  std::lock_guard<std::mutex> guard{library_mutex};
  mg_exit_library();
}

// civetweb explains a failed start only in its error log: while a thread
// starts a server, the messages it logs are collected for the exception.
thread_local std::string* start_log = nullptr;

int log_message(const mg_connection*, const char* message) {
  if (start_log != nullptr) {
    *start_log += start_log->empty() ? "" : "; ";
    *start_log += message;
  } else {
    spdlog::warn("http_endpoint: {}", message);
  }
  return 1;  // handled: civetweb writes no log of its own
}

struct reply {
  int status = 200;
  std::string body;
  const char* content_type = "text/plain; charset=utf-8";
};

reply text(int status, std::string body) {
  return {status, std::move(body) + "\n"};
}

reply run_check(const std::function<check_result()>& check) {
  check_result result;
  try {
    if (check)
      result = check();
  } catch (const std::exception& e) {
    result = {false, std::string{"check failed: "} + e.what()};
  } catch (...) {
    result = {false, "check failed"};
  }
  if (result.ok)
    return text(200, "ok");
  return text(503, result.reason.empty() ? "unavailable" : result.reason);
}

void send(mg_connection* conn, const reply& r, bool with_body) {
  auto length = std::to_string(r.body.size());
  mg_response_header_start(conn, r.status);
  mg_response_header_add(conn, "Content-Type", r.content_type, -1);
  mg_response_header_add(conn, "Content-Length", length.c_str(), -1);
  mg_response_header_add(conn, "Cache-Control", "no-store", -1);
  if (r.status == 405)
    mg_response_header_add(conn, "Allow", "GET", -1);
  mg_response_header_send(conn);
  // A failed write means the client left; there is no one to tell.
  if (with_body)
    mg_write(conn, r.body.data(), r.body.size());
}

}  // namespace

http_endpoint::http_endpoint(http_endpoint_config config, const metrics_registry& registry,
                             health_checks checks)
  : config_(std::move(config)), registry_(registry), checks_(std::move(checks)) {
  auto where = config_.host + ":" + std::to_string(config_.port);
  std::string why;
  auto address = resolve_listen_address(config_.host, config_.port,
                                        mg_check_feature(MG_FEATURES_IPV6) != 0, why);
  if (!address)
    throw std::system_error(EINVAL, std::generic_category(),
                            "http_endpoint: cannot resolve (" + why + ") " + where);
  address_ = std::move(*address);
  auto timeout = std::to_string(config_.io_timeout.count());
  auto max_head = std::to_string(config_.max_request_bytes);
  // handle() answers every request civetweb parses; with no document_root
  // civetweb serves no files either.
  const char* options[] = {"listening_ports",
                           address_.spec.c_str(),
                           "num_threads",
                           worker_threads,
                           "request_timeout_ms",
                           timeout.c_str(),
                           "max_request_size",
                           max_head.c_str(),
                           "enable_keep_alive",
                           "no",
                           nullptr};
  mg_callbacks callbacks{};
  callbacks.begin_request = &http_endpoint::handle;
  callbacks.log_message = &log_message;
  mg_init_data init{&callbacks, this, options};
  acquire_library();
  std::string log;
  char error_text[256] = "";
  mg_error_data error{nullptr, error_text, sizeof(error_text)};
  start_log = &log;
  server_ = mg_start2(&init, &error);
  start_log = nullptr;
  if (server_ == nullptr) {
    release_library();
    if (int err = listen_error(address_); err != 0)
      throw std::system_error(err, std::generic_category(),
                              "http_endpoint: cannot listen on " + where);
    throw std::system_error(EINVAL, std::generic_category(),
                            "http_endpoint: cannot listen on " + where + " (" + error_text
                              + (log.empty() ? "" : ": ") + log + ")");
  }
  mg_server_port bound{};
  if (mg_get_server_ports(server_, 1, &bound) != 1) {
    mg_stop(server_);
    release_library();
    throw std::system_error(EINVAL, std::generic_category(),
                            "http_endpoint: cannot read the bound port of " + where);
  }
  port_ = static_cast<std::uint16_t>(bound.port);
}

http_endpoint::~http_endpoint() {
  // mg_stop raises civetweb's stop flag, then waits for its accept loop,
  // which reads the flag only between 2 s polls; a connection to the port
  // ends such a poll, so knock until the stop is through. A knock before
  // the flag is up is served as an empty request. Without the knocking
  // thread the stop still completes, in up to 2 s.
  std::atomic<bool> stopped{false};
  std::thread knocker;
  try {
    knocker = std::thread{[&] {
      while (!stopped) {
        knock(address_, port_);
        std::this_thread::sleep_for(std::chrono::milliseconds{20});
      }
    }};
  } catch (const std::system_error&) {
  }
  mg_stop(server_);
  stopped = true;
  if (knocker.joinable())
    knocker.join();
  release_library();
}

int http_endpoint::handle(mg_connection* conn) {
  const auto* self = static_cast<const http_endpoint*>(mg_get_user_data(mg_get_context(conn)));
  return self->respond(conn);
}

int http_endpoint::respond(mg_connection* conn) const {
  const auto* request = mg_get_request_info(conn);
  std::string_view method = request->request_method;
  // Decoded, without the query string. civetweb closes a connection whose
  // target is not a path ("*", an absolute URI) before calling us; the
  // check only keeps a null pointer out of the string_view.
  std::string_view path = request->local_uri != nullptr ? request->local_uri : "";
  reply r;
  if (method != "GET") {
    r = text(405, "method not allowed");
  } else if (path == "/metrics") {
    try {
      r = {200, registry_.serialize(), "text/plain; version=0.0.4; charset=utf-8"};
    } catch (const std::exception& e) {
      r = text(500, e.what());
    }
  } else if (path == "/healthz") {
    r = run_check(checks_.liveness);
  } else if (path == "/readyz") {
    r = run_check(checks_.readiness);
  } else {
    r = text(404, "not found");
  }
  send(conn, r, method != "HEAD");
  return r.status;
}

}  // namespace txstream::monitoring
