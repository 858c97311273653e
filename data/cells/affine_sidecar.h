#pragma once
/// The landmark-fitted affine of a dataset, kept in a JSON sidecar next to the user's session
/// file (`<session>.affines.json`), never in the source data. One file holds the affines of every
/// dataset of the session, keyed by the dataset's location:
///   {"format": "tessera-affines", "version": 1,
///    "datasets": {"<location>": {"affine": [[a,b,c],[d,e,f]], "source": "landmarks",
///                                "landmarks": [{"src": [x,y], "dst": [x,y], "residual": r}]}}}
/// Writes are atomic (a temporary in the same directory, fsync, rename), so a crash leaves the
/// old file or the new one. Any thread; callers serialise writes to one sidecar.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "data/cells/affine.h"
#include "data/error.h"

namespace tessera::data {

struct StoredAffine {
  Affine2D affine;
  std::string source = "landmarks";  ///< "landmarks" or "manual"
  std::vector<LandmarkPair> landmarks;
  std::vector<double> residuals;  ///< one per landmark when fitted
};

/// `<session>.affines.json` beside `sessionFile`.
std::filesystem::path affineSidecarPath(const std::filesystem::path& sessionFile);

/// Every stored affine; an absent sidecar gives an empty map. Errc::Corrupt names the file and
/// the dataset/field that is malformed.
Expected<std::map<std::string, StoredAffine>> readAffineSidecar(
    const std::filesystem::path& sidecar);

/// The affine stored for `datasetLocation`, if any.
Expected<std::optional<StoredAffine>> loadStoredAffine(const std::filesystem::path& sidecar,
                                                       const std::string& datasetLocation);

/// Sets (or replaces) the entry of `datasetLocation`, keeping the others; atomic write.
Expected<void> storeAffine(const std::filesystem::path& sidecar, const std::string& datasetLocation,
                           const StoredAffine& affine);

}  // namespace tessera::data
