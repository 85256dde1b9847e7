// scripts/format: the C++ sources keep the layout of .clang-format, and
// --check names the files that do not.
#include <catch2/catch.hpp>

#include <cstdlib>  // mkdtemp
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/test_env.hpp"

using namespace txstream;
using Catch::Matchers::Contains;

namespace {

const std::string script = std::string{TXSTREAM_SOURCE_DIR} + "/scripts/format";

/// A scratch directory of C++ files, removed with the object.
class scratch_sources {
public:
  scratch_sources() {
    auto base = std::filesystem::temp_directory_path() / "txstream_format_XXXXXX";
    std::string dir_template = base.string();
    REQUIRE(mkdtemp(dir_template.data()) != nullptr);
    dir_ = dir_template;
  }

  ~scratch_sources() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  scratch_sources(const scratch_sources&) = delete;
  scratch_sources& operator=(const scratch_sources&) = delete;

  std::string write(const std::string& name, const std::string& text) const {
    auto path = dir_ + "/" + name;
    std::ofstream{path, std::ios::binary} << text;
    return path;
  }

  std::string read(const std::string& name) const {
    std::ifstream in{dir_ + "/" + name, std::ios::binary};
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
  }

private:
  std::string dir_;
};

// Laid out as .clang-format wants it.
const std::string tidy = "namespace txstream {\n"
                         "\n"
                         "int twice(int x) {\n"
                         "  return 2 * x;\n"
                         "}\n"
                         "\n"
                         "}  // namespace txstream\n";

// The same code in another layout.
const std::string untidy = "namespace txstream {\n"
                           "\n"
                           "int twice( int x ) { return 2*x; }\n"
                           "\n"
                           "} // namespace txstream\n";

}  // namespace

TEST_CASE("format --check names the files that differ from .clang-format, and "
          "format rewrites them",
          "[scripts]") {
  scratch_sources src;
  const auto good = src.write("good.cpp", tidy);
  const auto bad = src.write("bad.hpp", untidy);
  auto check = test::run(script + " --check " + good + " " + bad);
  INFO(check.output);
  CHECK(check.exit_code == 1);
  CHECK_THAT(check.output, Contains("1 of 2 files differ") && Contains(bad) && !Contains(good));
  CHECK(src.read("bad.hpp") == untidy);  // --check changes nothing

  auto format = test::run(script + " " + bad);
  INFO(format.output);
  CHECK(format.exit_code == 0);
  CHECK(src.read("bad.hpp") == tidy);
  CHECK(test::run(script + " --check " + good + " " + bad).exit_code == 0);
}

// Fails while some source is laid out otherwise: `scripts/format` fixes
// that, and its list says where.
TEST_CASE("every C++ source of the project is laid out as .clang-format says", "[scripts]") {
  auto check = test::run(script + " --check");
  INFO(check.output);
  CHECK(check.exit_code == 0);
}
