#include "data/remote/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>

#include "data/remote/disk_cache.h"
#include "data/remote/url.h"

namespace tessera::data {
namespace {

std::string hmacSha256(std::string_view key, std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), md, &len);
  return std::string(reinterpret_cast<const char*>(md), len);
}

std::string toHex(std::string_view bytes) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += hex[c >> 4];
    out += hex[c & 15];
  }
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// Trimmed, with each run of spaces inside collapsed to one (SigV4's header value rule).
std::string canonicalValue(std::string_view v) {
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::string credentialScope(std::string_view date8, std::string_view region,
                            std::string_view service) {
  return std::string(date8) + "/" + std::string(region) + "/" + std::string(service) +
         "/aws4_request";
}

/// "/bucket/key" and "a=b" out of "/bucket/key?a=b".
std::pair<std::string, std::string> splitTarget(std::string_view target) {
  const std::size_t q = target.find('?');
  if (q == std::string_view::npos) return {std::string(target), {}};
  return {std::string(target.substr(0, q)), std::string(target.substr(q + 1))};
}

}  // namespace

std::string amzDate(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string sigv4CanonicalUri(std::string_view path) {
  if (path.empty()) return "/";
  return percentEncode(percentDecode(path), true);
}

std::string sigv4CanonicalQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> params;
  std::size_t i = 0;
  while (i < query.size()) {
    const std::size_t j = std::min(query.find('&', i), query.size());
    const std::string_view item = query.substr(i, j - i);
    i = j + 1;
    if (item.empty()) continue;
    const std::size_t eq = item.find('=');
    const std::string_view name = item.substr(0, eq);
    const std::string_view value =
        eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1);
    params.emplace_back(percentEncode(percentDecode(name), false),
                        percentEncode(percentDecode(value), false));
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [k, v] : params)
    out += (out.empty() ? "" : "&") + k + "=" + v;
  return out;
}

std::string sigv4CanonicalRequest(const SigV4Request& request, std::string* signedHeaders) {
  // Stable sort by lower-case name keeps repeated headers in the order they were given.
  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& [k, v] : request.headers)
    headers.emplace_back(lower(k), canonicalValue(v));
  std::stable_sort(headers.begin(), headers.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string canonicalHeaders, names;
  for (std::size_t i = 0; i < headers.size(); ++i) {
    if (i > 0 && headers[i].first == headers[i - 1].first) {
      canonicalHeaders.pop_back();  // the '\n': repeated headers join with ','
      canonicalHeaders += "," + headers[i].second + "\n";
      continue;
    }
    canonicalHeaders += headers[i].first + ":" + headers[i].second + "\n";
    names += (names.empty() ? "" : ";") + headers[i].first;
  }
  if (signedHeaders) *signedHeaders = names;
  return request.method + "\n" + sigv4CanonicalUri(request.path) + "\n" +
         sigv4CanonicalQuery(request.query) + "\n" + canonicalHeaders + "\n" + names + "\n" +
         request.payloadHash;
}

std::string sigv4StringToSign(std::string_view amzDateValue, std::string_view region,
                              std::string_view service, std::string_view canonicalRequest) {
  return "AWS4-HMAC-SHA256\n" + std::string(amzDateValue) + "\n" +
         credentialScope(amzDateValue.substr(0, 8), region, service) + "\n" +
         sha256Hex(canonicalRequest);
}

std::string sigv4Signature(std::string_view secretKey, std::string_view date8,
                           std::string_view region, std::string_view service,
                           std::string_view stringToSign) {
  std::string key = hmacSha256("AWS4" + std::string(secretKey), date8);
  key = hmacSha256(key, region);
  key = hmacSha256(key, service);
  key = hmacSha256(key, "aws4_request");
  return toHex(hmacSha256(key, stringToSign));
}

std::string sigv4Authorization(const SigV4Request& request, const AwsCredentials& credentials,
                               std::string_view region, std::string_view service,
                               std::string_view amzDateValue) {
  std::string signedHeaders;
  const std::string canonical = sigv4CanonicalRequest(request, &signedHeaders);
  const std::string sts = sigv4StringToSign(amzDateValue, region, service, canonical);
  const std::string date8(amzDateValue.substr(0, 8));
  return "AWS4-HMAC-SHA256 Credential=" + credentials.accessKeyId + "/" +
         credentialScope(date8, region, service) + ", SignedHeaders=" + signedHeaders +
         ", Signature=" + sigv4Signature(credentials.secretAccessKey, date8, region, service, sts);
}

HeaderList sigv4SignS3(std::string_view method, std::string_view host, std::string_view target,
                       const HeaderList& signed_, const AwsCredentials& credentials,
                       std::string_view region, std::time_t now) {
  const std::string date = amzDate(now);
  HeaderList add = {{"X-Amz-Date", date}, {"X-Amz-Content-Sha256", kUnsignedPayload}};
  if (!credentials.sessionToken.empty())
    add.emplace_back("X-Amz-Security-Token", credentials.sessionToken);
  SigV4Request rq;
  rq.method = std::string(method);
  std::tie(rq.path, rq.query) = splitTarget(target);
  rq.headers = {{"Host", std::string(host)}};
  rq.headers.insert(rq.headers.end(), signed_.begin(), signed_.end());
  rq.headers.insert(rq.headers.end(), add.begin(), add.end());
  add.emplace_back("Authorization", sigv4Authorization(rq, credentials, region, "s3", date));
  return add;
}

std::string sigv4PresignS3(std::string_view scheme, std::string_view host, std::string_view target,
                           const AwsCredentials& credentials, std::string_view region,
                           std::time_t now, std::int64_t expiresSeconds) {
  const std::string date = amzDate(now);
  auto [path, query] = splitTarget(target);
  std::string q = query;
  auto add = [&](const std::string& k, const std::string& v) {
    q += (q.empty() ? "" : "&") + k + "=" + percentEncode(v, false);
  };
  add("X-Amz-Algorithm", "AWS4-HMAC-SHA256");
  add("X-Amz-Credential",
      credentials.accessKeyId + "/" + credentialScope(date.substr(0, 8), region, "s3"));
  add("X-Amz-Date", date);
  add("X-Amz-Expires", std::to_string(expiresSeconds));
  add("X-Amz-SignedHeaders", "host");
  if (!credentials.sessionToken.empty()) add("X-Amz-Security-Token", credentials.sessionToken);
  SigV4Request rq;
  rq.method = "GET";
  rq.path = path;
  rq.query = q;
  rq.headers = {{"Host", std::string(host)}};
  const std::string sts = sigv4StringToSign(date, region, "s3", sigv4CanonicalRequest(rq, nullptr));
  add("X-Amz-Signature",
      sigv4Signature(credentials.secretAccessKey, date.substr(0, 8), region, "s3", sts));
  return std::string(scheme) + "://" + std::string(host) + path + "?" + q;
}

}  // namespace tessera::data
