#include "data/remote/s3.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "data/remote/sigv4.h"
#include "data/remote/url.h"

namespace tessera::data {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// An S3 host under amazonaws.com, split into the bucket of a virtual-hosted name and the
/// region it names ("" when the host names none, as the legacy global s3.amazonaws.com).
struct AwsHost {
  bool s3 = false;
  std::string bucket, region;
};

AwsHost parseAwsHost(std::string_view hostHeader) {
  std::string host = lower(hostHeader.substr(0, hostHeader.rfind(':') == std::string_view::npos
                                                    ? hostHeader.size()
                                                    : hostHeader.rfind(':')));
  AwsHost out;
  if (!host.ends_with(".amazonaws.com") && !host.ends_with(".amazonaws.com.cn")) return out;
  std::vector<std::string> labels;
  for (std::size_t i = 0; i <= host.size();) {
    const std::size_t j = std::min(host.find('.', i), host.size());
    labels.push_back(host.substr(i, j - i));
    i = j + 1;
  }
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const std::string& l = labels[i];
    if (l != "s3" && !l.starts_with("s3-")) continue;
    out.s3 = true;
    for (std::size_t k = 0; k < i; ++k)
      out.bucket += (k ? "." : "") + labels[k];
    if (l.starts_with("s3-") && l != "s3-external-1") {
      out.region = l.substr(3);
    } else if (l == "s3") {
      std::size_t r = i + 1;
      if (r < labels.size() && labels[r] == "dualstack") ++r;
      if (r < labels.size() && labels[r] != "amazonaws") out.region = labels[r];
    }
    break;
  }
  return out;
}

}  // namespace

bool isS3Url(std::string_view text) {
  return text.size() > 5 && lower(text.substr(0, 5)) == "s3://";
}

Expected<S3Location> parseS3Url(std::string_view text) {
  if (!isS3Url(text))
    return fail(Errc::InvalidArgument, std::string(text) + ": not an s3://bucket/key URL");
  std::string_view rest = text.substr(5);
  const std::size_t slash = rest.find('/');
  S3Location loc;
  loc.bucket = std::string(rest.substr(0, slash));
  if (slash != std::string_view::npos) loc.key = std::string(rest.substr(slash + 1));
  const bool nameOk = !loc.bucket.empty() && loc.bucket.size() <= 255 &&
                      std::all_of(loc.bucket.begin(), loc.bucket.end(), [](unsigned char c) {
                        return std::isalnum(c) || c == '.' || c == '-' || c == '_';
                      });
  if (!nameOk)
    return fail(Errc::InvalidArgument,
                std::string(text) + ": not a bucket name (expected s3://bucket/key)");
  return loc;
}

S3Signer::S3Signer(AwsProfile profile) : profile_(std::move(profile)) {
  if (auto u = parseUrl(profile_.endpointUrl)) endpointHost_ = lower(u->hostHeader());
}

Expected<std::shared_ptr<S3Signer>> S3Signer::fromEnvironment(const std::string& name,
                                                              const EnvLookup& env) {
  auto profile = loadAwsProfile(name, env);
  if (!profile) return std::unexpected(profile.error());
  if (!profile->endpointUrl.empty())
    if (auto u = parseUrl(profile->endpointUrl); !u)
      return fail(Errc::InvalidArgument,
                  "S3 endpoint (AWS_ENDPOINT_URL or endpoint_url) " + u.error().message);
  return std::make_shared<S3Signer>(std::move(*profile));
}

bool S3Signer::handles(std::string_view hostHeader) const {
  if (customEndpoint()) return lower(hostHeader) == endpointHost_;
  return parseAwsHost(hostHeader).s3;
}

std::string S3Signer::bucketOf(std::string_view hostHeader, std::string_view target) const {
  if (!customEndpoint())
    if (auto h = parseAwsHost(hostHeader); !h.bucket.empty()) return h.bucket;
  std::string_view path = target.substr(0, target.find('?'));
  while (!path.empty() && path.front() == '/')
    path.remove_prefix(1);
  return percentDecode(path.substr(0, path.find('/')));
}

