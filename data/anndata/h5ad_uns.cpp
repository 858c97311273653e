// H5adFile::unsSpatial: the few uns values the viewer needs (Visium scale factors, the linked
// image). Missing or unreadable pieces are simply absent: uns is free-form.
#include "data/anndata/h5ad_reader.h"
#include "data/anndata/h5ad_reader_impl.h"
#include "data/anndata/hdf5_read.h"

namespace tessera::data {

H5adUnsSpatial H5adFile::unsSpatial() const {
  const Impl& f = *impl_;
  H5adUnsSpatial u;
  const std::string where = f.where("uns");
  if (h5::exists(f.file.get(), "uns/spatial")) {
    auto g = h5::open(f.file.get(), "uns/spatial", where);
    if (g) {
      for (const auto& lib : h5::children(g->get())) {
        auto num = [&](const std::string& key) -> std::optional<double> {
          const std::string p = lib + "/scalefactors/" + key;
          if (!h5::exists(g->get(), p)) return std::nullopt;
          auto d = h5::open(g->get(), p, where);
          if (!d) return std::nullopt;
          auto v = h5::readNumbers<double>(d->get(), where);
          if (!v || v->empty()) return std::nullopt;
          return v->front();
        };
        u.hiresScale = num("tissue_hires_scalef");
        u.lowresScale = num("tissue_lowres_scalef");
        u.spotDiameter = num("spot_diameter_fullres");
        u.library = lib;
        break;
      }
    }
  }
  if (h5::exists(f.file.get(), "uns/tessera_image")) {
    auto d = h5::open(f.file.get(), "uns/tessera_image", where);
    if (d) {
      auto s = h5::readStrings(d->get(), where);
      if (s && !s->empty()) u.image = s->front();
    }
  }
  return u;
}

}  // namespace tessera::data
