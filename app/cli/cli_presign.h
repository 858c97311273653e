#pragma once
/// `tessera presign s3://bucket/key [--expires SECONDS] [--profile NAME]`: prints a presigned
/// GET URL (SigV4 query authentication) made with the AWS profile's credentials, so a
/// colleague or a tool without credentials can read that one object until it expires.
#include <string>
#include <vector>

namespace tessera::app {

int runPresign(const std::vector<std::string>& args);

}  // namespace tessera::app
