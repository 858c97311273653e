#pragma once
/// Decode-only LZF filter (HDF5 filter id 32000, as registered by h5py) so that files written
/// with `compression="lzf"` (anndata 0.7 defaults in tests and many real files) can be read
/// without an external plugin. Call from the HDF5 thread; registering twice is harmless.
namespace tessera::data::h5 {

inline constexpr int kLzfFilterId = 32000;

/// Registers the filter with the HDF5 library once per process; false if HDF5 refused.
bool registerLzfFilter();

}  // namespace tessera::data::h5
