#pragma once
/// The files of a model package, whether a local folder or a .zip (stored or deflated members;
/// no zip64), read by relative path. Only files inside the package are reachable: absolute
/// paths, "..", and URLs are refused, so a package can never point Tessera at other files or
/// at the network. Thread-safe after open (reads are independent).
/// Errors: Errc::NotFound naming the package and member, Errc::Corrupt for a damaged zip,
/// Errc::InvalidArgument for a path that leaves the package.
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "data/error.h"

namespace tessera::data::ai {

class ModelPackage {
 public:
  /// `location` is a folder, a .zip, or a YAML file inside a folder (its folder is the package).
  static Expected<std::shared_ptr<const ModelPackage>> open(const std::filesystem::path& location);

  const std::string& location() const { return location_; }
  /// The package's description file: "rdf.yaml", "bioimageio.yaml" or "<name>.bioimageio.yaml"
  /// (0.5); a folder opened through a YAML file uses that file.
  const std::string& descriptionName() const { return description_; }
  Expected<std::vector<std::uint8_t>> read(const std::string& relative) const;

 private:
  struct ZipEntry {
    std::uint64_t offset = 0, compressed = 0, size = 0;
    int method = 0;
  };
  std::string location_;
  std::filesystem::path folder_;   ///< for folders
  std::vector<std::uint8_t> zip_;  ///< for zips: the whole archive
  std::map<std::string, ZipEntry> entries_;
  std::string prefix_;  ///< zip: folder the description file sits in ("" or "name/")
  std::string description_;
  Expected<void> indexZip();
};

}  // namespace tessera::data::ai
