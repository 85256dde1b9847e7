// A node's mutual TLS settings and their check at start-up (OpenSSL's C API,
// no CAF): the cluster's transport (cluster_transport.hpp) uses them.
#pragma once

#include <string>

namespace txstream {

/// The files of a node's mutual TLS: the cluster CA's certificate, this
/// node's certificate (signed by that CA) and its private key, all PEM
/// (scripts/cluster-ca makes them). All three empty: plain TCP. Config keys
/// cluster.tls.ca, cluster.tls.certificate and cluster.tls.key.
struct cluster_tls {
  std::string ca;
  std::string certificate;
  std::string key;

  /// True when any of the three is set; validate_cluster_tls then demands all.
  bool enabled() const {
    return !ca.empty() || !certificate.empty() || !key.empty();
  }
};

/// Throws config_error, naming the cluster.tls.* key, unless `tls` is all
/// empty or complete and usable: every file readable, the key unencrypted
/// and matching the certificate, the certificate signed by the CA, valid now
/// and fit for TLS servers and clients. CAF's OpenSSL module reads the
/// files only when a connection needs them, and aborts the process when it
/// cannot use them; so a node calls this before its actor system exists.
void validate_cluster_tls(const cluster_tls& tls);

}  // namespace txstream
