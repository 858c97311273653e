#!/usr/bin/python3
"""A small S3 API server on 127.0.0.1 for Tessera's tests, which verifies SigV4 signatures.

Serves ROOT/<bucket>/<key> (GET with Range, HEAD, ListObjectsV2 with prefix, delimiter and
continuation tokens). Every request must be signed with the configured access key, in the
Authorization header or as a presigned URL; the signature is recomputed with botocore
(S3SigV4Auth / S3SigV4QueryAuth, the AWS SDK's own signer), so a wrong secret, a stale date,
a missing or wrong session token, or the wrong region is refused with S3's error document.
Buckets named with --public take unsigned requests too.

Faults for the tests, switched by an unsigned GET /__fault?set=NAME (NAME "none" clears):
  slowdown        every request answers 503 SlowDown (a 5xx storm)
  endless-list    ListObjectsV2 never ends (always IsTruncated with a fresh token)
  skew            the server's clock runs an hour ahead (RequestTimeTooSkewed)
  expired-token   requests with a session token get 400 ExpiredToken
  access-denied   every object answers 403 AccessDenied
GET /__stats returns JSON counters (requests, signed, presigned, unsigned, rejected).

Usage: s3_server.py --root DIR --port-file FILE --access-key K --secret-key S
                    [--session-token T] [--region R] [--bucket-region B=R ...]
                    [--public B ...] [--page-size N]
"""
import argparse
import datetime
import email.utils
import hashlib
import http.server
import json
import os
import socketserver
import sys
import threading
import urllib.parse
from xml.sax.saxutils import escape

from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

SIGV4_TIMESTAMP = "%Y%m%dT%H%M%SZ"


class State:
    def __init__(self, args):
        self.args = args
        self.fault = "none"
        self.lock = threading.Lock()
        self.stats = {"requests": 0, "signed": 0, "presigned": 0, "unsigned": 0, "rejected": 0}
        self.regions = dict(b.split("=", 1) for b in args.bucket_region)

    def count(self, what):
        with self.lock:
            self.stats[what] += 1


class S3Error(Exception):
    def __init__(self, status, code, message, headers=None, **extra):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}
        self.extra = extra


