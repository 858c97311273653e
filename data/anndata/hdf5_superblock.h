#pragma once
/// A look at an HDF5 file's superblock from its own bytes before H5Fopen: opening loads the
/// root group's object header (and the superblock extension's), and HDF5 allocates the length
/// a header declares before it reads it (hdf5_object_header.h).
#include <string>

#include "data/error.h"

namespace tessera::data::h5 {

/// Errc::Corrupt naming `name` when the superblock cannot be found or read, or when the root
/// group's or the superblock extension's object header does not lie inside the file.
Expected<void> checkSuperblock(const std::string& name);

}  // namespace tessera::data::h5
