// A cluster CA and node certificates made by scripts/cluster-ca in a
// directory of their own, removed with the object.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "nodes/cluster_tls.hpp"
#include "tests/support/test_env.hpp"

namespace txstream::test {

class cluster_certs {
public:
  /// Runs scripts/cluster-ca for `nodes`; throws with its output if it fails.
  explicit cluster_certs(const std::vector<std::string>& nodes) {
    auto base = std::filesystem::temp_directory_path() / "txstream_certs_XXXXXX";
    std::string dir_template = base.string();
    if (mkdtemp(dir_template.data()) == nullptr)
      throw std::runtime_error{"mkdtemp failed for " + dir_template};
    dir_ = dir_template;
    std::string cmdline = std::string{TXSTREAM_SOURCE_DIR} + "/scripts/cluster-ca " + dir_;
    for (const auto& node : nodes)
      cmdline += " " + node;
    auto result = run(cmdline);
    output_ = result.output;
    if (result.exit_code != 0)
      throw std::runtime_error{"scripts/cluster-ca failed: " + result.output};
  }

  ~cluster_certs() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  cluster_certs(const cluster_certs&) = delete;
  cluster_certs& operator=(const cluster_certs&) = delete;

  const std::string& dir() const {
    return dir_;
  }

  /// What scripts/cluster-ca printed.
  const std::string& output() const {
    return output_;
  }

  std::string path(const std::string& file) const {
    return dir_ + "/" + file;
  }

  /// The TLS settings of `node`: the CA, its certificate and its key.
  cluster_tls tls_of(const std::string& node) const {
    return {path("ca.pem"), path(node + ".pem"), path(node + ".key")};
  }

private:
  std::string dir_;
  std::string output_;
};

}  // namespace txstream::test
