#pragma once
/// The TCP side of the loopback test servers: listens on 127.0.0.1 at a free port and serves
/// each accepted connection (TCP_NODELAY) on its own thread. Test code only.
/// Owners call start() once and stop() first thing in their destructor, so that no connection
/// thread outlives the state it uses; stop() shuts every tracked socket down and joins all
/// threads. Serve functions close their sockets with closeFd() and poll stopping().
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace tessera::testing {

class LoopbackListener {
 public:
  LoopbackListener() = default;
  LoopbackListener(const LoopbackListener&) = delete;
  LoopbackListener& operator=(const LoopbackListener&) = delete;
  ~LoopbackListener() { stop(); }

  void start(std::function<void(int fd)> serve) {
    serve_ = std::move(serve);
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
    ::listen(listen_, 64);
    acceptor_ = std::thread([this] { acceptLoop(); });
  }

  void stop() {
    if (stopping_.exchange(true) || listen_ < 0) return;
    ::shutdown(listen_, SHUT_RDWR);
    ::close(listen_);
    acceptor_.join();
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(mutex_);
      for (int fd : open_)
        ::shutdown(fd, SHUT_RDWR);
      threads.swap(threads_);
    }
    for (auto& t : threads)
      t.join();
  }

  int port() const { return port_; }
  bool stopping() const { return stopping_; }
  int accepted() const { return accepted_; }

  /// Another socket (e.g. a tunnel's upstream) to shut down on stop().
  void track(int fd) {
    std::lock_guard lock(mutex_);
    open_.push_back(fd);
  }
  void closeFd(int fd) {
    std::lock_guard lock(mutex_);
    std::erase(open_, fd);
    ::close(fd);
  }

 private:
  void acceptLoop() {
    while (!stopping_) {
      const int fd = ::accept(listen_, nullptr, nullptr);
      if (fd < 0) return;
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      ++accepted_;
      std::lock_guard lock(mutex_);
      open_.push_back(fd);
      threads_.emplace_back([this, fd] { serve_(fd); });
    }
  }

  std::function<void(int)> serve_;
  int listen_ = -1, port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepted_{0};
  std::thread acceptor_;
  std::mutex mutex_;
  std::vector<std::thread> threads_;
  std::vector<int> open_;
};

}  // namespace tessera::testing
