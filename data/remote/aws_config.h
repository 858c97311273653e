#pragma once
/// The AWS settings a user already has, resolved in the AWS CLI's order:
///  - credentials: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN) from the
///    environment, else the profile's aws_access_key_id / aws_secret_access_key /
///    aws_session_token in the shared credentials file, then in the config file;
///  - profile: the one asked for, else AWS_PROFILE, else "default" (an explicitly asked
///    profile wins over environment credentials, as `aws --profile` does);
///  - region: AWS_REGION, AWS_DEFAULT_REGION, the profile's `region`, else us-east-1;
///  - endpoint: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's `endpoint_url` (top level
///    or in its `s3 =` sub-section), else AWS's regional endpoint.
/// Files: AWS_SHARED_CREDENTIALS_FILE (default ~/.aws/credentials) and AWS_CONFIG_FILE
/// (default ~/.aws/config); a missing file is no error. Without credentials, requests go
/// unsigned (public buckets), as with `aws --no-sign-request`.
/// Secrets are never part of describe() or of any error message.
/// Pure functions over an environment lookup, thread-safe.
#include <functional>
#include <string>
#include <vector>

#include "data/error.h"
#include "data/remote/sigv4.h"

namespace tessera::data {

struct AwsProfile {
  std::string name;  ///< the profile used ("default" unless asked otherwise)
  AwsCredentials credentials;
  std::string credentialSource;  ///< "environment", a file path, or "" (unsigned)
  std::string region = "us-east-1";
  std::string endpointUrl;  ///< custom endpoint ("http://127.0.0.1:9000"); empty for AWS
  /// "profile default, credentials from ~/.aws/credentials, region eu-west-1": no secrets.
  std::string describe() const;
};

/// Returns the value of an environment variable, or "" when unset.
using EnvLookup = std::function<std::string(const char*)>;
/// std::getenv.
std::string processEnv(const char* name);

/// Resolves the profile `profile` (empty: AWS_PROFILE or "default"). Errc::InvalidArgument
/// when a profile was asked for by name (argument or AWS_PROFILE) but neither file has it,
/// or when a file cannot be parsed (naming the file and line).
Expected<AwsProfile> loadAwsProfile(const std::string& profile = "",
                                    const EnvLookup& env = processEnv);

/// The profile names found in the credentials and config files, sorted, without duplicates.
std::vector<std::string> listAwsProfiles(const EnvLookup& env = processEnv);

}  // namespace tessera::data
