// gRPC helpers of the workloads (workload_util.h).

#include <chrono>

#include "absl/strings/str_cat.h"
#include "bench/daemon.h"
#include "bench/workload_util.h"

namespace oversight::bench {

std::shared_ptr<grpc::Channel> NewChannel(const std::string& address,
                                          bool own_subchannel_pool) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  // Without this, channels with equal arguments share one subchannel (one
  // TCP connection); with it, each channel has its own connection.
  if (own_subchannel_pool) args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  std::shared_ptr<grpc::Channel> channel = grpc::CreateCustomChannel(
      address, grpc::InsecureChannelCredentials(), args);
  channel->WaitForConnected(std::chrono::system_clock::now() +
                            std::chrono::seconds(10));
  return channel;
}

void SetDeadline(grpc::ClientContext* context) {
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(30));
}

void SetRawLogCall(grpc::ClientContext* context) {
  SetDeadline(context);
  context->AddMetadata("oversight-agency", "deployment");
  context->AddMetadata("oversight-role", "operator");
  context->AddMetadata("oversight-actor", "oversight-bench");
}

std::string GrpcError(const grpc::Status& status) {
  return absl::StrCat("gRPC code ", static_cast<int>(status.error_code()), ": ",
                      status.error_message());
}

absl::StatusOr<std::unique_ptr<services::OversightServer>> StartServer(
    eventstore::EventLog* log) {
  services::ServerOptions options;
  options.listen = "127.0.0.1:0";
  // The workloads name their agency and role in metadata (loopback only).
  options.insecure_identity_from_metadata = true;
  return services::OversightServer::Start(options, log);
}

namespace {

// The closed loop of `clients` clients against the server at `address`,
// on one shared channel or a channel each.
LoopResult RunClients(
    const WorkloadOptions& options, const std::string& address, int clients,
    ChannelMode mode,
    const std::function<Operation(std::shared_ptr<grpc::Channel>, int)>& make) {
  std::shared_ptr<grpc::Channel> shared;
  if (mode == ChannelMode::kShared) shared = NewChannel(address, false);
  LoopConfig config;
  config.threads = clients;
  config.warmup_seconds = options.warmup_seconds;
  config.duration_seconds = options.duration_seconds;
  return RunClosedLoop(config, [&](int i) {
    return make(shared != nullptr ? shared : NewChannel(address, true), i);
  });
}

}  // namespace

Point RunAgainstServer(
    const WorkloadOptions& options, const std::string& dir, int clients,
    ChannelMode mode,
    const std::function<Operation(std::shared_ptr<grpc::Channel>, int)>& make) {
  Point failed;
  if (!options.oversightd.empty()) {
    absl::StatusOr<std::unique_ptr<Daemon>> daemon = Daemon::Start(
        options.oversightd, dir, options.oversightd_flags, nullptr);
    if (!daemon.ok()) {
      failed.note = std::string(daemon.status().message());
      return failed;
    }
    const double cpu_before = (*daemon)->CpuSeconds();
    LoopResult r =
        RunClients(options, (*daemon)->address(), clients, mode, make);
    // The loop's own window, widened to the whole loop for the server's
    // share: its CPU is read from /proc around the loop.
    r.cpu_seconds += ((*daemon)->CpuSeconds() - cpu_before) * r.seconds /
                     (r.seconds + options.warmup_seconds);
    Point p = ToPoint(r);
    (*daemon)->Stop();
    return p;
  }
  auto store = OpenStore(dir);
  if (!store.ok()) {
    failed.note = std::string(store.status().message());
    return failed;
  }
  auto server = StartServer(store->get());
  if (!server.ok()) {
    failed.note = std::string(server.status().message());
    return failed;
  }
  const eventstore::RocksEventStore::Stats before = (*store)->stats();
  LoopResult r = RunClients(options, (*server)->address(), clients, mode, make);
  Point p = ToPoint(r);
  p.note = JoinNote(GroupNote(before, (*store)->stats()), p.note);
  (*server)->Shutdown(absl::Seconds(1));
  return p;
}

}  // namespace oversight::bench
