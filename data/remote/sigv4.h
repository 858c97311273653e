#pragma once
/// AWS Signature Version 4 (the algorithm of docs.aws.amazon.com "Create a signed AWS API
/// request"), for S3 GET/HEAD requests signed in the Authorization header and for presigned
/// URLs. Pure functions (OpenSSL 3 for SHA-256 and HMAC), thread-safe.
///
/// Canonical URI: the path as sent, percent-decoded and encoded again with RFC 3986
/// unreserved characters and '/' kept (S3's rule: no second encoding, no dot-segment
/// normalisation), so keys with spaces and non-ASCII characters sign as S3 expects.
/// Canonical query: each name and value decoded, encoded strictly, sorted by name then value.
/// Canonical headers: lower-case names, values trimmed with inner runs of spaces collapsed,
/// repeated headers joined by ','.
/// Secrets go only into the HMAC; nothing here logs, and no output contains the secret key.
#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tessera::data {

struct AwsCredentials {
  std::string accessKeyId;
  std::string secretAccessKey;
  std::string sessionToken;  ///< temporary credentials (STS); sent as x-amz-security-token
  bool valid() const { return !accessKeyId.empty() && !secretAccessKey.empty(); }
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

/// One request as the signer sees it.
struct SigV4Request {
  std::string method = "GET";
  std::string path = "/";  ///< as sent (percent-encoded or raw); empty means "/"
  std::string query;       ///< the raw query string without '?', possibly empty
  HeaderList headers;      ///< every header to sign, including Host (and x-amz-date)
  std::string payloadHash = "UNSIGNED-PAYLOAD";
};

/// "UNSIGNED-PAYLOAD", used for S3 GET and HEAD requests.
inline constexpr const char* kUnsignedPayload = "UNSIGNED-PAYLOAD";
/// SHA-256 of the empty string (the payload hash of a bodiless request in the test suite).
inline constexpr const char* kEmptyPayloadSha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// "20150830T123600Z" for `t` (UTC).
std::string amzDate(std::time_t t);

std::string sigv4CanonicalUri(std::string_view path);
std::string sigv4CanonicalQuery(std::string_view query);
/// The canonical request; `signedHeaders` receives "host;x-amz-date" style names.
std::string sigv4CanonicalRequest(const SigV4Request& request, std::string* signedHeaders);
/// "AWS4-HMAC-SHA256\n<amzDate>\n<date>/<region>/<service>/aws4_request\n<hash>".
std::string sigv4StringToSign(std::string_view amzDate, std::string_view region,
                              std::string_view service, std::string_view canonicalRequest);
/// Lower-case hex signature of `stringToSign` with the key derived from the secret.
std::string sigv4Signature(std::string_view secretKey, std::string_view date8,
                           std::string_view region, std::string_view service,
                           std::string_view stringToSign);

/// Signs `request` (whose headers must already hold Host and X-Amz-Date = `amzDateValue`):
/// the value of the Authorization header.
std::string sigv4Authorization(const SigV4Request& request, const AwsCredentials& credentials,
                               std::string_view region, std::string_view service,
                               std::string_view amzDateValue);

/// The headers to add to an S3 request to `host` + `target` (path and query) at time `now`:
/// X-Amz-Date, X-Amz-Content-Sha256 (UNSIGNED-PAYLOAD), X-Amz-Security-Token with a session
/// token, then Authorization. `signed_` lists other headers to sign as well (Range).
HeaderList sigv4SignS3(std::string_view method, std::string_view host, std::string_view target,
                       const HeaderList& signed_, const AwsCredentials& credentials,
                       std::string_view region, std::time_t now);

/// A presigned GET URL for `scheme://host` + `target`, valid `expiresSeconds` from `now`
/// (query-string authentication: X-Amz-Algorithm, -Credential, -Date, -Expires,
/// -SignedHeaders=host, -Security-Token with a session token, then -Signature).
std::string sigv4PresignS3(std::string_view scheme, std::string_view host, std::string_view target,
                           const AwsCredentials& credentials, std::string_view region,
                           std::time_t now, std::int64_t expiresSeconds);

}  // namespace tessera::data