std::string S3Signer::regionOf(const std::string& bucket) const {
  std::lock_guard lock(mutex_);
  if (auto it = regions_.find(bucket); it != regions_.end()) return it->second;
  return profile_.region;
}

std::string S3Signer::objectUrl(const std::string& bucket, const std::string& key) const {
  if (customEndpoint()) return joinUrlPath(profile_.endpointUrl, bucket + "/" + key);
  const std::string region = regionOf(bucket);
  if (bucket.find('.') != std::string::npos)
    return joinUrlPath("https://s3." + region + ".amazonaws.com", bucket + "/" + key);
  std::string url = "https://" + bucket + ".s3." + region + ".amazonaws.com/";
  return key.empty() ? url : joinUrlPath(url, key);
}

std::string S3Signer::listEndpoint(const std::string& bucket) const {
  if (customEndpoint()) return profile_.endpointUrl;
  return "https://s3." + regionOf(bucket) + ".amazonaws.com";
}

Expected<std::string> S3Signer::presign(const std::string& bucket, const std::string& key,
                                        std::int64_t expiresSeconds, std::time_t now) const {
  const std::string where = "s3://" + bucket + "/" + key;
  if (!profile_.credentials.valid())
    return fail(Errc::InvalidArgument,
                where +
                    ": cannot presign without credentials (set AWS_ACCESS_KEY_ID and "
                    "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE)");
  if (expiresSeconds < 1 || expiresSeconds > 7 * 24 * 3600)
    return fail(Errc::InvalidArgument,
                where + ": --expires must be 1 to 604800 seconds (7 days, SigV4's limit)");
  auto url = parseUrl(objectUrl(bucket, key));
  if (!url) return std::unexpected(url.error());
  return sigv4PresignS3(url->scheme, url->hostHeader(), url->target, profile_.credentials,
                        regionOf(bucket), now, expiresSeconds);
}

void S3Signer::sign(std::string_view method, std::string_view hostHeader, std::string_view target,
                    std::vector<std::pair<std::string, std::string>>& headers) const {
  if (!profile_.credentials.valid() || !handles(hostHeader)) return;
  std::string region;
  const std::string bucket = bucketOf(hostHeader, target);
  {
    std::lock_guard lock(mutex_);
    if (auto it = regions_.find(bucket); it != regions_.end()) region = it->second;
  }
  if (region.empty() && !customEndpoint()) region = parseAwsHost(hostHeader).region;
  // A custom endpoint has the profile's region; AWS's global host is us-east-1.
  if (region.empty()) region = customEndpoint() ? profile_.region : "us-east-1";
  for (auto& h : sigv4SignS3(method, hostHeader, target, headers, profile_.credentials, region,
                             std::time(nullptr)))
    headers.push_back(std::move(h));
}

std::string S3Signer::regionRedirect(const std::string& text, const std::string& region) const {
  auto url = parseUrl(text);
  if (!url || region.empty() || !handles(url->hostHeader())) return {};
  const std::string bucket = bucketOf(url->hostHeader(), url->target);
  {
    std::lock_guard lock(mutex_);
    auto& known = regions_[bucket];
    // Already signed for that region: the server's answer is not about the region.
    if (known == region && (customEndpoint() || parseAwsHost(url->hostHeader()).region == region))
      return {};
    known = region;
  }
  if (customEndpoint()) return text;
  const AwsHost h = parseAwsHost(url->hostHeader());
  const std::string host =
      (h.bucket.empty() ? "" : h.bucket + ".") + "s3." + region + ".amazonaws.com";
  return url->scheme + "://" + host + url->target;
}

Expected<std::string> s3HttpUrl(const S3Signer& signer, std::string_view url) {
  if (!isS3Url(url)) return std::string(url);
  auto loc = parseS3Url(url);
  if (!loc) return std::unexpected(loc.error());
  return signer.objectUrl(loc->bucket, loc->key);
}

}  // namespace tessera::data
