// h5ad and 10x HDF5: the input is an HDF5 file. First it goes through HDF5 itself as a file
// image (H5Pset_file_image: HDF5 reads no file), every group and dataset reachable by hard
// links visited and small numeric datasets read, so that the library's own parsing is covered
// beyond what the readers touch; then through the readers as the app opens them (openCells on
// a scratch .h5ad, then .h5 for the 10x reader), reading the first and last gene.
// The first pass reaches objects as the readers do, through h5::objectType / h5::open and
// h5::checkReadSize, whose checks of the file's own bytes come before HDF5 trusts them (HDF5
// allocates the lengths a damaged header or chunk index declares, found by this target): a
// finding there is one the app would meet. The image is named after a scratch copy of the same
// bytes, which those checks read.
#include <hdf5.h>

#include <cstdio>
#include <set>

#include "data/anndata/hdf5_read.h"
#include "data/anndata/hdf5_superblock.h"
#include "data/cells/cells_open.h"
#include "tests/fuzz/fuzz_support.h"

using namespace tessera;
namespace h5 = tessera::data::h5;

namespace {

void readSmallDataset(hid_t ds, const std::string& where) {
  h5::Handle space(H5Dget_space(ds));
  const hssize_t n = space ? H5Sget_simple_extent_npoints(space.get()) : -1;
  h5::Handle type(H5Dget_type(ds));
  const std::size_t bytes = type ? H5Tget_size(type.get()) : 0;
  const H5T_class_t cls = type ? H5Tget_class(type.get()) : H5T_NO_CLASS;
  // Small numeric datasets only: the readers' own size checks guard the rest.
  if (n <= 0 || n > 4096 || bytes == 0 || bytes > 16 || (cls != H5T_INTEGER && cls != H5T_FLOAT))
    return;
  if (!h5::checkReadSize(ds, static_cast<std::uint64_t>(n), sizeof(double), where)) return;
  std::vector<double> out(static_cast<std::size_t>(n));
  H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data());
}

void visit(hid_t group, const std::string& path, int depth, std::set<haddr_t>& seen) {
  if (depth > 8) return;
  for (const std::string& name : h5::children(group)) {
    const H5O_type_t type = h5::objectType(group, name);
    if (type != H5O_TYPE_GROUP && type != H5O_TYPE_DATASET) continue;
    auto obj = h5::open(group, name, path + "/" + name);
    if (!obj) continue;
    H5O_info_t info{};
    if (H5Oget_info2(obj->get(), &info, H5O_INFO_BASIC) < 0 || !seen.insert(info.addr).second)
      continue;
    if (type == H5O_TYPE_DATASET)
      readSmallDataset(obj->get(), path + "/" + name);
    else
      visit(obj->get(), path + "/" + name, depth + 1, seen);
  }
}

void throughFileImage(const std::uint8_t* data, std::size_t size) {
  fuzz::ScratchFile copy(data, size, "image.h5ad");
  if (!copy.ok() || !h5::checkSuperblock(copy.path())) return;  // as h5::openReadOnly does
  h5::Handle fapl(H5Pcreate(H5P_FILE_ACCESS));
  H5Pset_fapl_core(fapl.get(), 1 << 16, 0);
  H5Pset_file_image(fapl.get(), const_cast<std::uint8_t*>(data), size);
  // The core driver refuses an image named after an existing file, and the checks read the
  // file by the image's name: the copy is removed while HDF5 opens the image, then written again.
  std::remove(copy.path().c_str());
  h5::Handle file(H5Fopen(copy.path().c_str(), H5F_ACC_RDONLY, fapl.get()));
  fuzz::ScratchFile again(data, size, "image.h5ad");
  if (file && again.ok()) {
    std::set<haddr_t> seen;
    visit(file.get(), "", 0, seen);
  }
  H5Eclear2(H5E_DEFAULT);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool quiet = [] { return H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr) >= 0; }();
  (void)quiet;
  if (size > 0) throughFileImage(data, size);
  for (const char* name : {"fuzz.h5ad", "fuzz.h5"}) {
    fuzz::ScratchFile file(data, size, name);
    if (!file.ok()) continue;
    auto table = data::openCells(file.path());
    if (!table || !table->genes || table->geneNames.empty()) continue;
    (void)table->genes->readGene(0);
    (void)table->genes->readGene(static_cast<std::int64_t>(table->geneNames.size()) - 1);
  }
  return 0;
}
