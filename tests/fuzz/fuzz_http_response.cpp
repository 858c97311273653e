// An HTTP response into the client's parser: a loopback server answers every connection with
// the input bytes and closes; the client (no retries, no redirects, short time-outs) fetches a
// range, as the remote store does. The first byte picks a plain or a streamed (sink) body.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <mutex>
#include <string>
#include <thread>

#include "data/remote/http_client.h"

using namespace tessera;

namespace {

// One connection at a time: reads the request head, writes the current response, closes.
class OneShotServer {
 public:
  OneShotServer() {
    listen_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listen_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listen_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(listen_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    ::listen(listen_, 16);
    std::thread([this] { serve(); }).detach();  // lives as long as the fuzzing process
  }
  int port() const { return port_; }
  void setResponse(std::string r) {
    std::lock_guard lock(mutex_);
    response_ = std::move(r);
  }

 private:
  void serve() {
    for (;;) {
      const int fd = ::accept(listen_, nullptr, nullptr);
      if (fd < 0) continue;
      std::string head;
      char buf[4096];
      while (head.find("\r\n\r\n") == std::string::npos && head.size() < 65536) {
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        head.append(buf, static_cast<std::size_t>(n));
      }
      std::string r;
      {
        std::lock_guard lock(mutex_);
        r = response_;
      }
      std::size_t done = 0;
      while (done < r.size()) {
        const ssize_t n = ::send(fd, r.data() + done, r.size() - done, MSG_NOSIGNAL);
        if (n <= 0) break;
        done += static_cast<std::size_t>(n);
      }
      ::shutdown(fd, SHUT_WR);
      ::close(fd);
    }
  }
  int listen_ = -1;
  int port_ = 0;
  std::mutex mutex_;
  std::string response_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static OneShotServer server;
  static std::shared_ptr<data::HttpClient> client = [] {
    data::HttpClientOptions o;
    o.maxRetries = 0;
    o.maxRedirects = 0;
    o.connectTimeout = std::chrono::milliseconds(1000);
    o.readTimeout = std::chrono::milliseconds(300);
    o.maxConnectionsPerHost = 1;
    o.maxBodyBytes = 1 << 20;
    o.proxy = data::ProxySettings{};
    return data::HttpClient::create(o).value();
  }();
  if (size < 1) return 0;
  server.setResponse(std::string(reinterpret_cast<const char*>(data + 1), size - 1));
  data::HttpRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/data/0/0.0";
  req.range = data::HttpByteRange{16, 64, false};
  std::size_t got = 0;  // outlives fetch(), which calls the sink
  if (data[0] & 1) {
    req.sink = [&got](std::span<const std::uint8_t> b) {
      got += b.size();
      return got < (1u << 20);
    };
  }
  (void)client->fetch(std::move(req));
  return 0;
}
