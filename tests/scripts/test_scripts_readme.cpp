// scripts/README.md names every script and folder in scripts/, so a new one
// cannot go unlisted.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

const std::filesystem::path scripts_dir = std::filesystem::path{TXSTREAM_SOURCE_DIR} / "scripts";

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in{path, std::ios::binary};
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

TEST_CASE("scripts/README.md names every script and folder in scripts/", "[scripts]") {
  const auto readme = read_file(scripts_dir / "README.md");
  REQUIRE_FALSE(readme.empty());
  for (const auto& entry : std::filesystem::directory_iterator{scripts_dir}) {
    const auto name = entry.path().filename().string();
    if (name == "README.md")
      continue;
    // A folder as `name/`, a script as `name` (or `name ARGS...`).
    const auto quoted = "`" + name + (entry.is_directory() ? "/`" : "");
    CAPTURE(name);
    CHECK(readme.find(quoted) != std::string::npos);
  }
}
