#include "data/error.h"

namespace tessera::data {

const char* errcName(Errc code) {
  switch (code) {
    case Errc::NotFound:
      return "not found";
    case Errc::Corrupt:
      return "corrupt";
    case Errc::Unsupported:
      return "unsupported";
    case Errc::Io:
      return "I/O error";
    case Errc::Network:
      return "network error";
    case Errc::Cancelled:
      return "cancelled";
    case Errc::InvalidArgument:
      return "invalid argument";
  }
  return "error";
}

}  // namespace tessera::data
