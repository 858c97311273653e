#pragma once
/// Browsing archives: S3 ListObjectsV2 (signed when the client has credentials, one "folder"
/// level at a time with delimiter '/', paginated by continuation token) and BioImage Archive
/// study file lists (BioStudies JSON API). Parsers are pure functions; the list* helpers block
/// on the HttpClient (worker threads only). Errors name the URL; malformed answers are
/// Errc::Corrupt, 403/404 Errc::NotFound.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "data/error.h"
#include "data/remote/http_client.h"

namespace tessera::data {

struct ArchiveEntry {
  std::string key;   ///< full key (S3) or path within the study (BioImage Archive)
  std::string name;  ///< last path segment, for display ("x.zarr/" for folders)
  bool folder = false;
  std::uint64_t size = 0;
  std::string etag;
  std::string url;  ///< direct https URL of the object or folder
};

struct S3ListPage {
  std::vector<ArchiveEntry> entries;  ///< folders (CommonPrefixes) first, then objects
  bool truncated = false;
  std::string nextToken;
};

/// The ListObjectsV2 URL for one page: endpoint "https://host", bucket, prefix, '/' delimiter.
std::string s3ListUrl(const std::string& endpoint, const std::string& bucket,
                      const std::string& prefix, const std::string& continuationToken = "");
/// Parses one ListBucketResult page; object URLs are endpoint/bucket/key.
Expected<S3ListPage> parseS3ListPage(std::string_view xml, const std::string& endpoint,
                                     const std::string& bucket, const std::string& where);
/// Every page below `prefix` (stops after `maxEntries`); a listing still truncated after
/// `maxPages` pages is Errc::Corrupt (a server that never ends it). S3 error documents come
/// back in words (s3_error.h). Signed when the client has an S3 signer.
Expected<std::vector<ArchiveEntry>> listS3(HttpClient& client, const std::string& endpoint,
                                           const std::string& bucket, const std::string& prefix,
                                           std::size_t maxEntries = 100000, int maxPages = 1000);

/// "https://ftp.ebi.ac.uk/biostudies/fire/S-BIAD/<last 3 digits>/S-BIAD<n>/Files/" for an
/// accession such as "S-BIAD1234"; Errc::InvalidArgument for other shapes.
Expected<std::string> bioImageArchiveFilesUrl(const std::string& accession);
/// Parses one page of `GET {api}/files/{acc}?start=&length=` (BioStudies: {"totalHits",
/// "files"|"data": [{"path", "size", "type"}]}); total hits via `total`.
Expected<std::vector<ArchiveEntry>> parseBioImageArchiveFiles(std::string_view json,
                                                              const std::string& accession,
                                                              std::uint64_t* total,
                                                              const std::string& where);
/// All files of a study, paging `pageSize` at a time through `apiBase`
/// (default https://www.ebi.ac.uk/biostudies/api/v1).
Expected<std::vector<ArchiveEntry>> listBioImageArchive(
    HttpClient& client, const std::string& accession,
    const std::string& apiBase = "https://www.ebi.ac.uk/biostudies/api/v1",
    std::size_t pageSize = 500);

}  // namespace tessera::data
