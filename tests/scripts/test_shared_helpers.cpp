// The shell scripts under scripts/ that call a helper of scripts/lib/common.sh
// source that file (or define the helper themselves). A script that does
// neither fails only when it reaches the call: bench-e2e lost its `field`
// that way, after 3 minutes of a run, and nothing else runs it in CI.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <dirent.h>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

const std::string scripts_dir = std::string{TXSTREAM_SOURCE_DIR} + "/scripts";

std::string read_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in{text};
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
}

// "name() {" at the start of a line: the functions a file defines.
std::vector<std::string> defined_functions(const std::string& text) {
  std::vector<std::string> names;
  for (const auto& line : lines_of(text)) {
    std::size_t n = 0;
    while (n < line.size() && is_name_char(line[n]))
      ++n;
    if (n > 0 && line.compare(n, 2, "()") == 0)
      names.push_back(line.substr(0, n));
  }
  return names;
}

// True when `name` appears in command position on a line that is not a
// comment: at the line's start or after one of ( ; | & ` and blanks, and
// followed by a blank, the line's end, ; or ).
bool calls(const std::string& text, const std::string& name) {
  for (const auto& line : lines_of(text)) {
    auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#')
      continue;
    for (auto at = line.find(name); at != std::string::npos; at = line.find(name, at + 1)) {
      auto end = at + name.size();
      if (end < line.size() && line[end] != ' ' && line[end] != ';' && line[end] != ')')
        continue;
      auto before = at;
      while (before > 0 && (line[before - 1] == ' ' || line[before - 1] == '\t'))
        --before;
      if (before == 0 || std::string{"(;|&`"}.find(line[before - 1]) != std::string::npos)
        return true;
    }
  }
  return false;
}

// A non-comment line "source <...>lib/common.sh" (or ". <...>").
bool sources_common(const std::string& text) {
  for (const auto& line : lines_of(text)) {
    auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos)
      continue;
    if ((line.compare(first, 7, "source ") == 0 || line.compare(first, 2, ". ") == 0)
        && line.find("lib/common.sh", first) != std::string::npos)
      return true;
  }
  return false;
}

std::vector<std::string> bash_scripts() {
  std::vector<std::string> paths;
  DIR* dir = opendir(scripts_dir.c_str());
  REQUIRE(dir != nullptr);
  while (auto* entry = readdir(dir)) {
    std::string path = scripts_dir + "/" + entry->d_name;
    if (entry->d_type != DT_REG)
      continue;
    if (read_file(path).rfind("#!/usr/bin/env bash", 0) == 0)
      paths.push_back(path);
  }
  closedir(dir);
  return paths;
}

}  // namespace

TEST_CASE("the helper scan sees calls and skips comments and definitions", "[scripts]") {
  CHECK(calls("x=\"$(field \"$line\" rate)\"\n", "field"));
  CHECK(calls("  die \"no broker\"\n", "die"));
  CHECK(calls("a || die\n", "die"));
  CHECK_FALSE(calls("# field of the line\n", "field"));
  CHECK_FALSE(calls("echo fielder\n", "field"));
  CHECK_FALSE(calls("echo the field x\n", "field"));
  CHECK(defined_functions("say() { :; }\nfoo\n") == std::vector<std::string>{"say"});
  CHECK(sources_common("source \"$(dirname \"$0\")/lib/common.sh\"\n"));
  CHECK_FALSE(sources_common("# source scripts/lib/common.sh\n"));
}

TEST_CASE("scripts that call a shared helper source scripts/lib/common.sh", "[scripts]") {
  const auto helpers = defined_functions(read_file(scripts_dir + "/lib/common.sh"));
  REQUIRE(helpers.size() >= 4);
  const auto scripts = bash_scripts();
  REQUIRE(scripts.size() >= 5);
  for (const auto& path : scripts) {
    const auto text = read_file(path);
    if (sources_common(text))
      continue;
    const auto own = defined_functions(text);
    for (const auto& helper : helpers) {
      INFO(path << " calls " << helper << "() of scripts/lib/common.sh without sourcing it");
      if (std::find(own.begin(), own.end(), helper) == own.end())
        CHECK_FALSE(calls(text, helper));
    }
  }
}
