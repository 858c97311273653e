// S3 ListObjectsV2: the input is one ListBucketResult page as an archive browser receives it.
#include "data/remote/archive_listing.h"

using namespace tessera;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view xml(reinterpret_cast<const char*>(data), size);
  (void)data::parseS3ListPage(xml, "https://s3.example.org", "bucket", "fuzz listing");
  return 0;
}
