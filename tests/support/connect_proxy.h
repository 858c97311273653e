#pragma once
/// A loopback HTTP proxy that only tunnels: CONNECT host:port, answered with 200 and then bytes
/// copied both ways until either side closes (test code only).
/// Threads: LoopbackListener's acceptor plus one thread per tunnel, all joined by the
/// destructor.
/// With `requiredAuth` set (the full "Basic ..." value), requests without that
/// Proxy-Authorization are answered 407. Requests other than CONNECT get 405.
/// Every request head is recorded for the test to inspect.
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/loopback_listener.h"

namespace tessera::testing {

class ConnectProxy {
 public:
  struct Seen {
    std::string requestLine;    ///< e.g. "CONNECT 127.0.0.1:443 HTTP/1.1"
    std::string authorization;  ///< the Proxy-Authorization value, or ""
  };

  explicit ConnectProxy(std::string requiredAuth = "") : requiredAuth_(std::move(requiredAuth)) {
    net_.start([this](int fd) { serve(fd); });
  }
  ~ConnectProxy() { net_.stop(); }
  ConnectProxy(const ConnectProxy&) = delete;
  ConnectProxy& operator=(const ConnectProxy&) = delete;

  /// "http://127.0.0.1:<port>", with "user:password@" when `userInfo` is given.
  std::string url(const std::string& userInfo = "") const {
    return "http://" + (userInfo.empty() ? "" : userInfo + "@") +
           "127.0.0.1:" + std::to_string(net_.port());
  }
  std::vector<Seen> seen() const {
    std::lock_guard lock(mutex_);
    return seen_;
  }
  /// Bytes copied from the upstream servers to clients.
  std::uint64_t bytesDown() const { return bytesDown_; }

 private:
  static std::string headerValue(const std::string& head, const std::string& lowerName) {
    std::string lower;
    for (char c : head)
      lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto at = lower.find("\r\n" + lowerName + ":");
    if (at == std::string::npos) return {};
    auto start = at + 3 + lowerName.size();
    while (start < head.size() && head[start] == ' ')
      ++start;
    return head.substr(start, head.find("\r\n", start) - start);
  }
  static void sendAll(int fd, const std::string& s) {
    ::send(fd, s.data(), s.size(), MSG_NOSIGNAL);
  }
  static int connectTo(const std::string& authority) {
    const auto colon = authority.rfind(':');
    addrinfo hints{}, *res = nullptr;
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    if (colon == std::string::npos ||
        ::getaddrinfo(authority.substr(0, colon).c_str(), authority.substr(colon + 1).c_str(),
                      &hints, &res) != 0)
      return -1;
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    const bool ok = ::connect(fd, res->ai_addr, res->ai_addrlen) == 0;
    ::freeaddrinfo(res);
    if (!ok) {
      ::close(fd);
      return -1;
    }
    return fd;
  }

  void serve(int client) {
    std::string head;
    char buf[16384];
    while (head.find("\r\n\r\n") == std::string::npos) {
      const ssize_t n = ::recv(client, buf, sizeof buf, 0);
      if (n <= 0) return closeFd(client);
      head.append(buf, static_cast<std::size_t>(n));
    }
    const std::string extra = head.substr(head.find("\r\n\r\n") + 4);
    head.resize(head.find("\r\n\r\n") + 2);
    Seen s{head.substr(0, head.find("\r\n")), headerValue(head, "proxy-authorization")};
    {
      std::lock_guard lock(mutex_);
      seen_.push_back(s);
    }
    const auto sp1 = s.requestLine.find(' '), sp2 = s.requestLine.find(' ', sp1 + 1);
    if (s.requestLine.substr(0, sp1) != "CONNECT") {
      sendAll(client, "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n");
      return closeFd(client);
    }
    if (!requiredAuth_.empty() && s.authorization != requiredAuth_) {
      sendAll(client,
              "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic "
              "realm=\"test\"\r\nContent-Length: 0\r\n\r\n");
      return closeFd(client);
    }
    const int upstream = connectTo(s.requestLine.substr(sp1 + 1, sp2 - sp1 - 1));
    if (upstream < 0) {
      sendAll(client, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
      return closeFd(client);
    }
    net_.track(upstream);
    sendAll(client, "HTTP/1.1 200 Connection Established\r\n\r\n");
    if (!extra.empty()) sendAll(upstream, extra);
    pollfd fds[2] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}};
    while (!net_.stopping()) {
      if (::poll(fds, 2, 200) < 0) break;
      bool closed = false;
      for (int i = 0; i < 2 && !closed; ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        const ssize_t n = ::recv(fds[i].fd, buf, sizeof buf, 0);
        if (n <= 0) {
          closed = true;
          break;
        }
        if (i == 1) bytesDown_ += static_cast<std::uint64_t>(n);
        sendAll(fds[1 - i].fd, std::string(buf, static_cast<std::size_t>(n)));
      }
      if (closed) break;
    }
    closeFd(upstream);
    closeFd(client);
  }
  void closeFd(int fd) { net_.closeFd(fd); }

  std::string requiredAuth_;
  std::atomic<std::uint64_t> bytesDown_{0};
  mutable std::mutex mutex_;
  std::vector<Seen> seen_;
  LoopbackListener net_;
};

}  // namespace tessera::testing
