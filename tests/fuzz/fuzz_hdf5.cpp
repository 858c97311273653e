// h5ad and 10x HDF5: the input is an HDF5 file. First it goes through HDF5 itself as a file
// image (H5Pset_file_image: no file at all), every object visited and small datasets read, so
// that the library's own parsing is covered beyond what the readers touch; then through the
// readers as the app opens them (openCells on a scratch .h5ad, then .h5 for the 10x reader),
// reading the first and last gene.
#include <hdf5.h>

#include "data/cells/cells_open.h"
#include "tests/fuzz/fuzz_support.h"

using namespace tessera;

namespace {

herr_t visit(hid_t obj, const char* name, const H5O_info_t* info, void*) {
  if (info->type != H5O_TYPE_DATASET) return 0;
  const hid_t ds = H5Dopen2(obj, name, H5P_DEFAULT);
  if (ds < 0) return 0;
  const hid_t space = H5Dget_space(ds);
  const hssize_t n = space >= 0 ? H5Sget_simple_extent_npoints(space) : -1;
  const hid_t type = H5Dget_type(ds);
  const std::size_t bytes = type >= 0 ? H5Tget_size(type) : 0;
  // Small numeric datasets only: the readers' own size checks guard the rest.
  if (n > 0 && n <= 4096 && bytes > 0 && bytes <= 16 && type >= 0 &&
      (H5Tget_class(type) == H5T_INTEGER || H5Tget_class(type) == H5T_FLOAT)) {
    std::vector<double> out(static_cast<std::size_t>(n));
    H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data());
  }
  if (type >= 0) H5Tclose(type);
  if (space >= 0) H5Sclose(space);
  H5Dclose(ds);
  return 0;
}

void throughFileImage(const std::uint8_t* data, std::size_t size) {
  const hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  H5Pset_fapl_core(fapl, 1 << 16, 0);
  H5Pset_file_image(fapl, const_cast<std::uint8_t*>(data), size);
  const hid_t file = H5Fopen("fuzz-image.h5", H5F_ACC_RDONLY, fapl);
  if (file >= 0) {
    H5Ovisit2(file, H5_INDEX_NAME, H5_ITER_INC, visit, nullptr, H5O_INFO_BASIC);
    H5Fclose(file);
  }
  H5Pclose(fapl);
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
