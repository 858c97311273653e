#include "data/ai/model_package.h"

#include <zlib.h>

#include <cstring>
#include <fstream>
#include <iterator>

namespace fs = std::filesystem;

namespace tessera::data::ai {
namespace {

std::uint32_t u32(const std::uint8_t* p) {
  return p[0] | p[1] << 8 | p[2] << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}
std::uint16_t u16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>(p[0] | p[1] << 8);
}

bool isDescription(const std::string& name) {
  return name == "rdf.yaml" || name == "bioimageio.yaml" || name.ends_with(".bioimageio.yaml");
}

Expected<std::vector<std::uint8_t>> readFile(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  if (!f) return fail(Errc::NotFound, p.string() + ": cannot open");
  return std::vector<std::uint8_t>((std::istreambuf_iterator<char>(f)),
                                   std::istreambuf_iterator<char>());
}

}  // namespace

Expected<std::shared_ptr<const ModelPackage>> ModelPackage::open(const fs::path& location) {
  auto pkg = std::shared_ptr<ModelPackage>(new ModelPackage());
  pkg->location_ = location.string();
  std::error_code ec;
  if (fs::is_directory(location, ec)) {
    pkg->folder_ = location;
    for (const char* n : {"rdf.yaml", "bioimageio.yaml"})
      if (fs::is_regular_file(location / n, ec)) {
        pkg->description_ = n;
        break;
      }
    if (pkg->description_.empty())
      for (const auto& e : fs::directory_iterator(location, ec))
        if (isDescription(e.path().filename().string())) {
          pkg->description_ = e.path().filename().string();
          break;
        }
    if (pkg->description_.empty())
      return fail(Errc::NotFound, location.string() + ": no rdf.yaml or bioimageio.yaml in it");
    return std::shared_ptr<const ModelPackage>(pkg);
  }
  if (!fs::is_regular_file(location, ec))
    return fail(Errc::NotFound, location.string() + ": no such file or directory");
  const std::string ext = location.extension().string();
  if (ext == ".yaml" || ext == ".yml") {
    pkg->folder_ = location.parent_path().empty() ? fs::path(".") : location.parent_path();
    pkg->location_ = pkg->folder_.string();
    pkg->description_ = location.filename().string();
    return std::shared_ptr<const ModelPackage>(pkg);
  }
  auto bytes = readFile(location);
  if (!bytes) return std::unexpected(bytes.error());
  pkg->zip_ = std::move(*bytes);
  if (auto ok = pkg->indexZip(); !ok) return std::unexpected(ok.error());
  return std::shared_ptr<const ModelPackage>(pkg);
}

Expected<void> ModelPackage::indexZip() {
  auto corrupt = [&](const std::string& why) {
    return fail(Errc::Corrupt, location_ + ": not a readable zip (" + why + ")");
  };
  const auto& z = zip_;
  if (z.size() < 22) return corrupt("too short");
  std::size_t eocd = std::string::npos;
  const std::size_t lowest = z.size() > 65557 ? z.size() - 65557 : 0;
  for (std::size_t i = z.size() - 22 + 1; i-- > lowest;)
    if (u32(&z[i]) == 0x06054b50) {
      eocd = i;
      break;
    }
  if (eocd == std::string::npos) return corrupt("no end of central directory");
  const std::uint16_t count = u16(&z[eocd + 10]);
  std::uint64_t pos = u32(&z[eocd + 16]);
  if (u32(&z[eocd + 16]) == 0xFFFFFFFFu) return corrupt("zip64 is not supported");
  for (int i = 0; i < count; ++i) {
    if (pos + 46 > z.size() || u32(&z[pos]) != 0x02014b50) return corrupt("bad central directory");
    ZipEntry e;
    e.method = u16(&z[pos + 10]);
    e.compressed = u32(&z[pos + 20]);
    e.size = u32(&z[pos + 24]);
    const std::uint16_t nameLen = u16(&z[pos + 28]), extra = u16(&z[pos + 30]),
                        comment = u16(&z[pos + 32]);
    e.offset = u32(&z[pos + 42]);
    if (pos + 46 + nameLen > z.size()) return corrupt("bad central directory");
    const std::string name(reinterpret_cast<const char*>(&z[pos + 46]), nameLen);
    entries_[name] = e;
    pos += 46 + nameLen + extra + comment;
  }
  // The description at the top, or in the one folder a zipped folder has.
  for (const auto& [name, e] : entries_) {
    const auto slash = name.rfind('/');
    const std::string base = slash == std::string::npos ? name : name.substr(slash + 1);
    const std::string dir = slash == std::string::npos ? "" : name.substr(0, slash + 1);
    if (!isDescription(base) || dir.find('/') != dir.rfind('/')) continue;
    if (description_.empty() || dir.size() < prefix_.size() ||
        (dir == prefix_ && base == "rdf.yaml")) {
      description_ = base;
      prefix_ = dir;
    }
  }
  if (description_.empty()) return fail(Errc::NotFound, location_ + ": no rdf.yaml in the zip");
  return {};
}

Expected<std::vector<std::uint8_t>> ModelPackage::read(const std::string& relative) const {
  if (relative.find("://") != std::string::npos)
    return fail(Errc::InvalidArgument,
                location_ + ": " + relative +
                    " is a URL; Tessera reads model files only from the package itself");
  const fs::path rel = fs::path(relative).lexically_normal();
  if (rel.empty() || rel.is_absolute() || *rel.begin() == "..")
    return fail(Errc::InvalidArgument, location_ + ": " + relative + " is outside the package");
  if (!folder_.empty()) {
    std::error_code ec;
    if (!fs::is_regular_file(folder_ / rel, ec))
      return fail(Errc::NotFound, location_ + ": " + relative + " is missing from the package");
    return readFile(folder_ / rel);
  }
  const auto it = entries_.find(prefix_ + rel.generic_string());
  if (it == entries_.end())
    return fail(Errc::NotFound, location_ + ": " + relative + " is missing from the zip");
  const ZipEntry& e = it->second;
  const auto& z = zip_;
  if (e.offset + 30 > z.size() || u32(&z[e.offset]) != 0x04034b50)
    return fail(Errc::Corrupt, location_ + ": " + relative + ": bad local header");
  const std::uint64_t data = e.offset + 30 + u16(&z[e.offset + 26]) + u16(&z[e.offset + 28]);
  if (data + e.compressed > z.size())
    return fail(Errc::Corrupt, location_ + ": " + relative + ": truncated");
  std::vector<std::uint8_t> out(e.size);
  if (e.method == 0) {
    if (e.compressed != e.size)
      return fail(Errc::Corrupt, location_ + ": " + relative + ": bad stored size");
    std::memcpy(out.data(), &z[data], e.size);
    return out;
  }
  if (e.method != 8)
    return fail(Errc::Unsupported, location_ + ": " + relative + ": zip compression method " +
                                       std::to_string(e.method) + " (only stored and deflate)");
  z_stream s{};
  if (inflateInit2(&s, -MAX_WBITS) != Z_OK)
    return fail(Errc::Io, location_ + ": cannot start inflating " + relative);
  s.next_in = const_cast<Bytef*>(&z[data]);
  s.avail_in = static_cast<uInt>(e.compressed);
  s.next_out = out.data();
  s.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&s, Z_FINISH);
  const bool ok = rc == Z_STREAM_END && s.total_out == e.size;
  inflateEnd(&s);
  if (!ok) return fail(Errc::Corrupt, location_ + ": " + relative + ": damaged deflate data");
  return out;
}

}  // namespace tessera::data::ai
