// SigV4 against published vectors: AWS's aws-sig-v4-test-suite (service "service", 2015-08-30,
// AKIDEXAMPLE) and the S3 documentation's examples (examplebucket, 2013-05-24): GET with
// Range, ListObjects' query, a presigned GET. Then the S3 signer against botocore, the AWS
// SDK's own signer, computing the same requests (keys with spaces and non-ASCII characters,
// session tokens) at test time.
#include <QtTest>

#include <cstdio>

#include "data/remote/s3.h"
#include "data/remote/sigv4.h"
#include "data/remote/url.h"

using namespace tessera::data;

namespace {
const AwsCredentials kSuite{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
const AwsCredentials kS3Docs{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                             ""};
const std::time_t kS3DocsTime = 1369353600;  // 2013-05-24T00:00:00Z

std::string suiteAuthorization(const std::string& path, const std::string& query,
                               HeaderList extra = {}) {
  SigV4Request rq;
  rq.path = path;
  rq.query = query;
  rq.headers = {{"Host", "example.amazonaws.com"}};
  rq.headers.insert(rq.headers.end(), extra.begin(), extra.end());
  rq.headers.emplace_back("X-Amz-Date", "20150830T123600Z");
  rq.payloadHash = kEmptyPayloadSha256;
  return sigv4Authorization(rq, kSuite, "us-east-1", "service", "20150830T123600Z");
}

std::string signatureOf(const std::string& authorization) {
  return authorization.substr(authorization.rfind('=') + 1);
}

std::string run(const std::string& command) {
  std::string out;
  if (FILE* p = ::popen(command.c_str(), "r")) {
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
      out.append(buf, n);
    ::pclose(p);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r'))
    out.pop_back();
  return out;
}

bool haveBotocore() {
  return run(std::string(TESSERA_PYTHON) + " -c 'import botocore; print(1)' 2>/dev/null") == "1";
}
}  // namespace

class TestSigV4 : public QObject {
  Q_OBJECT
 private slots:
  void matchesTheAwsTestSuite_data() {
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("signature");
    QTest::newRow("get-vanilla")
        << "/"
        << ""
        << "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";
    QTest::newRow("get-vanilla-empty-query-key")
        << "/"
        << "Param1=value1"
        << "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb";
    QTest::newRow("get-vanilla-query-order-key")
        << "/"
        << "Param1=value2&Param1=Value1"
        << "eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1";
    QTest::newRow("get-vanilla-query-order-key-case")
        << "/"
        << "Param2=value2&Param1=value1"
        << "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500";
    QTest::newRow("get-vanilla-query-order-value")
        << "/"
        << "Param1=value2&Param1=value1"
        << "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694";
    const QString unreserved = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    QTest::newRow("get-vanilla-query-unreserved")
        << "/" << unreserved + "=" + unreserved
        << "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197";
    QTest::newRow("get-vanilla-utf8-query")
        << "/"
        << "%E1%88%B4=bar"
        << "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04";
    QTest::newRow("get-unreserved")
        << "/" + unreserved << ""
        << "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f";
    QTest::newRow("get-utf8") << QString::fromUtf8("/\xE1\x88\xB4") << ""
                              << "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85";
    QTest::newRow("get-utf8 (sent encoded)")
        << "/%E1%88%B4"
        << ""
        << "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85";
    QTest::newRow("get-space")
        << "/example space/"
        << ""
        << "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741";
    QTest::newRow("get-space (sent encoded)")
        << "/example%20space/"
        << ""
        << "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741";
  }
  void matchesTheAwsTestSuite() {
    QFETCH(QString, path);
    QFETCH(QString, query);
    QFETCH(QString, signature);
    const std::string auth = suiteAuthorization(path.toStdString(), query.toStdString());
    QCOMPARE(QString::fromStdString(signatureOf(auth)), signature);
    QVERIFY(
        auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/"
                         "service/aws4_request, SignedHeaders=host;x-amz-date, Signature="));
  }

  void canonicalisesHeadersAsTheSuite() {
    // get-header-key-duplicate, get-header-value-order, get-header-value-trim.
    QCOMPARE(signatureOf(suiteAuthorization(
                 "/", "",
                 {{"My-Header1", "value2"}, {"My-Header1", "value2"}, {"My-Header1", "value1"}})),
             std::string("c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"));
    QCOMPARE(signatureOf(suiteAuthorization("/", "",
                                            {{"My-Header1", "value4"},
                                             {"My-Header1", "value1"},
                                             {"My-Header1", "value3"},
                                             {"My-Header1", "value2"}})),
             std::string("08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"));
    QCOMPARE(signatureOf(suiteAuthorization(
                 "/", "", {{"My-Header1", "value1"}, {"My-Header2", "\"a   b   c\""}})),
             std::string("acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"));
  }

  void signsTheS3DocumentationExamples() {
    // GET Object with Range (the S3 docs sign the empty payload's hash, not UNSIGNED-PAYLOAD).
    SigV4Request rq;
    rq.path = "/test.txt";
    rq.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
                  {"Range", "bytes=0-9"},
                  {"x-amz-content-sha256", kEmptyPayloadSha256},
                  {"x-amz-date", "20130524T000000Z"}};
    rq.payloadHash = kEmptyPayloadSha256;
    QCOMPARE(
        sigv4Authorization(rq, kS3Docs, "us-east-1", "s3", "20130524T000000Z"),
        std::string("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/"
                    "aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                    "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"));
    // GET Bucket (List Objects): the query is sorted and encoded.
    rq.path = "/";
    rq.query = "max-keys=2&prefix=J";
    rq.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
                  {"x-amz-content-sha256", kEmptyPayloadSha256},
                  {"x-amz-date", "20130524T000000Z"}};
    QCOMPARE(signatureOf(sigv4Authorization(rq, kS3Docs, "us-east-1", "s3", "20130524T000000Z")),
             std::string("34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"));
    // Presigned GET, valid one day.
    const std::string url = sigv4PresignS3("https", "examplebucket.s3.amazonaws.com", "/test.txt",
                                           kS3Docs, "us-east-1", kS3DocsTime, 86400);
    QCOMPARE(url, std::string("https://examplebucket.s3.amazonaws.com/test.txt?"
                              "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
                              "AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&"
                              "X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&"
                              "X-Amz-SignedHeaders=host&X-Amz-Signature="
                              "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"));
  }

  void s3HeadersCarryDateHashAndToken() {
    AwsCredentials c = kS3Docs;
    c.sessionToken = "token/with+chars=";
    const HeaderList h = sigv4SignS3("GET", "examplebucket.s3.amazonaws.com", "/a%20b.txt", {}, c,
                                     "us-east-1", kS3DocsTime);
    QCOMPARE(h.size(), std::size_t(4));
    QCOMPARE(h[0], std::make_pair(std::string("X-Amz-Date"), std::string("20130524T000000Z")));
    QCOMPARE(h[1].second, std::string("UNSIGNED-PAYLOAD"));
    QCOMPARE(h[2], std::make_pair(std::string("X-Amz-Security-Token"), c.sessionToken));
    QVERIFY(h[3].second.find("SignedHeaders=host;x-amz-content-sha256;x-amz-date;"
                             "x-amz-security-token,") != std::string::npos);
    QVERIFY(h[3].second.find(c.secretAccessKey) == std::string::npos);
  }

  // The signer's headers for keys with spaces, unicode and reserved characters equal what
  // botocore's S3SigV4Auth computes for the same request at the same instant.
  void agreesWithBotocore() {
    if (!haveBotocore()) QSKIP("python3-botocore is not installed (packaging/install-deps.sh)");
    AwsProfile profile;
    profile.credentials = {"AKIDTEST", "secret/with+slash", "session-token"};
    profile.region = "eu-west-2";
    profile.endpointUrl = "http://127.0.0.1:9000";
    S3Signer signer(profile);
    const std::vector<std::string> keys = {"plain.zarr/.zattrs", "with space/0/0.0",
                                           "ünïcødé/ሴ.bin", "a+b=c&d/e(1)~!$'*,;:@.txt"};
    for (const std::string& key : keys) {
      auto url = parseUrl(signer.objectUrl("bucket", key));
      QVERIFY(url);
      HeaderList h = {{"Range", "bytes=0-99"}};
      signer.sign("GET", url->hostHeader(), url->target, h);
      QCOMPARE(h.size(), std::size_t(5));  // Range, then X-Amz-Date, hash, token, Authorization
      const std::string script =
          "import sys\n"
          "from botocore.auth import S3SigV4Auth\n"
          "from botocore.awsrequest import AWSRequest\n"
          "from botocore.credentials import Credentials\n"
          "url, date = sys.argv[1], sys.argv[2]\n"
          "r = AWSRequest(method='GET', url=url, headers={'Range': 'bytes=0-99'})\n"
          "r.context['timestamp'] = date\n"
          "r.headers['X-Amz-Date'] = date\n"
          "r.headers['X-Amz-Content-SHA256'] = 'UNSIGNED-PAYLOAD'\n"
          "r.headers['X-Amz-Security-Token'] = 'session-token'\n"
          "a = S3SigV4Auth(Credentials('AKIDTEST', 'secret/with+slash', 'session-token'), 's3', "
          "'eu-west-2')\n"
          "a._timestamp = lambda: date\n"
          "cr = a.canonical_request(r)\n"
          "print(a.signature(a.string_to_sign(r, cr), r))\n";
      const std::string cmd =
          std::string(TESSERA_PYTHON) + " -c \"$S\" '" + url->str() + "' " + h[1].second;
      ::setenv("S", script.c_str(), 1);
      const std::string expected = run(cmd);
      QVERIFY2(expected.size() == 64, expected.c_str());
      QCOMPARE(signatureOf(h[4].second), expected);
    }
  }
};

QTEST_GUILESS_MAIN(TestSigV4)
#include "tst_sigv4.moc"
