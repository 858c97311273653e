// The `.tessera` session file: the input is the file's text, parsed as `tessera FILE.tessera`
// and File > Open Session read it (paths resolved against a fixed folder), then written back
// to JSON and read again, as Save Session after an open does.
#include <nlohmann/json.hpp>

#include "data/session/session_file.h"

using namespace tessera;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::filesystem::path file = "/fuzz/sessions/in.tessera";
  auto session = data::parseSession(text, file);
  if (!session) return 0;
  const nlohmann::json written = data::sessionToJson(*session, file.parent_path());
  (void)data::sessionFromJson(written, file.parent_path(), "fuzz round trip");
  return 0;
}
