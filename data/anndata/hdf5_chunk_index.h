#pragma once
/// The chunk index of a chunked dataset, checked from the file's own bytes before HDF5 reads a
/// chunk: HDF5 1.10 allocates a filtered chunk's stored size, as the index records it, before it
/// reads the chunk (4 GiB for a 100 kB 10x file, found by fuzz_hdf5). Same thread rule as the
/// rest of the adapter.
#include <string>

#include "data/anndata/hdf5_util.h"

namespace tessera::data::h5 {

/// Every stored chunk of `dataset` lies inside the file. Version 1 B-tree indexes (what h5py,
/// anndata and Cell Ranger write) are walked node by node; a filtered single chunk (libver
/// "latest") is checked from the layout message; the other indexes of libver "latest" through
/// HDF5's chunk queries, up to 4096 chunks (each query walks the index from its start).
/// Contiguous and compact datasets pass. Checked once per dataset and thread (by file and header
/// address, never reused within a process). Errc::Corrupt naming `where`.
Expected<void> checkChunkIndex(hid_t dataset, const std::string& where);

}  // namespace tessera::data::h5
