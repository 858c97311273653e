#pragma once
/// A reader for NumPy .npy arrays (format versions 1.0–3.0), as the model zoo ships its test
/// tensors: little- or big-endian bool, integer and float dtypes, C or Fortran order, converted
/// to float32 in C order. Pure function; thread-safe. Errors: Errc::Corrupt naming `what` and
/// the problem (bad magic, header, truncated data), Errc::Unsupported for object or complex
/// dtypes.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "data/error.h"

namespace tessera::data::ai {

struct NpyArray {
  std::vector<std::int64_t> shape;
  std::vector<float> values;  ///< C order
};

Expected<NpyArray> readNpy(std::span<const std::uint8_t> bytes, const std::string& what);

}  // namespace tessera::data::ai
