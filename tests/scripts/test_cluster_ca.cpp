// scripts/cluster-ca: a CA and node certificates fit for mutual TLS between
// nodes, made once and then only added to.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include <sys/stat.h>

#include "tests/support/cluster_certs.hpp"
#include "tests/support/test_env.hpp"

using namespace txstream;
using Catch::Matchers::Contains;

namespace {

const std::string script = std::string{TXSTREAM_SOURCE_DIR} + "/scripts/cluster-ca";

std::string read_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

unsigned permissions(const std::string& path) {
  struct stat st {};
  REQUIRE(stat(path.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

}  // namespace

TEST_CASE("cluster-ca makes a CA and a certificate per node", "[scripts]") {
  test::cluster_certs certs{{"node-1", "node-2"}};
  CHECK_THAT(certs.output(), Contains("made " + certs.path("ca.pem"))
                               && Contains("made " + certs.path("node-2.pem")));
  CHECK(permissions(certs.path("ca.key")) == 0600);
  CHECK(permissions(certs.path("node-1.key")) == 0600);
  CHECK(permissions(certs.path("node-1.pem")) == 0644);
  for (const auto& node : {"node-1", "node-2"}) {
    auto pem = certs.path(std::string{node} + ".pem");
    auto verified = test::run("openssl verify -CAfile " + certs.path("ca.pem")
                              + " -purpose sslserver " + pem + " && openssl verify -CAfile "
                              + certs.path("ca.pem") + " -purpose sslclient " + pem);
    CHECK(verified.exit_code == 0);
    auto text = test::run("openssl x509 -noout -subject -ext subjectAltName -in " + pem);
    CHECK_THAT(text.output, Contains(std::string{"CN = "} + node)
                              && Contains(std::string{"DNS:"} + node)
                              && Contains("IP Address:127.0.0.1"));
    auto key_matches = test::run("test \"$(openssl x509 -noout -pubkey -in " + pem
                                 + ")\" = \"$(openssl pkey -pubout -in "
                                 + certs.path(std::string{node} + ".key") + ")\"");
    CHECK(key_matches.exit_code == 0);
  }
  // A few years, not forever: valid in two years, expired in five.
  auto two_years = test::run("openssl x509 -noout -checkend 63072000 -in "
                             + certs.path("node-1.pem"));
  CHECK(two_years.exit_code == 0);
  auto five_years = test::run("openssl x509 -noout -checkend 157680000 -in "
                              + certs.path("node-1.pem"));
  CHECK(five_years.exit_code == 1);
}

TEST_CASE("cluster-ca keeps what exists and adds missing nodes", "[scripts]") {
  test::cluster_certs certs{{"node-1"}};
  const auto ca = read_file(certs.path("ca.pem"));
  const auto node_1 = read_file(certs.path("node-1.pem"));
  auto again = test::run(script + " " + certs.dir() + " node-1 node-3");
  INFO(again.output);
  REQUIRE(again.exit_code == 0);
  CHECK_THAT(again.output, Contains("kept " + certs.path("ca.pem"))
                             && Contains("kept " + certs.path("node-1.pem"))
                             && Contains("made " + certs.path("node-3.pem")));
  CHECK(read_file(certs.path("ca.pem")) == ca);
  CHECK(read_file(certs.path("node-1.pem")) == node_1);
  CHECK(test::run("openssl verify -CAfile " + certs.path("ca.pem") + " " + certs.path("node-3.pem"))
          .exit_code
        == 0);
}

TEST_CASE("cluster-ca refuses what it cannot sort out", "[scripts]") {
  test::cluster_certs certs{{"node-1"}};
  SECTION("a node id that is no DNS name, or the CA's") {
    for (const auto& bad : {"a_b", "-x", "ca"}) {
      auto result = test::run(script + " " + certs.dir() + " " + bad);
      CHECK(result.exit_code != 0);
      CHECK_THAT(result.output, Contains("node id"));
    }
  }
  SECTION("a certificate without its key") {
    REQUIRE(std::remove(certs.path("node-1.key").c_str()) == 0);
    auto result = test::run(script + " " + certs.dir() + " node-1");
    CHECK(result.exit_code != 0);
    CHECK_THAT(result.output, Contains("node-1.pem exists without"));
  }
  SECTION("a certificate of an earlier CA") {
    test::cluster_certs earlier{{"node-1"}};
    REQUIRE(test::run("cp " + earlier.path("node-1.pem") + " " + earlier.path("node-1.key") + " "
                      + certs.dir())
              .exit_code
            == 0);
    auto result = test::run(script + " " + certs.dir() + " node-1");
    CHECK(result.exit_code != 0);
    CHECK_THAT(result.output, Contains("is not signed by"));
  }
  SECTION("no node") {
    CHECK(test::run(script + " " + certs.dir()).exit_code != 0);
  }
}
