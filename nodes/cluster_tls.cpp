#include "nodes/cluster_tls.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <sys/stat.h>

#include "config/config_error.hpp"

namespace txstream {

namespace {

constexpr const char* ca_key = "cluster.tls.ca";
constexpr const char* certificate_key = "cluster.tls.certificate";
constexpr const char* key_key = "cluster.tls.key";

template <class T, void (*Free)(T*)>
struct openssl_deleter {
  void operator()(T* ptr) const {
    Free(ptr);
  }
};

using ssl_ctx_ptr = std::unique_ptr<SSL_CTX, openssl_deleter<SSL_CTX, SSL_CTX_free>>;
using store_ctx_ptr =
  std::unique_ptr<X509_STORE_CTX, openssl_deleter<X509_STORE_CTX, X509_STORE_CTX_free>>;
using pkey_ptr = std::unique_ptr<EVP_PKEY, openssl_deleter<EVP_PKEY, EVP_PKEY_free>>;
using bio_ptr = std::unique_ptr<BIO, openssl_deleter<BIO, BIO_free_all>>;

std::string quoted(const std::string& path) {
  return "\"" + path + "\"";
}

[[noreturn]] void fail(const char* key, const std::string& path, const std::string& what) {
  throw config_error{std::string{key} + " = " + quoted(path) + ": " + what};
}

/// OpenSSL's reasons for the last failure, oldest first; empties its queue.
std::string openssl_reasons() {
  std::string out;
  while (auto code = ERR_get_error()) {
    const char* reason = ERR_reason_error_string(code);
    if (!out.empty())
      out += "; ";
    out += reason != nullptr ? reason : "error " + std::to_string(code);
  }
  return out.empty() ? "no reason given" : out;
}

void check_readable(const char* key, const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0)
    fail(key, path, std::strerror(errno));
  if (!S_ISREG(st.st_mode))
    fail(key, path, "not a regular file");
  std::FILE* file = std::fopen(path.c_str(), "r");
  if (file == nullptr)
    fail(key, path, std::strerror(errno));
  std::fclose(file);
}

// Without it OpenSSL asks on the terminal for an encrypted key's passphrase;
// a node has nobody to answer, and CAF would need the passphrase in its
// config, which txstream does not take.
int no_passphrase(char*, int, int, void*) {
  return 0;
}

pkey_ptr read_private_key(const std::string& path) {
  bio_ptr bio{BIO_new_file(path.c_str(), "r")};
  if (!bio)
    return nullptr;
  return pkey_ptr{PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr)};
}

/// The verification a TLS peer makes of this node's certificate, as a
/// server ("ssl_server") or as a client ("ssl_client"): "" when it passes.
std::string verify_as(SSL_CTX* ctx, const char* role) {
  store_ctx_ptr store_ctx{X509_STORE_CTX_new()};
  STACK_OF(X509)* chain = nullptr;
  SSL_CTX_get0_chain_certs(ctx, &chain);
  if (!store_ctx
      || X509_STORE_CTX_init(store_ctx.get(), SSL_CTX_get_cert_store(ctx),
                             SSL_CTX_get0_certificate(ctx), chain)
           != 1
      || X509_STORE_CTX_set_default(store_ctx.get(), role) != 1)
    return openssl_reasons();
  // The handshake also holds the CA to the security level (key sizes,
  // digests); the node's own certificate was held to it when loaded.
  X509_VERIFY_PARAM_set_auth_level(X509_STORE_CTX_get0_param(store_ctx.get()),
                                   SSL_CTX_get_security_level(ctx));
  if (X509_verify_cert(store_ctx.get()) == 1)
    return {};
  return X509_verify_cert_error_string(X509_STORE_CTX_get_error(store_ctx.get()));
}

}  // namespace

void validate_cluster_tls(const cluster_tls& tls) {
  if (!tls.enabled())
    return;
  std::vector<std::string> unset;
  std::vector<std::string> set;
  for (auto [key, value] :
       {std::pair{ca_key, &tls.ca}, std::pair{certificate_key, &tls.certificate},
        std::pair{key_key, &tls.key}})
    (value->empty() ? unset : set).emplace_back(key);
  if (!unset.empty()) {
    auto list = [](const std::vector<std::string>& keys) {
      std::string out = keys.front();
      for (std::size_t i = 1; i < keys.size(); ++i)
        out += " and " + keys[i];
      return out;
    };
    throw config_error{list(unset) + (unset.size() == 1 ? " is" : " are") + " not set, but "
                       + list(set) + (set.size() == 1 ? " is" : " are")
                       + ": mutual TLS needs all three (none: plain TCP)"};
  }
  check_readable(ca_key, tls.ca);
  check_readable(certificate_key, tls.certificate);
  check_readable(key_key, tls.key);
  ERR_clear_error();
  // The same calls CAF's OpenSSL module makes for every connection, in a
  // context of the same kind (TLS_method, default security level).
  ssl_ctx_ptr ctx{SSL_CTX_new(TLS_method())};
  if (!ctx)
    throw config_error{"cannot check cluster.tls.*: " + openssl_reasons()};
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), tls.certificate.c_str()) != 1)
    fail(certificate_key, tls.certificate,
         "not a usable PEM certificate (" + openssl_reasons() + ")");
  auto key = read_private_key(tls.key);
  if (!key)
    fail(key_key, tls.key, "not an unencrypted PEM private key (" + openssl_reasons() + ")");
  if (SSL_CTX_use_PrivateKey(ctx.get(), key.get()) != 1
      || SSL_CTX_check_private_key(ctx.get()) != 1) {
    ERR_clear_error();
    fail(key_key, tls.key,
         "does not belong to the certificate of " + std::string{certificate_key} + " = "
           + quoted(tls.certificate));
  }
  if (SSL_CTX_load_verify_locations(ctx.get(), tls.ca.c_str(), nullptr) != 1)
    fail(ca_key, tls.ca, "no PEM certificate in it (" + openssl_reasons() + ")");
  for (auto role : {"ssl_server", "ssl_client"}) {
    auto problem = verify_as(ctx.get(), role);
    if (!problem.empty())
      fail(certificate_key, tls.certificate,
           "rejected with " + std::string{ca_key} + " = " + quoted(tls.ca) + " for a TLS "
             + (role == std::string{"ssl_server"} ? "server" : "client") + ": " + problem);
  }
}

}  // namespace txstream
