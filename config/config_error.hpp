// The one exception type of configuration loading (start-up only).
#pragma once

#include <stdexcept>

namespace txstream {

/// A configuration value that cannot be used; the message names the key and
/// where the value came from (file, environment variable or default).
class config_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

}  // namespace txstream
