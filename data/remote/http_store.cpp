#include "data/remote/http_store.h"

#include <cctype>

#include "data/remote/s3_error.h"
#include "data/remote/url.h"

namespace tessera::data {
namespace {

thread_local std::optional<Priority> tlsPriority;
thread_local std::stop_token tlsStop;

std::int64_t nowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool looksLikeHtml(const Bytes& body, const std::string& contentType) {
  if (contentType.find("text/html") != std::string::npos) return true;
  std::size_t i = 0;
  while (i < body.size() && std::isspace(body[i]))
    ++i;
  return i < body.size() && body[i] == '<';
}

std::string leaf(std::string_view key) {
  const std::size_t slash = key.rfind('/');
  return std::string(slash == std::string_view::npos ? key : key.substr(slash + 1));
}

}  // namespace

bool isZarrMetadataKey(std::string_view key) {
  const std::string l = leaf(key);
  return l == ".zarray" || l == ".zattrs" || l == ".zgroup" || l == ".zmetadata" ||
         l == "zarr.json";
}

ScopedRequestContext::ScopedRequestContext(Priority priority, std::stop_token stop)
    : previousPriority_(tlsPriority), previousStop_(tlsStop) {
  tlsPriority = priority;
  tlsStop = std::move(stop);
}

ScopedRequestContext::~ScopedRequestContext() {
  tlsPriority = previousPriority_;
  tlsStop = previousStop_;
}

HttpStore::HttpStore(std::shared_ptr<HttpClient> client, std::string base, HttpStoreOptions options)
    : client_(std::move(client)), base_(std::move(base)), options_(std::move(options)) {}

Expected<std::shared_ptr<HttpStore>> HttpStore::open(std::shared_ptr<HttpClient> client,
                                                     std::string baseUrl,
                                                     HttpStoreOptions options) {
  if (!client) return fail(Errc::InvalidArgument, baseUrl + ": no HTTP client");
  auto url = parseUrl(baseUrl);
  if (!url) return std::unexpected(url.error());
  while (!baseUrl.empty() && baseUrl.back() == '/')
    baseUrl.pop_back();
  return std::shared_ptr<HttpStore>(
      new HttpStore(std::move(client), std::move(baseUrl), std::move(options)));
}

std::string HttpStore::urlOf(std::string_view key) const {
  return joinUrlPath(base_, key);
}

Expected<HttpResponse> HttpStore::send(HttpRequest request) const {
  request.priority = tlsPriority.value_or(options_.priority);
  return client_->fetch(std::move(request), tlsStop);
}

Expected<Bytes> HttpStore::get(const std::string& url, std::optional<HttpByteRange> range,
                               const std::string& cacheKey, bool metadata) const {
  DiskCache* cache = options_.cache.get();
  std::optional<DiskCache::Entry> cached;
  if (cache) cached = cache->get(cacheKey);
  if (cached &&
      (options_.offline || nowSeconds() - cached->storedAt <
                               static_cast<std::int64_t>(options_.revalidateAfter.count())))
    return std::move(cached->body);
  if (options_.offline) return fail(Errc::Network, url + ": offline, and not in the disk cache");
  HttpRequest rq;
  rq.url = url;
  rq.range = range;
  if (cached && !cached->etag.empty())
    rq.headers.emplace_back("If-None-Match", cached->etag);
  else if (cached && !cached->lastModified.empty())
    rq.headers.emplace_back("If-Modified-Since", cached->lastModified);
  auto resp = send(std::move(rq));
  if (!resp) return std::unexpected(resp.error());
  const int st = resp->status;
  if (st == 304 && cached) {
    (void)cache->put(cacheKey, cached->body, cached->etag, cached->lastModified);
    return std::move(cached->body);
  }
  // S3 says why in words; for chunks, "absent" answers read as the fill value below.
  if (auto e = s3Failure(url, *resp, !metadata)) return std::unexpected(*e);
  if (st == 404 || st == 403 || st == 410)
    return fail(Errc::NotFound, url + ": HTTP " + std::to_string(st) + " " + httpStatusText(st));
  if (st == 416) return fail(Errc::Corrupt, url + ": the range is beyond the end of the object");
  if (!resp->ok())
    return fail(Errc::Network, url + ": HTTP " + std::to_string(st) + " " + httpStatusText(st));
  if (metadata && looksLikeHtml(resp->body, resp->header("Content-Type")))
    return fail(Errc::Corrupt, url + ": expected JSON metadata (" + leaf(url) +
                                   ") but the server sent an HTML page (HTTP " +
                                   std::to_string(st) + ")");
  if (range && range->length && resp->body.size() != *range->length)
    return fail(Errc::Corrupt,
                url + ": truncated (wanted " + std::to_string(*range->length) +
                    " bytes at offset " +
                    (range->suffix ? std::string("end") : std::to_string(range->offset)) +
                    ", got " + std::to_string(resp->body.size()) + ")");
  if (cache)
    (void)cache->put(cacheKey, resp->body, resp->header("ETag"), resp->header("Last-Modified"));
  return std::move(resp->body);
}

Expected<Bytes> HttpStore::read(std::string_view key) const {
  const bool metadata = isZarrMetadataKey(key);
  if (metadata) {
    std::lock_guard lock(mutex_);
    if (auto it = metadata_.find(key); it != metadata_.end()) return it->second;
  }
  const std::string url = urlOf(key);
  auto body = get(url, std::nullopt, url, metadata);
  if (metadata && (body || body.error().code == Errc::NotFound)) {
    std::lock_guard lock(mutex_);
    metadata_.emplace(std::string(key), body);
  }
  return body;
}

Expected<Bytes> HttpStore::readRange(std::string_view key, std::uint64_t offset,
                                     std::uint64_t length) const {
  if (length == 0) return Bytes();
  const std::string url = urlOf(key);
  return get(url, HttpByteRange{offset, length, false},
             url + "#bytes=" + std::to_string(offset) + "-" + std::to_string(offset + length - 1),
             false);
}

Expected<Bytes> HttpStore::readSuffix(std::string_view key, std::uint64_t length) const {
  if (length == 0) return Bytes();
  const std::string url = urlOf(key);
  return get(url, HttpByteRange{0, length, true}, url + "#bytes=-" + std::to_string(length), false);
}

bool HttpStore::exists(std::string_view key) const {
  if (isZarrMetadataKey(key)) return read(key).has_value();
  return size(key).has_value();
}

Expected<std::uint64_t> HttpStore::size(std::string_view key) const {
  {
    std::lock_guard lock(mutex_);
    if (auto it = sizes_.find(key); it != sizes_.end()) return it->second;
  }
  const std::string url = urlOf(key);
  const std::string cacheKey = "size:" + url;
  auto remember = [&](std::uint64_t n) {
    std::lock_guard lock(mutex_);
    sizes_[std::string(key)] = n;
    return n;
  };
  if (options_.cache) {
    if (auto e = options_.cache->get(cacheKey)) {
      const std::string text(e->body.begin(), e->body.end());
      if (options_.offline || nowSeconds() - e->storedAt < options_.revalidateAfter.count())
        return remember(std::stoull(text.empty() ? "0" : text));
    }
  }
  if (options_.offline) return fail(Errc::Network, url + ": offline, and not in the disk cache");
  HttpRequest rq;
  rq.method = HttpRequest::Method::Head;
  rq.url = url;
  auto resp = send(rq);
  if (resp && (resp->status == 405 || resp->status == 501 || resp->status == 400 ||
               resp->status == 403 || (resp->ok() && !resp->totalLength))) {
    // No HEAD (or no length in it): ask for the first byte and read Content-Range's total.
    // A refused HEAD has no body, so this GET also learns S3's reason in words.
    rq.method = HttpRequest::Method::Get;
    rq.range = HttpByteRange{0, 1, false};
    resp = send(rq);
  }
  if (!resp) return std::unexpected(resp.error());
  const int st = resp->status;
  if (auto e = s3Failure(url, *resp)) return std::unexpected(*e);
  if (st == 404 || st == 403 || st == 410)
    return fail(Errc::NotFound, url + ": HTTP " + std::to_string(st) + " " + httpStatusText(st));
  if (!resp->ok() || !resp->totalLength)
    return fail(Errc::Network, url + ": cannot learn the size (HTTP " + std::to_string(st) + ")");
  if (options_.cache) {
    const std::string text = std::to_string(*resp->totalLength);
    (void)options_.cache->put(cacheKey, Bytes(text.begin(), text.end()), resp->header("ETag"),
                              resp->header("Last-Modified"));
  }
  return remember(*resp->totalLength);
}

Expected<std::vector<std::string>> HttpStore::list(std::string_view prefix) const {
  return fail(Errc::Unsupported,
              urlOf(prefix) + ": HTTP servers cannot list directories (open the image by its URL)");
}

}  // namespace tessera::data
