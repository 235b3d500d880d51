#include "bench/daemon.h"

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

extern char** environ;

namespace oversight::bench {

absl::StatusOr<std::unique_ptr<Daemon>> Daemon::Start(
    const std::string& binary, const std::string& dir,
    const std::vector<std::string>& extra, LineSink sink,
    double timeout_seconds) {
  std::unique_ptr<Daemon> d(new Daemon());
  d->sink_ = std::move(sink);
  int err[2];
  if (pipe(err) != 0) return absl::InternalError("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  posix_spawn_file_actions_addclose(&actions, err[0]);
  // Plaintext on loopback, in oversightd's test mode: the clients name
  // their agency and role in metadata.
  std::vector<std::string> args = {binary, absl::StrCat("--data_dir=", dir),
                                   "--listen=127.0.0.1:0",
                                   "--insecure_identity_from_metadata"};
  for (const std::string& e : extra) args.push_back(e);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const auto started = std::chrono::steady_clock::now();
  const int spawned = posix_spawn(&d->pid_, binary.c_str(), &actions, nullptr,
                                  argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(err[1]);
  if (spawned != 0) {
    close(err[0]);
    d->pid_ = -1;
    return absl::FailedPreconditionError(absl::StrCat("cannot start ", binary));
  }
  d->err_fd_ = err[0];
  const auto deadline =
      started +
      std::chrono::milliseconds(static_cast<int64_t>(timeout_seconds * 1000));
  char buf[4096];
  std::string last_line;  // what it said last, the reason if it exits
  while (d->address_.empty()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    struct pollfd pfd = {d->err_fd_, POLLIN, 0};
    if (left.count() <= 0 ||
        poll(&pfd, 1, static_cast<int>(left.count())) <= 0) {
      return absl::DeadlineExceededError(absl::StrCat(
          "oversightd did not start listening within ", timeout_seconds, " s"));
    }
    const ssize_t n = read(d->err_fd_, buf, sizeof buf);
    if (n <= 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("oversightd exited before listening: ",
                       d->pending_.empty() ? last_line : d->pending_));
    }
    d->pending_.append(buf, static_cast<size_t>(n));
    size_t nl;
    while ((nl = d->pending_.find('\n')) != std::string::npos) {
      const std::string line = d->pending_.substr(0, nl);
      d->pending_.erase(0, nl + 1);
      if (d->sink_) d->sink_(line);
      last_line = line;
      if (size_t at = line.find("listening on "); at != std::string::npos) {
        const std::string rest = line.substr(at + 13);
        d->address_ = rest.substr(0, rest.find(';'));
        d->seconds_to_listen_ = std::chrono::duration<double>(
                                    std::chrono::steady_clock::now() - started)
                                    .count();
      }
    }
  }
  return d;
}

Daemon::~Daemon() {
  if (pid_ > 0) Stop();
}

double Daemon::CpuSeconds() const {
  std::ifstream in(absl::StrCat("/proc/", pid_, "/stat"));
  std::string stat((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  // Fields after the command (which may hold spaces), from field 3 on.
  const size_t close_paren = stat.rfind(')');
  if (close_paren == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close_paren + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;  // NOLINT(runtime/int)
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) /
         static_cast<double>(sysconf(_SC_CLK_TCK));
}

void Daemon::Drain(bool to_end) {
  char buf[4096];
  ssize_t n;
  while ((n = read(err_fd_, buf, sizeof buf)) > 0) {
    pending_.append(buf, static_cast<size_t>(n));
  }
  size_t nl;
  while ((nl = pending_.find('\n')) != std::string::npos) {
    if (sink_) sink_(pending_.substr(0, nl));
    pending_.erase(0, nl + 1);
  }
  if (to_end && !pending_.empty() && sink_) sink_(pending_);
  pending_.clear();
}

int Daemon::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  Drain(/*to_end=*/true);
  close(err_fd_);
  err_fd_ = -1;
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return status;
}

void AddAuditorMetadata(grpc::ClientContext* context, const std::string& actor,
                        const std::string& justification) {
  context->AddMetadata("oversight-agency", "bench-auditor");
  context->AddMetadata("oversight-role", "auditor");
  context->AddMetadata("oversight-actor", actor);
  if (!justification.empty()) {
    context->AddMetadata("oversight-justification", justification);
  }
}

std::unique_ptr<v1::Queries::Stub> NewQueriesStub(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  std::shared_ptr<grpc::Channel> channel = grpc::CreateCustomChannel(
      address, grpc::InsecureChannelCredentials(), args);
  channel->WaitForConnected(std::chrono::system_clock::now() +
                            std::chrono::seconds(10));
  return v1::Queries::NewStub(channel);
}

}  // namespace oversight::bench
