#pragma once
/// Decode-only LZF filter (HDF5 filter id 32000, as registered by h5py) so that files written
/// with `compression="lzf"` (anndata 0.7 defaults in tests and many real files) can be read
/// without an external plugin. Call from the HDF5 thread; registering twice is harmless.
#include <cstdint>
#include <span>

namespace tessera::data::h5 {

inline constexpr int kLzfFilterId = 32000;

/// Registers the filter with the HDF5 library once per process; false if HDF5 refused.
bool registerLzfFilter();

/// Decodes one LZF chunk into exactly `out` (the raw checks of hdf5_raw.h); false when the
/// chunk is damaged or decodes to another size. Any thread.
bool lzfDecodeExact(std::span<const std::uint8_t> in, std::span<std::uint8_t> out);

}  // namespace tessera::data::h5
