#include "data/remote/archive_listing.h"

#include <cctype>
#include <nlohmann/json.hpp>

#include "data/json_number.h"
#include "data/remote/s3_error.h"
#include "data/remote/url.h"
#include "data/tiff/xml_lite.h"

namespace tessera::data {
namespace {

std::string lastSegment(std::string key) {
  const bool folder = !key.empty() && key.back() == '/';
  if (folder) key.pop_back();
  return key.substr(key.rfind('/') + 1) + (folder ? "/" : "");
}

Expected<std::string> fetchText(HttpClient& client, const std::string& url) {
  HttpRequest rq;
  rq.url = url;
  rq.priority = Priority::Visible;
  auto r = client.fetch(rq);
  if (!r) return std::unexpected(r.error());
  if (auto e = s3Failure(url, *r)) return std::unexpected(*e);
  if (r->status == 403 || r->status == 404)
    return fail(Errc::NotFound,
                url + ": HTTP " + std::to_string(r->status) + " " + httpStatusText(r->status));
  if (!r->ok()) return fail(Errc::Network, url + ": HTTP " + std::to_string(r->status));
  return std::string(r->body.begin(), r->body.end());
}

}  // namespace

std::string s3ListUrl(const std::string& endpoint, const std::string& bucket,
                      const std::string& prefix, const std::string& token) {
  std::string url = joinUrlPath(endpoint, bucket) +
                    "/?list-type=2&delimiter=%2F&prefix=" + percentEncode(prefix, false);
  if (!token.empty()) url += "&continuation-token=" + percentEncode(token, false);
  return url;
}

Expected<S3ListPage> parseS3ListPage(std::string_view xml, const std::string& endpoint,
                                     const std::string& bucket, const std::string& where) {
  std::string err;
  auto elements = parseXmlElements(xml, &err);
  if (!elements) return fail(Errc::Corrupt, where + ": not an S3 listing: " + err);
  const auto& els = *elements;
  if (els.empty() || els[0].name != "ListBucketResult")
    return fail(Errc::Corrupt, where + ": not an S3 ListBucketResult" +
                                   (els.empty() ? std::string() : " (root <" + els[0].name + ">)"));
  S3ListPage page;
  std::vector<ArchiveEntry> folders, objects;
  const std::string base = joinUrlPath(endpoint, bucket);
  for (std::size_t i = 1; i < els.size(); ++i) {
    const XmlElement& e = els[i];
    if (e.parent == 0 && e.name == "IsTruncated") page.truncated = e.text == "true";
    if (e.parent == 0 && e.name == "NextContinuationToken") page.nextToken = e.text;
    if (e.parent != 0 || (e.name != "Contents" && e.name != "CommonPrefixes")) continue;
    ArchiveEntry entry;
    entry.folder = e.name == "CommonPrefixes";
    for (std::size_t j = i + 1; j < els.size() && els[j].parent >= static_cast<int>(i); ++j) {
      if (els[j].parent != static_cast<int>(i)) continue;
      const XmlElement& c = els[j];
      if (c.name == "Key" || c.name == "Prefix")
        entry.key = c.text;
      else if (c.name == "Size")
        entry.size = std::strtoull(c.text.c_str(), nullptr, 10);
      else if (c.name == "ETag")
        entry.etag = c.text;
    }
    if (entry.key.empty()) return fail(Errc::Corrupt, where + ": an S3 entry without a key");
    entry.name = lastSegment(entry.key);
    std::string_view key = entry.key;
    if (entry.folder && key.ends_with('/')) key.remove_suffix(1);
    entry.url = joinUrlPath(base, key) + (entry.folder ? "/" : "");
    (entry.folder ? folders : objects).push_back(std::move(entry));
  }
  if (page.truncated && page.nextToken.empty())
    return fail(Errc::Corrupt, where + ": truncated S3 listing without NextContinuationToken");
  page.entries = std::move(folders);
  page.entries.insert(page.entries.end(), objects.begin(), objects.end());
  return page;
}

Expected<std::vector<ArchiveEntry>> listS3(HttpClient& client, const std::string& endpoint,
                                           const std::string& bucket, const std::string& prefix,
                                           std::size_t maxEntries, int maxPages) {
  std::vector<ArchiveEntry> out;
  std::string token;
  for (int page = 0;; ++page) {
    if (page == maxPages)
      return fail(Errc::Corrupt, s3ListUrl(endpoint, bucket, prefix) +
                                     ": the listing did not end after " + std::to_string(maxPages) +
                                     " pages (the server keeps sending continuation tokens)");
    const std::string url = s3ListUrl(endpoint, bucket, prefix, token);
    auto text = fetchText(client, url);
    if (!text) return std::unexpected(text.error());
    auto parsed = parseS3ListPage(*text, endpoint, bucket, url);
    if (!parsed) return std::unexpected(parsed.error());
    for (auto& e : parsed->entries)
      out.push_back(std::move(e));
    if (!parsed->truncated || out.size() >= maxEntries) break;
    if (parsed->nextToken == token)
      return fail(Errc::Corrupt, url + ": S3 listing repeats its continuation token");
    token = parsed->nextToken;
  }
  return out;
}

Expected<std::string> bioImageArchiveFilesUrl(const std::string& accession) {
  const std::string prefix = "S-BIAD";
  bool ok = accession.rfind(prefix, 0) == 0 && accession.size() > prefix.size() &&
            accession.size() < prefix.size() + 10;
  for (std::size_t i = prefix.size(); ok && i < accession.size(); ++i)
    ok = std::isdigit(static_cast<unsigned char>(accession[i]));
  if (!ok)
    return fail(Errc::InvalidArgument,
                accession + ": not a BioImage Archive accession (expected S-BIAD<number>)");
  const std::string digits = accession.substr(prefix.size());
  const std::string last3 = digits.size() >= 3 ? digits.substr(digits.size() - 3) : digits;
  return "https://ftp.ebi.ac.uk/biostudies/fire/S-BIAD/" + last3 + "/" + accession + "/Files/";
}

Expected<std::vector<ArchiveEntry>> parseBioImageArchiveFiles(std::string_view text,
                                                              const std::string& accession,
                                                              std::uint64_t* total,
                                                              const std::string& where) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return fail(Errc::Corrupt, where + ": not a BioStudies file list (not a JSON object)");
  const nlohmann::json* files = nullptr;
  for (const char* k : {"files", "data"})
    if (j.contains(k) && j[k].is_array()) files = &j[k];
  if (!files) return fail(Errc::Corrupt, where + ": BioStudies file list without \"files\"");
  if (total)
    *total = j.contains("totalHits") && j["totalHits"].is_number_unsigned()
                 ? j["totalHits"].get<std::uint64_t>()
                 : files->size();
  auto base = bioImageArchiveFilesUrl(accession);
  if (!base) return std::unexpected(base.error());
  std::vector<ArchiveEntry> out;
  for (const auto& f : *files) {
    if (!f.is_object() || !f.contains("path") || !f["path"].is_string())
      return fail(Errc::Corrupt, where + ": a file entry without \"path\"");
    ArchiveEntry e;
    e.key = f["path"].get<std::string>();
    e.folder = jsonStringOr(f, "type") == "directory";
    if (f.contains("size"))
      if (const auto size = jsonWholeNumber(f["size"], 0))
        e.size = static_cast<std::uint64_t>(*size);
    e.name = lastSegment(e.key);
    e.url = joinUrlPath(*base, e.key) + (e.folder ? "/" : "");
    out.push_back(std::move(e));
  }
  return out;
}

Expected<std::vector<ArchiveEntry>> listBioImageArchive(HttpClient& client,
                                                        const std::string& accession,
                                                        const std::string& apiBase,
                                                        std::size_t pageSize) {
  if (auto ok = bioImageArchiveFilesUrl(accession); !ok) return std::unexpected(ok.error());
  std::vector<ArchiveEntry> out;
  std::uint64_t total = 0;
  do {
    const std::string url = joinUrlPath(apiBase, "files/" + accession) +
                            "?start=" + std::to_string(out.size()) +
                            "&length=" + std::to_string(pageSize);
    auto text = fetchText(client, url);
    if (!text) return std::unexpected(text.error());
    auto page = parseBioImageArchiveFiles(*text, accession, &total, url);
    if (!page) return std::unexpected(page.error());
    if (page->empty()) break;
    for (auto& e : *page)
      out.push_back(std::move(e));
  } while (out.size() < total);
  return out;
}

}  // namespace tessera::data
