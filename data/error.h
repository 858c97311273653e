#pragma once
/// Errors as values. Every fallible data/ call returns Expected<T>; the message names the file,
/// URL or key involved so that it can be shown to the user as one line. Thread-safe (values).
#include <expected>
#include <string>
#include <utility>

namespace tessera::data {

enum class Errc { NotFound, Corrupt, Unsupported, Io, Network, Cancelled, InvalidArgument };

struct Error {
  Errc code;
  std::string message;
};

template <class T>
using Expected = std::expected<T, Error>;

inline std::unexpected<Error> fail(Errc code, std::string message) {
  return std::unexpected(Error{code, std::move(message)});
}

const char* errcName(Errc code);

}  // namespace tessera::data
