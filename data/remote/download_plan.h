#pragma once
/// What a download consists of: one file (h5ad, OME-TIFF, ...) or every object of an
/// OME-Zarr tree, enumerated from its metadata alone (multiscales datasets, labels, each
/// array's chunk grid; bioformats2raw series from OME/.zattrs "series" or probed 0, 1, ...;
/// HCS plates: every row, well and field), because HTTP servers cannot list directories.
/// planDownload blocks on the client (worker threads only). Errors name the URL and key.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "data/error.h"
#include "data/remote/http_client.h"

namespace tessera::data {

struct DownloadItem {
  std::string url;
  std::string relPath;                ///< '/'-separated, relative to the output directory
  std::optional<std::uint64_t> size;  ///< when known in advance (HEAD or catalog)
  std::string sha256;                 ///< lower-case hex, checked when given
  bool mayBeMissing = false;          ///< zarr chunks: 404 means "fill value", not an error
  bool resumable = false;             ///< large files resume from their .part across runs
};

struct DownloadPlan {
  std::string url;
  std::string name;  ///< the file or folder name under the output directory
  std::vector<DownloadItem> items;
  bool zarr = false;
};

/// `url` names a zarr group (zarr.json / .zattrs / .zgroup found below it) or a single file.
/// `sha256` applies to a single file.
Expected<DownloadPlan> planDownload(HttpClient& client, const std::string& url,
                                    const std::string& sha256 = "");

/// `rel` as a path below `root`, or Errc::InvalidArgument for keys that would escape it or
/// are not plain relative paths ("../x", "/etc/x", "a//b", "a/./b", backslashes, NUL).
Expected<std::filesystem::path> safeJoin(const std::filesystem::path& root, std::string_view rel);

}  // namespace tessera::data
