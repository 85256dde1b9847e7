// JSON log lines are valid JSON with ECS fields, whatever the message holds.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

// nlohmann/json: header-only, found on the system include path.
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "monitoring/json_log_formatter.hpp"
#include "monitoring/logging.hpp"

#include <unistd.h>  // getpid

using namespace txstream::monitoring;
using nlohmann::json;

namespace {

std::string temp_log(const char* name) {
  auto path = std::string{TXSTREAM_TEST_BINARY_DIR} + "/" + name + "_" + std::to_string(::getpid())
              + ".log";
  std::remove(path.c_str());
  return path;
}

// "YYYY-MM-DDTHH:MM:SS.mmmZ". Hand-written: <regex> trips GCC 12's
// -Wmaybe-uninitialized in sanitizer builds.
bool is_iso_utc_millis(const std::string& s) {
  static const std::string shape = "dddd-dd-ddTdd:dd:dd.dddZ";
  if (s.size() != shape.size())
    return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    bool ok = shape[i] == 'd' ? (s[i] >= '0' && s[i] <= '9') : s[i] == shape[i];
    if (!ok)
      return false;
  }
  return true;
}

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

}  // namespace

TEST_CASE("json_escape keeps any input valid JSON", "[monitoring]") {
  CHECK(json_escape("plain") == "plain");
  CHECK(json_escape("a\"b\\c") == "a\\\"b\\\\c");
  CHECK(json_escape("l1\nl2\r\t") == "l1\\nl2\\r\\t");
  CHECK(json_escape(std::string("\0\x01\x1f\x7f", 4)) == "\\u0000\\u0001\\u001f\\u007f");
  CHECK(json_escape("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80")
        == "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  // Stray continuation, truncated sequence, overlong, surrogate, > U+10FFFF.
  CHECK(json_escape("a\x80z") == "a\xef\xbf\xbdz");
  CHECK(json_escape("a\xe2\x82") == "a\xef\xbf\xbd");
  CHECK(json_escape("\xc0\xaf") == "\xef\xbf\xbd\xef\xbf\xbd");
  CHECK(json_escape("\xed\xa0\x80") == "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
  CHECK(json_escape("\xf4\x90\x80\x80").find("\xef\xbf\xbd") == 0);
  for (auto s : {"\xff", "\xfe\xfe", "\xe2\x28\xa1", "\xf0\x9f\x98"}) {
    auto quoted = "\"" + json_escape(s) + "\"";
    CHECK_NOTHROW(json::parse(quoted));
  }
}

TEST_CASE("ECS level names", "[monitoring]") {
  CHECK(ecs_level(spdlog::level::warn) == "warn");
  CHECK(ecs_level(spdlog::level::err) == "error");
  CHECK(ecs_level(spdlog::level::info) == "info");
  CHECK(ecs_level(spdlog::level::debug) == "debug");
  CHECK(parse_log_level("warning") == spdlog::level::warn);
  CHECK(parse_log_level("warn") == spdlog::level::warn);
  CHECK_FALSE(parse_log_level("loud"));
  CHECK(parse_log_format("text") == log_format::text);
  CHECK_FALSE(parse_log_format("xml"));
}

TEST_CASE("JSON log lines parse and carry the ECS fields", "[monitoring]") {
  auto path = temp_log("json");
  logging_config cfg;
  cfg.node_id = "node-7";
  cfg.level = spdlog::level::debug;
  cfg.file = path;
  static constexpr char raw[] = "ctrl \x01\x1b[31m tab\t nul \0 end";
  const std::string control_chars{raw, sizeof(raw) - 1};
  {
    logging_guard guard{cfg};
    auto log = actor_logger("partition_consumer");
    CHECK(actor_logger("partition_consumer") == log);
    log->info("assigned {} partitions", 3);
    log->warn("quote \" backslash \\ newline\nnext line");
    log->error(control_chars);
    log->debug("bad utf8 \xff\xfe and \xc3\x28 and ok \xc3\xa9");
    log->trace("below the level: dropped");
    spdlog::info("from the default logger");
  }
  auto lines = read_lines(path);
  REQUIRE(lines.size() == 5);
  std::vector<json> docs;
  for (auto& line : lines) {
    INFO(line);
    REQUIRE_NOTHROW(docs.push_back(json::parse(line)));
  }
  for (auto& doc : docs) {
    CHECK(is_iso_utc_millis(doc.at("@timestamp").get<std::string>()));
    CHECK(doc.at("service.name") == "txstream");
    CHECK(doc.at("txstream.node_id") == "node-7");
    CHECK(doc.at("process.thread.id").is_number_integer());
  }
  CHECK(docs[0].at("log.level") == "info");
  CHECK(docs[0].at("message") == "assigned 3 partitions");
  CHECK(docs[0].at("log.logger") == "partition_consumer");
  CHECK(docs[1].at("log.level") == "warn");
  CHECK(docs[1].at("message") == "quote \" backslash \\ newline\nnext line");
  CHECK(docs[2].at("log.level") == "error");
  CHECK(docs[2].at("message") == control_chars);
  CHECK(docs[3].at("log.level") == "debug");
  CHECK(docs[3].at("message")
        == "bad utf8 \xef\xbf\xbd\xef\xbf\xbd and \xef\xbf\xbd( and ok \xc3\xa9");
  CHECK(docs[4].at("log.logger") == "main");
  CHECK(docs[4].at("message") == "from the default logger");
  std::remove(path.c_str());
}

TEST_CASE("text format is human-readable", "[monitoring]") {
  auto path = temp_log("text");
  logging_config cfg;
  cfg.format = log_format::text;
  cfg.file = path;
  {
    logging_guard guard{cfg};
    actor_logger("window_actor")->warn("window {} closed late", 12);
  }
  auto lines = read_lines(path);
  REQUIRE(lines.size() == 1);
  INFO(lines[0]);
  CHECK(is_iso_utc_millis(lines[0].substr(0, 24)));
  CHECK(lines[0].substr(24) == " warn  [window_actor] window 12 closed late");
  std::remove(path.c_str());
}

TEST_CASE("an unwritable log file fails at init", "[monitoring]") {
  logging_config cfg;
  cfg.file = "/dev/null/x.log";  // a file cannot hold a directory
  CHECK_THROWS_AS(init_logging(cfg), spdlog::spdlog_ex);
}
