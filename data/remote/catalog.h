#pragma once
/// The dataset catalog (resources/catalog.json, schema in resources/CATALOG.md): public
/// datasets with title, archive, licence, size, URLs and optional sha256, plus S3 buckets and
/// BioImage Archive studies that can be browsed. Pure parsing, thread-safe. Errors are
/// Errc::Corrupt naming the file and the entry ("catalog.json: datasets[3] (idr0062A): url
/// is not https").
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "data/error.h"

namespace tessera::data {

struct CatalogDataset {
  std::string id, title, archive, licence, kind, description;
  std::vector<std::string> urls;  ///< first is the main one
  std::optional<std::uint64_t> sizeBytes;
  std::string sha256;       ///< of the single file, when known
  bool streamable = false;  ///< opens lazily (OME-Zarr, OME-TIFF) rather than downloading
};

struct CatalogBrowseRoot {
  std::string id, title, type;           ///< type: "s3" or "bioimage-archive"
  std::string endpoint, bucket, prefix;  ///< s3
  std::string accession;                 ///< bioimage-archive
};

struct Catalog {
  int version = 1;
  std::vector<CatalogDataset> datasets;
  std::vector<CatalogBrowseRoot> browse;
};

Expected<Catalog> parseCatalog(std::string_view json, const std::string& name);

}  // namespace tessera::data
