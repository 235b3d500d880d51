// Daemon: an oversightd process started by a benchmark on a data
// directory, plaintext on a free loopback port, in its test mode (identity
// from metadata), stopped with SIGTERM.
//
// Example:
//   absl::StatusOr<std::unique_ptr<Daemon>> d =
//       Daemon::Start(OVERSIGHTD_PATH, "/tmp/x", {"--rebuild"},
//                     [](const std::string& line) { std::cerr << line; });
//   ... connect to (*d)->address() ...
//   (*d)->Stop();

#ifndef OVERSIGHT_BENCH_DAEMON_H_
#define OVERSIGHT_BENCH_DAEMON_H_

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/grpcpp.h"
#include "oversight/v1/queries.grpc.pb.h"

namespace oversight::bench {

class Daemon {
 public:
  using LineSink = std::function<void(const std::string& line)>;

  // Starts `binary` on `dir` with `extra` flags and waits (up to
  // `timeout_seconds`) until it logs "listening on". Every line it logs
  // until then, and after it when Stop drains them, goes to `sink`.
  static absl::StatusOr<std::unique_ptr<Daemon>> Start(
      const std::string& binary, const std::string& dir,
      const std::vector<std::string>& extra, LineSink sink,
      double timeout_seconds = 600);
  ~Daemon();  // Stops it if Stop was not called.
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  const std::string& address() const { return address_; }
  pid_t pid() const { return pid_; }
  double seconds_to_listen() const { return seconds_to_listen_; }
  // User + system CPU seconds the process has used so far (/proc).
  double CpuSeconds() const;

  // SIGTERM, then waits for it to exit, passing its last lines to the sink.
  // Returns its exit status as waitpid gives it.
  int Stop();

 private:
  Daemon() = default;
  void Drain(bool to_end);

  pid_t pid_ = -1;
  int err_fd_ = -1;
  std::string address_;
  double seconds_to_listen_ = 0;
  std::string pending_;
  LineSink sink_;
};

// Names the reader of a call to a Daemon (whose test mode takes the
// identity from metadata): an auditor, acting as `actor`, giving
// `justification` when it is not empty.
void AddAuditorMetadata(grpc::ClientContext* context, const std::string& actor,
                        const std::string& justification);

// A Queries stub on a channel of its own to `address` that takes answers of
// up to 64 MB, once the channel is connected (waiting up to 10 s).
std::unique_ptr<v1::Queries::Stub> NewQueriesStub(const std::string& address);

}  // namespace oversight::bench

#endif  // OVERSIGHT_BENCH_DAEMON_H_
