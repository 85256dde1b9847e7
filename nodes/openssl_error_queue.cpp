// Clears OpenSSL's per-thread error queue before every TLS read, write and
// handshake step of CAF's OpenSSL module (libcaf_openssl 0.17.6).
//
// Why: OpenSSL's SSL_get_error is only meaningful on an empty queue, and
// CAF never clears it (its only ERR_get_error calls sit in log statements
// that Debian's build compiles out). A TLS connection that ends with an
// error leaves an entry on the multiplexer thread's queue; BASP closing the
// redundant connection of two nodes that connected to each other is one
// such end ("unexpected eof while reading"). The next read or write on any
// other connection that would block then looks like SSL_ERROR_SSL instead
// of SSL_ERROR_WANT_READ/WRITE, and CAF closes that healthy connection: its
// peers' actors go down with remote_link_unreachable. Between nodes in
// containers this happened within a second of every shard map.
//
// How: the executable defines these four functions; the dynamic linker
// binds libcaf_openssl's calls to them (the executable's definitions come
// first in symbol lookup), and each calls OpenSSL's own after clearing.
#include <dlfcn.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

namespace {

template <class Fn>
Fn openssl_own(const char* name) {
  return reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
}

}  // namespace

extern "C" {

int SSL_read(SSL* ssl, void* buf, int num) {
  static const auto own = openssl_own<int (*)(SSL*, void*, int)>("SSL_read");
  ERR_clear_error();
  return own(ssl, buf, num);
}

int SSL_write(SSL* ssl, const void* buf, int num) {
  static const auto own = openssl_own<int (*)(SSL*, const void*, int)>("SSL_write");
  ERR_clear_error();
  return own(ssl, buf, num);
}

int SSL_connect(SSL* ssl) {
  static const auto own = openssl_own<int (*)(SSL*)>("SSL_connect");
  ERR_clear_error();
  return own(ssl);
}

int SSL_accept(SSL* ssl) {
  static const auto own = openssl_own<int (*)(SSL*)>("SSL_accept");
  ERR_clear_error();
  return own(ssl);
}

}  // extern "C"
