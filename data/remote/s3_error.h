#pragma once
/// S3's error documents (<Error><Code>…</Code><Message>…</Message>…</Error>) turned into
/// messages in words: a wrong secret, an unknown key id, a skewed clock ("the clock is off by
/// N s"), an expired session token or presigned URL, a missing bucket or key, a bucket in
/// another region. Pure functions, thread-safe. Errors: Errc::NotFound for NoSuchKey,
/// Errc::InvalidArgument for the rest (the user fixes credentials, clock, region, bucket).
#include <optional>
#include <string>
#include <string_view>

#include "data/error.h"
#include "data/remote/http_client.h"

namespace tessera::data {

struct S3Error {
  std::string code, message;
  std::string bucket, region, endpoint;
  std::string requestTime, serverTime;  ///< RequestTimeTooSkewed
};

/// The error document in `body`, or nullopt when it is not one.
std::optional<S3Error> parseS3Error(std::string_view body);

/// The error in words for a non-2xx `response` to `url` whose body is an S3 error document;
/// nullopt when it is not one, or (with `absentOk`) when it only says the object is absent:
/// NoSuchKey, or AccessDenied, which S3 answers for a missing key to a reader without
/// s3:ListBucket. Callers then apply their usual status mapping.
std::optional<Error> s3Failure(const std::string& url, const HttpResponse& response,
                               bool absentOk = false);

/// Seconds between an S3 RequestTime ("20130524T000000Z") and ServerTime
/// ("2013-05-24T00:20:00Z"), or nullopt when either does not parse.
std::optional<long long> s3ClockSkewSeconds(const S3Error& error);

}  // namespace tessera::data
