#pragma once
/// Parsing and joining http(s) URLs (RFC 3986 subset: scheme, optional userinfo, host or
/// bracketed IPv6 literal, port, path, query; fragments dropped). Pure functions, thread-safe.
/// Errors are Errc::InvalidArgument naming the URL: unsupported schemes ("ftp://x: scheme ftp
/// is not supported (use http or https)"), missing hosts, bad ports, spaces and control bytes.
#include <cstdint>
#include <string>
#include <string_view>

#include "data/error.h"

namespace tessera::data {

struct Url {
  std::string scheme;  ///< "http" or "https", lower case
  std::string host;    ///< lower case; IPv6 literals without brackets
  std::uint16_t port = 0;
  std::string target;  ///< path and query, always starting with '/'

  bool https() const { return scheme == "https"; }
  bool defaultPort() const { return port == (https() ? 443 : 80); }
  /// "host" or "host:port" (brackets around IPv6), as the Host header wants it.
  std::string hostHeader() const;
  /// "scheme://host[:port]" + target.
  std::string str() const;
  /// The path without the query.
  std::string path() const;
};

Expected<Url> parseUrl(std::string_view text);

/// True for strings that look like http:// or https:// URLs (case-insensitive scheme).
bool isHttpUrl(std::string_view text);

/// `ref` (a Location header or a relative key) resolved against `base` (RFC 3986 section 5).
Expected<Url> resolveUrl(const Url& base, std::string_view ref);

/// `base` with `key` ('/'-separated, percent-encoded where needed) appended to its path;
/// the base's query is dropped.
std::string joinUrlPath(std::string_view base, std::string_view key);

/// The percent-decoded "user:password" in `text`'s authority, or "" when it has none.
std::string urlUserInfo(std::string_view text);
/// `text` without the userinfo of its authority, for messages (a password is never printed).
std::string withoutUserInfo(std::string_view text);

/// Percent-encodes everything but RFC 3986 unreserved characters (and '/' when keepSlash).
std::string percentEncode(std::string_view text, bool keepSlash);
/// Decodes %XX escapes; malformed escapes are kept as they are.
std::string percentDecode(std::string_view text);

}  // namespace tessera::data
