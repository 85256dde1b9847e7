// A node's TLS files are checked before its actor system exists: every
// mistake is a config_error naming the cluster.tls.* key, never CAF's abort
// at the first connection.
#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "config/config_error.hpp"
#include "nodes/cluster_tls.hpp"
#include "tests/support/cluster_certs.hpp"
#include "tests/support/test_env.hpp"

using namespace txstream;
using Catch::Matchers::Contains;

namespace {

/// The message of the config_error validate_cluster_tls throws, "" if none.
std::string tls_error(const cluster_tls& tls) {
  try {
    validate_cluster_tls(tls);
  } catch (const config_error& err) {
    return err.what();
  }
  return {};
}

/// A certificate for the key of `tls` that the CA of `certs` signs with
/// `extensions`, valid for `days` (0: until this second).
std::string sign(const test::cluster_certs& certs, const cluster_tls& tls, const std::string& name,
                 const std::string& extensions, int days) {
  auto pem = certs.path(name + ".pem");
  auto made = test::run("printf '" + extensions + "\\n' > " + certs.path(name + ".ext")
                        + " && openssl req -new -key " + tls.key + " -subj /CN=" + name
                        + " | openssl x509 -req -CA " + certs.path("ca.pem") + " -CAkey "
                        + certs.path("ca.key") + " -days " + std::to_string(days) + " -extfile "
                        + certs.path(name + ".ext") + " -out " + pem);
  INFO(made.output);
  REQUIRE(made.exit_code == 0);
  return pem;
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out{path};
  out << text;
}

}  // namespace

TEST_CASE("cluster TLS: none or all three files, each usable", "[nodes][cluster]") {
  test::cluster_certs certs{{"node-1", "node-2"}};
  test::cluster_certs other{{"node-1"}};
  const auto good = certs.tls_of("node-1");

  SECTION("nothing set is plain TCP, a complete set from scripts/cluster-ca passes") {
    CHECK_FALSE(cluster_tls{}.enabled());
    CHECK(tls_error({}).empty());
    CHECK(good.enabled());
    CHECK(tls_error(good).empty());
  }
  SECTION("a partial set names what is missing") {
    auto no_key = good;
    no_key.key.clear();
    CHECK(no_key.enabled());
    CHECK_THAT(tls_error(no_key), Contains("cluster.tls.key is not set")
                                    && Contains("cluster.tls.ca and cluster.tls.certificate are"));
    // CAF would fall back to anonymous encryption or abort on exactly these.
    CHECK_THAT(tls_error({good.ca, "", ""}),
               Contains("cluster.tls.certificate and cluster.tls.key are not set"));
    CHECK_THAT(tls_error({"", good.certificate, good.key}), Contains("cluster.tls.ca is not set"));
  }
  SECTION("a missing or unreadable file") {
    auto missing_ca = good;
    missing_ca.ca = certs.path("nope.pem");
    CHECK_THAT(tls_error(missing_ca),
               Contains("cluster.tls.ca = \"" + missing_ca.ca + "\": No such file or directory"));
    auto dir_as_key = good;
    dir_as_key.key = certs.dir();
    CHECK_THAT(tls_error(dir_as_key),
               Contains("cluster.tls.key") && Contains("not a regular file"));
  }
  SECTION("a key that does not belong to the certificate") {
    auto mismatch = good;
    mismatch.key = certs.path("node-2.key");
    CHECK_THAT(tls_error(mismatch), Contains("cluster.tls.key = \"" + mismatch.key + "\"")
                                      && Contains("does not belong to the certificate"));
  }
  SECTION("a certificate another CA signed") {
    auto foreign = good;
    foreign.certificate = other.path("node-1.pem");
    foreign.key = other.path("node-1.key");
    CHECK_THAT(tls_error(foreign), Contains("cluster.tls.certificate")
                                     && Contains("rejected with cluster.tls.ca")
                                     && Contains("unable to get local issuer certificate"));
  }
  SECTION("a certificate a handshake would refuse") {
    auto server_only = good;
    server_only.certificate = sign(certs, good, "server-only", "extendedKeyUsage=serverAuth", 30);
    CHECK_THAT(tls_error(server_only), Contains("cluster.tls.certificate")
                                         && Contains("for a TLS client")
                                         && Contains("unsuitable certificate purpose"));
    auto expired = good;
    expired.certificate = sign(certs, good, "expired", "extendedKeyUsage=serverAuth,clientAuth", 0);
    std::this_thread::sleep_for(std::chrono::milliseconds{1100});
    CHECK_THAT(tls_error(expired),
               Contains("cluster.tls.certificate") && Contains("certificate has expired"));
  }
  SECTION("files that are not what their key says") {
    auto key_as_certificate = good;
    key_as_certificate.certificate = good.key;
    CHECK_THAT(tls_error(key_as_certificate),
               Contains("cluster.tls.certificate") && Contains("not a usable PEM certificate"));
    auto certificate_as_key = good;
    certificate_as_key.key = good.certificate;
    CHECK_THAT(tls_error(certificate_as_key),
               Contains("cluster.tls.key") && Contains("not an unencrypted PEM private key"));
    auto empty_ca = good;
    empty_ca.ca = certs.path("empty.pem");
    write_file(empty_ca.ca, "");
    CHECK_THAT(tls_error(empty_ca), Contains("cluster.tls.ca") && Contains("no PEM certificate"));
  }
  SECTION("an encrypted key (nobody would be there to type the passphrase)") {
    auto encrypted = good;
    encrypted.key = certs.path("encrypted.key");
    auto made = test::run("openssl pkey -in " + good.key + " -aes256 -passout pass:secret -out "
                          + encrypted.key);
    REQUIRE(made.exit_code == 0);
    CHECK_THAT(tls_error(encrypted),
               Contains("cluster.tls.key") && Contains("not an unencrypted PEM private key"));
  }
}
