#pragma once
/// Replaces a file's contents so that a crash leaves either the old file or the new one: the
/// text goes to a temporary beside the target, is flushed to disk (fsync) and renamed over it.
/// Any thread; callers serialise writes to one target.
#include <filesystem>
#include <string>

#include "data/error.h"

namespace tessera::data {

Expected<void> writeFileAtomic(const std::filesystem::path& target, const std::string& text);

}  // namespace tessera::data
