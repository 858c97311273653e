#pragma once
/// S3 addressing and signing: s3://bucket/key URLs, the HTTP(S) URL of an object (path-style
/// on a custom endpoint, virtual-hosted on AWS, path-style for bucket names with dots, whose
/// virtual host would not match AWS's certificate), SigV4 header signing of requests to the
/// S3 hosts it knows, region redirects, and presigned URLs.
///
/// S3Signer is immutable apart from the bucket->region map it learns from redirects (locked),
/// so one instance is shared by the HttpClient (which calls sign() on its thread) and by the
/// code that builds URLs. Without credentials it signs nothing (public buckets) but still
/// builds URLs and follows region redirects.
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "data/error.h"
#include "data/remote/aws_config.h"
#include "data/remote/http_client.h"

namespace tessera::data {

struct S3Location {
  std::string bucket;
  std::string key;  ///< may be empty (the bucket) or end with '/' (a prefix)
};

/// True for "s3://..." (case-insensitive scheme).
bool isS3Url(std::string_view text);
/// Splits "s3://bucket/key"; Errc::InvalidArgument naming the URL for a missing or invalid
/// bucket name.
Expected<S3Location> parseS3Url(std::string_view text);

class S3Signer final : public RequestSigner {
 public:
  explicit S3Signer(AwsProfile profile);
  /// The environment's profile (AWS_PROFILE or default). Errors: unreadable files, a named
  /// profile that does not exist, an endpoint that is not an http(s) URL.
  static Expected<std::shared_ptr<S3Signer>> fromEnvironment(const std::string& profile = "",
                                                             const EnvLookup& env = processEnv);

  const AwsProfile& profile() const { return profile_; }
  bool customEndpoint() const { return !profile_.endpointUrl.empty(); }
  /// True when requests to `hostHeader` are S3 requests of this profile (the custom
  /// endpoint's host:port, or an S3 host under amazonaws.com).
  bool handles(std::string_view hostHeader) const;

  /// "https://bucket.s3.eu-west-1.amazonaws.com/key" or "http://127.0.0.1:9000/bucket/key";
  /// the key is percent-encoded (spaces, non-ASCII), '/' kept.
  std::string objectUrl(const std::string& bucket, const std::string& key) const;
  /// The endpoint ListObjectsV2 is sent to, path-style ("https://s3.eu-west-1.amazonaws.com").
  std::string listEndpoint(const std::string& bucket) const;
  /// The region requests for `bucket` are signed for.
  std::string regionOf(const std::string& bucket) const;
  /// A presigned GET URL of the object, valid `expiresSeconds` from `now`; InvalidArgument
  /// without credentials or for an expiry outside 1 s .. 7 days (SigV4's limit).
  Expected<std::string> presign(const std::string& bucket, const std::string& key,
                                std::int64_t expiresSeconds, std::time_t now) const;

  void sign(std::string_view method, std::string_view hostHeader, std::string_view target,
            std::vector<std::pair<std::string, std::string>>& headers) const override;
  std::string regionRedirect(const std::string& url, const std::string& region) const override;

 private:
  /// The bucket a request to `hostHeader` + `target` addresses ("" for the service root).
  std::string bucketOf(std::string_view hostHeader, std::string_view target) const;

  AwsProfile profile_;
  std::string endpointHost_;  ///< host:port of the custom endpoint, lower case
  mutable std::mutex mutex_;
  mutable std::map<std::string, std::string, std::less<>> regions_;  ///< learnt from redirects
};

/// The HTTP(S) URL for an s3:// URL (other URLs unchanged), addressed with `signer`.
Expected<std::string> s3HttpUrl(const S3Signer& signer, std::string_view url);

}  // namespace tessera::data