def now(state):
    t = datetime.datetime.now(datetime.timezone.utc)
    if state.fault == "skew":
        t += datetime.timedelta(hours=1)
    return t


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "TesseraS3Test"

    def log_message(self, *args):
        pass

    @property
    def state(self):
        return self.server.state

    # --- plumbing -------------------------------------------------------------------------
    def send(self, status, body=b"", headers=None, content_type="application/xml"):
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_error_doc(self, e):
        extra = "".join("<%s>%s</%s>" % (k, escape(str(v)), k) for k, v in e.extra.items())
        body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code>"
                "<Message>%s</Message>%s<RequestId>test</RequestId></Error>"
                % (e.code, escape(e.message), extra)).encode()
        self.send(e.status, body, e.headers)

    def do_HEAD(self):
        self.handle_any()

    def do_GET(self):
        self.handle_any()

    def handle_any(self):
        self.state.count("requests")
        try:
            parts = urllib.parse.urlsplit(self.path)
            if parts.path == "/__fault":
                q = urllib.parse.parse_qs(parts.query)
                self.state.fault = q.get("set", ["none"])[0]
                return self.send(200, b"ok", content_type="text/plain")
            if parts.path == "/__stats":
                return self.send(200, json.dumps(self.state.stats).encode(),
                                 content_type="application/json")
            if self.state.fault == "slowdown":
                raise S3Error(503, "SlowDown", "Please reduce your request rate.")
            segments = parts.path.lstrip("/").split("/", 1)
            bucket = urllib.parse.unquote(segments[0])
            key = urllib.parse.unquote(segments[1]) if len(segments) > 1 else ""
            self.authenticate(parts, bucket)
            if not bucket:
                raise S3Error(400, "InvalidRequest", "ListBuckets is not served here")
            root = os.path.join(self.server.state.args.root, bucket)
            if not os.path.isdir(root):
                raise S3Error(404, "NoSuchBucket", "The specified bucket does not exist",
                              BucketName=bucket)
            query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
            if not key and query.get("list-type") == ["2"]:
                return self.list_objects(root, bucket, query)
            if self.state.fault == "access-denied":
                raise S3Error(403, "AccessDenied", "Access Denied")
            return self.get_object(root, key)
        except S3Error as e:
            if e.status in (400, 403):
                self.state.count("rejected")
            self.send_error_doc(e)

    # --- authentication -------------------------------------------------------------------
    def authenticate(self, parts, bucket):
        args = self.state.args
        query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
        auth = self.headers.get("Authorization", "")
        if "X-Amz-Signature" in query:
            self.check_presigned(parts, query, bucket)
            self.state.count("presigned")
        elif auth.startswith("AWS4-HMAC-SHA256 "):
            self.check_header_signature(auth, bucket)
            self.state.count("signed")
        elif bucket in args.public:
            self.state.count("unsigned")
        else:
            raise S3Error(403, "AccessDenied", "Access Denied (anonymous request)")

    def expected_region(self, bucket):
        return self.state.regions.get(bucket, self.state.args.region)

    def check_scope(self, credential, bucket, amz_date, token):
        args = self.state.args
        try:
            access_key, date8, region, service, terminator = credential.split("/")
        except ValueError:
            raise S3Error(400, "AuthorizationHeaderMalformed", "bad credential scope")
        if access_key != args.access_key:
            raise S3Error(403, "InvalidAccessKeyId",
                          "The AWS Access Key Id you provided does not exist in our records.")
        want = self.expected_region(bucket)
        if region != want:
            raise S3Error(301, "PermanentRedirect",
                          "The bucket you are attempting to access must be addressed using "
                          "the specified endpoint.", {"x-amz-bucket-region": want},
                          Region=want, BucketName=bucket)
        if service != "s3" or terminator != "aws4_request" or date8 != amz_date[:8]:
            raise S3Error(400, "AuthorizationHeaderMalformed", "bad credential scope")
        if args.session_token:
            if token != args.session_token:
                raise S3Error(403, "InvalidToken", "The provided token is malformed or otherwise invalid.")
            if self.state.fault == "expired-token":
                raise S3Error(400, "ExpiredToken", "The provided token has expired.")
        elif token:
            raise S3Error(403, "InvalidToken", "The provided token is malformed or otherwise invalid.")
        return region

    def credentials(self):
        a = self.state.args
        return Credentials(a.access_key, a.secret_key, a.session_token or None)

    def check_header_signature(self, auth, bucket):
        fields = dict(p.strip().split("=", 1) for p in auth[len("AWS4-HMAC-SHA256 "):].split(","))
        amz_date = self.headers.get("x-amz-date", "")
        token = self.headers.get("x-amz-security-token", "")
        region = self.check_scope(fields.get("Credential", ""), bucket, amz_date, token)
        try:
            sent = datetime.datetime.strptime(amz_date, SIGV4_TIMESTAMP).replace(
                tzinfo=datetime.timezone.utc)
        except ValueError:
            raise S3Error(403, "AccessDenied", "missing or malformed x-amz-date")
        server_now = now(self.state)
        if abs((server_now - sent).total_seconds()) > 900:
            raise S3Error(403, "RequestTimeTooSkewed",
                          "The difference between the request time and the current time is too large.",
                          RequestTime=amz_date,
                          ServerTime=server_now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                          MaxAllowedSkewMilliseconds=900000)
        signed = fields.get("SignedHeaders", "").split(";")
        if "host" not in signed or "x-amz-date" not in signed:
            raise S3Error(403, "AccessDenied", "host and x-amz-date must be signed")
        if "x-amz-content-sha256" not in signed:
            raise S3Error(400, "InvalidRequest", "x-amz-content-sha256 must be signed")
        if self.state.args.session_token and "x-amz-security-token" not in signed:
            raise S3Error(403, "AccessDenied", "x-amz-security-token must be signed")
        headers = {}
        for name in signed:
            if name not in self.headers:
                raise S3Error(403, "AccessDenied", "signed header %s is missing" % name)
            headers[name] = self.headers[name]
        request = AWSRequest(method=self.command,
                             url="http://%s%s" % (self.headers["Host"], self.path),
                             headers=headers)
        request.context["timestamp"] = amz_date
        signer = S3SigV4Auth(self.credentials(), "s3", region)
        expected = signer.signature(
            signer.string_to_sign(request, signer.canonical_request(request)), request)
        if expected != fields.get("Signature"):
            raise S3Error(403, "SignatureDoesNotMatch",
                          "The request signature we calculated does not match the signature "
                          "you provided. Check your key and signing method.")

    def check_presigned(self, parts, query, bucket):
        one = {k: v[0] for k, v in query.items()}
        if one.get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256":
            raise S3Error(400, "AuthorizationQueryParametersError", "bad X-Amz-Algorithm")
        amz_date = one.get("X-Amz-Date", "")
        region = self.check_scope(one.get("X-Amz-Credential", ""), bucket, amz_date,
                                  one.get("X-Amz-Security-Token", ""))
        try:
            sent = datetime.datetime.strptime(amz_date, SIGV4_TIMESTAMP).replace(
                tzinfo=datetime.timezone.utc)
            expires = int(one.get("X-Amz-Expires", "0"))
        except ValueError:
            raise S3Error(400, "AuthorizationQueryParametersError", "bad X-Amz-Date or X-Amz-Expires")
        if now(self.state) > sent + datetime.timedelta(seconds=expires):
            raise S3Error(403, "AccessDenied", "Request has expired", X_Amz_Expires=expires)
        if one.get("X-Amz-SignedHeaders") != "host":
            raise S3Error(400, "AuthorizationQueryParametersError", "only host may be signed")
        # The URL without its signature, exactly as sent otherwise.
        kept = "&".join(p for p in parts.query.split("&") if not p.startswith("X-Amz-Signature="))
        request = AWSRequest(method=self.command,
                             url="http://%s%s?%s" % (self.headers["Host"], parts.path, kept),
                             headers={"host": self.headers["Host"]})
        request.context["timestamp"] = amz_date
        signer = S3SigV4QueryAuth(self.credentials(), "s3", region, expires=expires)
        expected = signer.signature(
            signer.string_to_sign(request, signer.canonical_request(request)), request)
        if expected != one.get("X-Amz-Signature"):
            raise S3Error(403, "SignatureDoesNotMatch",
                          "The request signature we calculated does not match the signature "
                          "you provided. Check your key and signing method.")

    # --- objects and listings -------------------------------------------------------------
    def get_object(self, root, key):
        path = os.path.normpath(os.path.join(root, key))
        if not key or not path.startswith(root + os.sep) or not os.path.isfile(path):
            raise S3Error(404, "NoSuchKey", "The specified key does not exist.", Key=key)
        st = os.stat(path)
        size = st.st_size
        etag = '"%s"' % hashlib.md5(("%s:%d:%d" % (key, size, st.st_mtime_ns)).encode()).hexdigest()
        headers = {"ETag": etag, "Accept-Ranges": "bytes",
                   "Last-Modified": email.utils.formatdate(st.st_mtime, usegmt=True)}
        start, end, status = 0, size - 1, 200
        rng = self.headers.get("Range")
        if rng and rng.startswith("bytes="):
            a, _, b = rng[6:].partition("-")
            if a == "":
                start, end = max(0, size - int(b)), size - 1
            else:
                start, end = int(a), min(size - 1, int(b)) if b else size - 1
            if start >= size:
                raise S3Error(416, "InvalidRange", "The requested range is not satisfiable",
                              {"Content-Range": "bytes */%d" % size})
            status = 206
            headers["Content-Range"] = "bytes %d-%d/%d" % (start, end, size)
        if self.command == "HEAD":
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(end - start + 1))
            self.end_headers()
            return
        with open(path, "rb") as f:
            f.seek(start)
            body = f.read(end - start + 1)
        self.send(status, body, headers, content_type="application/octet-stream")

    def list_objects(self, root, bucket, query):
        get = lambda k, d="": query.get(k, [d])[0]
        prefix, delimiter = get("prefix"), get("delimiter")
        token = get("continuation-token")
        page = min(int(get("max-keys", "1000")), self.state.args.page_size)
        if self.state.fault == "endless-list":
            n = int(token or "0") + 1
            body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult>"
                    "<Name>%s</Name><Prefix>%s</Prefix><KeyCount>0</KeyCount>"
                    "<IsTruncated>true</IsTruncated><NextContinuationToken>%d"
                    "</NextContinuationToken></ListBucketResult>" % (escape(bucket), escape(prefix), n))
            return self.send(200, body.encode())
        keys = []
        for dirpath, _, files in os.walk(root):
            for f in files:
                keys.append(os.path.relpath(os.path.join(dirpath, f), root).replace(os.sep, "/"))
        entries = []  # (name, is_prefix)
        seen = set()
        for k in sorted(keys):
            if not k.startswith(prefix):
                continue
            rest = k[len(prefix):]
            if delimiter and delimiter in rest:
                p = prefix + rest[:rest.index(delimiter) + len(delimiter)]
                if p not in seen:
                    seen.add(p)
                    entries.append((p, True))
            else:
                entries.append((k, False))
        start = 0
        if token:
            start = next((i for i, e in enumerate(entries) if e[0] > token), len(entries))
        chunk = entries[start:start + page]
        truncated = start + page < len(entries)
        out = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult>",
               "<Name>%s</Name><Prefix>%s</Prefix><KeyCount>%d</KeyCount><MaxKeys>%d</MaxKeys>"
               % (escape(bucket), escape(prefix), len(chunk), page),
               "<IsTruncated>%s</IsTruncated>" % ("true" if truncated else "false")]
        if truncated:
            out.append("<NextContinuationToken>%s</NextContinuationToken>" % escape(chunk[-1][0]))
        for name, is_prefix in chunk:
            if is_prefix:
                out.append("<CommonPrefixes><Prefix>%s</Prefix></CommonPrefixes>" % escape(name))
            else:
                size = os.path.getsize(os.path.join(root, name))
                out.append("<Contents><Key>%s</Key><Size>%d</Size><ETag>\"x\"</ETag></Contents>"
                           % (escape(name), size))
        out.append("</ListBucketResult>")
        self.send(200, "".join(out).encode())


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--root", required=True)
    p.add_argument("--port-file", required=True)
    p.add_argument("--access-key", required=True)
    p.add_argument("--secret-key", required=True)
    p.add_argument("--session-token", default="")
    p.add_argument("--region", default="us-east-1")
    p.add_argument("--bucket-region", action="append", default=[])
    p.add_argument("--public", action="append", default=[])
    p.add_argument("--page-size", type=int, default=1000)
    args = p.parse_args()
    args.root = os.path.abspath(args.root)
    server = Server(("127.0.0.1", 0), Handler)
    server.state = State(args)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(tmp, args.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
