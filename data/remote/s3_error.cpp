#include "data/remote/s3_error.h"

#include <cstdlib>
#include <ctime>

#include "data/tiff/xml_lite.h"

namespace tessera::data {
namespace {

std::optional<std::time_t> parseTime(const std::string& text) {
  std::tm tm{};
  for (const char* format : {"%Y%m%dT%H%M%SZ", "%Y-%m-%dT%H:%M:%S"}) {
    tm = {};
    if (strptime(text.c_str(), format, &tm)) return timegm(&tm);
  }
  return std::nullopt;
}

}  // namespace

std::optional<S3Error> parseS3Error(std::string_view body) {
  std::size_t i = 0;
  while (i < body.size() && std::isspace(static_cast<unsigned char>(body[i])))
    ++i;
  if (i >= body.size() || body[i] != '<') return std::nullopt;
  std::string err;
  auto elements = parseXmlElements(body, &err);
  if (!elements || elements->empty() || (*elements)[0].name != "Error") return std::nullopt;
  S3Error e;
  for (const auto& el : *elements) {
    if (el.parent != 0) continue;
    if (el.name == "Code") e.code = el.text;
    if (el.name == "Message") e.message = el.text;
    if (el.name == "BucketName") e.bucket = el.text;
    if (el.name == "Region") e.region = el.text;
    if (el.name == "Endpoint") e.endpoint = el.text;
    if (el.name == "RequestTime") e.requestTime = el.text;
    if (el.name == "ServerTime") e.serverTime = el.text;
  }
  if (e.code.empty()) return std::nullopt;
  return e;
}

std::optional<long long> s3ClockSkewSeconds(const S3Error& e) {
  const auto request = parseTime(e.requestTime), server = parseTime(e.serverTime);
  if (!request || !server) return std::nullopt;
  return static_cast<long long>(*request) - static_cast<long long>(*server);
}

std::optional<Error> s3Failure(const std::string& url, const HttpResponse& response,
                               bool absentOk) {
  if (response.ok()) return std::nullopt;
  const auto e = parseS3Error(
      std::string_view(reinterpret_cast<const char*>(response.body.data()), response.body.size()));
  if (!e) return std::nullopt;
  const std::string& c = e->code;
  if (absentOk && (c == "NoSuchKey" || c == "AccessDenied")) return std::nullopt;
  const std::string tail = " (S3 " + c + ", HTTP " + std::to_string(response.status) + ")";
  auto words = [&](Errc code, const std::string& what) {
    return Error{code, url + ": " + what + tail};
  };
  if (c == "NoSuchKey") return words(Errc::NotFound, "no such key in the bucket");
  // Not NotFound: readers take that for an absent key (a fill value, "no group here") and the
  // bucket's name would be lost.
  if (c == "NoSuchBucket")
    return words(Errc::InvalidArgument,
                 "no such bucket" + (e->bucket.empty() ? std::string() : " \"" + e->bucket + "\""));
  if (c == "SignatureDoesNotMatch")
    return words(Errc::InvalidArgument,
                 "the request signature does not match: check the secret key "
                 "(AWS_SECRET_ACCESS_KEY or the profile's aws_secret_access_key)");
  if (c == "InvalidAccessKeyId")
    return words(Errc::InvalidArgument,
                 "the server does not know this access key id: check AWS_ACCESS_KEY_ID or the "
                 "profile's aws_access_key_id");
  if (c == "RequestTimeTooSkewed") {
    const auto skew = s3ClockSkewSeconds(*e);
    return words(Errc::InvalidArgument,
                 (skew ? "the clock is off by " + std::to_string(std::llabs(*skew)) + " s (" +
                             (*skew > 0 ? "ahead of" : "behind") + " the server)"
                       : std::string("the clock is off")) +
                     ": set the system clock right (SigV4 allows 15 minutes)");
  }
  if (c == "ExpiredToken" || c == "TokenRefreshRequired" || c == "InvalidToken")
    return words(Errc::InvalidArgument,
                 "the session token has expired or is invalid: renew the temporary credentials "
                 "(AWS_SESSION_TOKEN or the profile's aws_session_token)");
  if (c == "AccessDenied" && e->message.find("expired") != std::string::npos)
    return words(Errc::InvalidArgument, "the presigned URL has expired: " + e->message);
  if (c == "AccessDenied")
    return words(Errc::InvalidArgument,
                 "access denied: the credentials may not read this bucket or key (or, "
                 "without credentials, the bucket is not public)");
  if (c == "PermanentRedirect" || c == "AuthorizationHeaderMalformed" || c == "IncorrectEndpoint")
    return words(
        Errc::InvalidArgument,
        "the bucket is in another region" +
            (e->region.empty() ? std::string()
                               : " (" + e->region + ": set AWS_REGION=" + e->region + ")") +
            (e->endpoint.empty() ? std::string() : ", endpoint " + e->endpoint));
  return words(Errc::InvalidArgument,
               "S3 refused the request" + (e->message.empty() ? "" : ": " + e->message));
}

}  // namespace tessera::data
