#pragma once
/// CLI exit codes: 0 success, 2 bad input (the user can fix it), 1 internal failure.
#include "data/error.h"

namespace tessera::app {

enum ExitCode : int { kExitOk = 0, kExitInternal = 1, kExitBadInput = 2 };

inline int exitCodeFor(const data::Error& e) {
  switch (e.code) {
    case data::Errc::NotFound:
    case data::Errc::Corrupt:
    case data::Errc::Unsupported:
    case data::Errc::InvalidArgument:
      return kExitBadInput;
    default:
      return kExitInternal;
  }
}

}  // namespace tessera::app
