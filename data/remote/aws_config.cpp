#include "data/remote/aws_config.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

namespace tessera::data {
namespace {

namespace fs = std::filesystem;
using Section = std::map<std::string, std::string>;  ///< key -> value ("s3.endpoint_url")
using IniFile = std::map<std::string, Section>;

std::string trim(std::string s) {
  const auto notSpace = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), notSpace));
  s.erase(std::find_if(s.rbegin(), s.rend(), notSpace).base(), s.end());
  return s;
}

/// The AWS INI dialect: [section], key = value, '#'/';' comments, and indented "key = value"
/// lines below an empty-valued key ("s3 =") forming a sub-section.
Expected<IniFile> readIni(const fs::path& path) {
  IniFile out;
  std::ifstream in(path);
  if (!in) return out;
  std::string line, section, parent;
  bool haveSection = false;
  for (int n = 1; std::getline(in, line); ++n) {
    const bool indented = !line.empty() && (line[0] == ' ' || line[0] == '\t');
    const std::string t = trim(line);
    if (t.empty() || t[0] == '#' || t[0] == ';') continue;
    if (t.front() == '[') {
      if (t.back() != ']')
        return fail(Errc::InvalidArgument,
                    path.string() + ":" + std::to_string(n) + ": unterminated section header");
      section = trim(t.substr(1, t.size() - 2));
      out[section];
      haveSection = true;
      parent.clear();
      continue;
    }
    const std::size_t eq = t.find('=');
    if (eq == std::string::npos || !haveSection)
      return fail(Errc::InvalidArgument, path.string() + ":" + std::to_string(n) +
                                             ": expected \"key = value\" inside a [section]");
    const std::string key = trim(t.substr(0, eq)), value = trim(t.substr(eq + 1));
    if (indented && !parent.empty()) {
      out[section][parent + "." + key] = value;
      continue;
    }
    parent = value.empty() ? key : "";
    out[section][key] = value;
  }
  return out;
}

fs::path fileFrom(const EnvLookup& env, const char* var, const char* leaf) {
  if (std::string v = env(var); !v.empty()) return v;
  const std::string home = env("HOME");
  return fs::path(home.empty() ? "." : home) / ".aws" / leaf;
}

const Section* find(const IniFile& f, const std::string& name) {
  auto it = f.find(name);
  return it == f.end() ? nullptr : &it->second;
}

std::string get(const Section* s, const std::string& key) {
  if (!s) return {};
  auto it = s->find(key);
  return it == s->end() ? std::string() : it->second;
}

}  // namespace

std::string processEnv(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string AwsProfile::describe() const {
  std::string s = "profile " + name + ", ";
  s += credentials.valid() ? "credentials from " + credentialSource +
                                 (credentials.sessionToken.empty() ? "" : " (session token)")
                           : std::string("no credentials (unsigned requests)");
  s += ", region " + region;
  if (!endpointUrl.empty()) s += ", endpoint " + endpointUrl;
  return s;
}

Expected<AwsProfile> loadAwsProfile(const std::string& profile, const EnvLookup& env) {
  AwsProfile p;
  const bool asked = !profile.empty() || !env("AWS_PROFILE").empty();
  p.name = !profile.empty() ? profile : asked ? env("AWS_PROFILE") : "default";
  const fs::path credPath = fileFrom(env, "AWS_SHARED_CREDENTIALS_FILE", "credentials");
  const fs::path confPath = fileFrom(env, "AWS_CONFIG_FILE", "config");
  auto creds = readIni(credPath);
  if (!creds) return std::unexpected(creds.error());
  auto conf = readIni(confPath);
  if (!conf) return std::unexpected(conf.error());
  const Section* cs = find(*creds, p.name);
  // The config file names its sections "profile NAME", except for the default profile.
  const Section* fs_ = find(*conf, "profile " + p.name);
  if (!fs_ && p.name == "default") fs_ = find(*conf, "default");
  if (asked && !cs && !fs_)
    return fail(Errc::InvalidArgument, "AWS profile \"" + p.name + "\" is in neither " +
                                           credPath.string() + " nor " + confPath.string());

  const std::string envKey = env("AWS_ACCESS_KEY_ID"), envSecret = env("AWS_SECRET_ACCESS_KEY");
  if (profile.empty() && !envKey.empty() && !envSecret.empty()) {
    p.credentials = {envKey, envSecret, env("AWS_SESSION_TOKEN")};
    p.credentialSource = "environment";
  } else {
    for (auto [section, path] : {std::pair{cs, credPath}, std::pair{fs_, confPath}}) {
      const std::string key = get(section, "aws_access_key_id");
      const std::string secret = get(section, "aws_secret_access_key");
      if (key.empty() || secret.empty()) continue;
      p.credentials = {key, secret, get(section, "aws_session_token")};
      p.credentialSource = path.string();
      break;
    }
  }

  for (const std::string& r : {env("AWS_REGION"), env("AWS_DEFAULT_REGION"), get(fs_, "region")})
    if (!r.empty()) {
      p.region = r;
      break;
    }
  for (const std::string& e : {env("AWS_ENDPOINT_URL_S3"), env("AWS_ENDPOINT_URL"),
                               get(fs_, "s3.endpoint_url"), get(fs_, "endpoint_url")})
    if (!e.empty()) {
      p.endpointUrl = e;
      break;
    }
  while (!p.endpointUrl.empty() && p.endpointUrl.back() == '/')
    p.endpointUrl.pop_back();
  return p;
}

std::vector<std::string> listAwsProfiles(const EnvLookup& env) {
  std::vector<std::string> out;
  if (auto c = readIni(fileFrom(env, "AWS_SHARED_CREDENTIALS_FILE", "credentials")))
    for (const auto& [name, s] : *c)
      out.push_back(name);
  if (auto c = readIni(fileFrom(env, "AWS_CONFIG_FILE", "config")))
    for (const auto& [name, s] : *c) {
      if (name == "default")
        out.push_back(name);
      else if (name.rfind("profile ", 0) == 0)
        out.push_back(trim(name.substr(8)));
    }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace tessera::data
