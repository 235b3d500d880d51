#include "services/server.h"

#include <openssl/rand.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "services/admin_service.h"
#include "services/call_gate.h"
#include "services/certificate_identity.h"
#include "services/command_service.h"
#include "services/event_store_service.h"
#include "services/executor.h"
#include "services/query_service.h"

namespace oversight::services {

namespace {
// An append may carry 4 MiB of payload plus framing; a read response is
// capped at 4 MiB of payload plus one event of at most 2 MiB.
constexpr int kMaxReceiveBytes = 8 << 20;
constexpr int kMaxSendBytes = 16 << 20;

// The key that authenticates ListHistory page tokens: made once, kept in
// the snapshot store so that tokens outlive a restart.
absl::StatusOr<std::string> PageTokenKey(eventstore::SnapshotStore* store) {
  constexpr char kName[] = "page-token-key";
  absl::StatusOr<std::optional<eventstore::Snapshot>> stored =
      store->GetSnapshot(kName);
  if (!stored.ok()) return stored.status();
  if (stored->has_value() && (*stored)->data.size() == 32) {
    return (*stored)->data;
  }
  eventstore::Snapshot key;
  key.data.resize(32);
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data.data()), 32) != 1) {
    return absl::InternalError("no randomness for the page token key");
  }
  if (absl::Status s = store->PutSnapshot(kName, key); !s.ok()) return s;
  return key.data;
}
}  // namespace

struct OversightServer::Impl {
  std::string host;
  int port = 0;
  std::unique_ptr<Executor> executor;
  std::unique_ptr<Executor> command_executor;
  // Identifies and authorises every call of the three services.
  std::unique_ptr<CallGate> gate;
  std::unique_ptr<EventStoreService> event_store;
  std::unique_ptr<CommandService> commands;
  std::unique_ptr<ProjectionHost> projections;
  std::unique_ptr<QueryService> queries;
  std::unique_ptr<AdminService> admin;
  std::unique_ptr<grpc::Server> server;
  absl::Mutex mu;
  bool shut_down ABSL_GUARDED_BY(mu) = false;
};

absl::Status CheckExecutorThreads(const ServerOptions& options) {
  for (const auto& [flag, threads] :
       {std::pair<const char*, int>{"subscription_threads",
                                    options.subscription_threads},
        {"command_threads", options.command_threads}}) {
    if (threads < 1 || threads > kMaxExecutorThreads) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", flag, " must be 1 to ", kMaxExecutorThreads,
                       ", got ", threads));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<OversightServer>> OversightServer::Start(
    const ServerOptions& options, eventstore::EventLog* log) {
  if (absl::Status s = CheckExecutorThreads(options); !s.ok()) return s;
  auto impl = std::make_unique<Impl>();
  const size_t colon = options.listen.rfind(':');
  if (colon == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--listen must be host:port, got \"", options.listen, "\""));
  }
  impl->host = options.listen.substr(0, colon);
  std::shared_ptr<grpc::ServerCredentials> credentials;
  std::unique_ptr<IdentityProvider> identity;
  if (options.tls.has_value()) {
    if (options.insecure_identity_from_metadata) {
      return absl::InvalidArgumentError(
          "identity from call metadata is for plaintext test servers; a TLS "
          "server takes identity from client certificates only");
    }
    const TlsOptions& tls = *options.tls;
    if (absl::Status s = CheckServerTlsFiles(
            tls.cert_chain_pem, tls.private_key_pem, tls.client_ca_pem);
        !s.ok()) {
      return s;
    }
    grpc::SslServerCredentialsOptions ssl(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    ssl.pem_root_certs = tls.client_ca_pem;
    ssl.pem_key_cert_pairs.push_back({tls.private_key_pem, tls.cert_chain_pem});
    credentials = grpc::SslServerCredentials(ssl);
    identity = NewCertificateIdentity(tls.trust_domain);
  } else {
    if (!IsLoopbackHost(impl->host)) {
      return absl::InvalidArgumentError(absl::StrCat(
          options.insecure_identity_from_metadata
              ? "identity from call metadata is unverified and allowed only "
                "on a loopback address"
              : "without TLS the server listens only on a loopback address",
          ", not \"", impl->host, "\""));
    }
    credentials = grpc::InsecureServerCredentials();
    identity = options.insecure_identity_from_metadata ? NewMetadataIdentity()
                                                       : NewNoIdentity();
  }
  impl->gate = std::make_unique<CallGate>(std::move(identity));
  impl->executor = std::make_unique<Executor>(options.subscription_threads);
  impl->command_executor = std::make_unique<Executor>(options.command_threads);
  std::function<absl::Time()> clock = options.clock;
  if (!clock) clock = [] { return absl::Now(); };
  impl->event_store = std::make_unique<EventStoreService>(
      log, impl->executor.get(), impl->gate.get(),
      options.verify_chunk_positions, clock);
  if (options.snapshots != nullptr) {
    absl::StatusOr<std::unique_ptr<ProjectionHost>> host =
        ProjectionHost::Start(log, options.snapshots, options.projections);
    if (!host.ok()) return host.status();
    impl->projections = *std::move(host);
  }
  // PublishReport finds a report's streams in the read models when there
  // are any, and otherwise in the log.
  impl->commands = std::make_unique<CommandService>(
      log, impl->command_executor.get(), impl->gate.get(),
      [clock] { return clock(); }, impl->projections.get());
  if (options.snapshots != nullptr) {
    absl::StatusOr<std::string> key = PageTokenKey(options.snapshots);
    if (!key.ok()) return key.status();
    impl->queries = std::make_unique<QueryService>(
        log, impl->projections.get(), impl->executor.get(), impl->gate.get(),
        PageTokens(*std::move(key)), clock);
  }

  impl->admin = std::make_unique<AdminService>(
      AdminService::Options{options.backup_dir, options.backup},
      impl->executor.get(), impl->gate.get());

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, credentials, &impl->port);
  builder.RegisterService(impl->event_store.get());
  builder.RegisterService(impl->commands.get());
  if (impl->queries != nullptr) builder.RegisterService(impl->queries.get());
  builder.RegisterService(impl->admin.get());
  builder.SetMaxReceiveMessageSize(kMaxReceiveBytes);
  builder.SetMaxSendMessageSize(kMaxSendBytes);
  impl->server = builder.BuildAndStart();
  if (impl->server == nullptr || impl->port == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen));
  }
  impl->server->GetHealthCheckService()->SetServingStatus(true);
  return std::unique_ptr<OversightServer>(new OversightServer(std::move(impl)));
}

OversightServer::OversightServer(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)) {}

OversightServer::~OversightServer() { Shutdown(absl::ZeroDuration()); }

int OversightServer::port() const { return impl_->port; }

std::string OversightServer::address() const {
  return absl::StrCat(impl_->host, ":", impl_->port);
}

void OversightServer::Shutdown(absl::Duration grace) {
  {
    absl::MutexLock lock(&impl_->mu);
    if (impl_->shut_down) return;
    impl_->shut_down = true;
  }
  impl_->server->GetHealthCheckService()->SetServingStatus(false);
  // Calls waiting on the read models (min_position, FollowHistory) end now,
  // UNAVAILABLE, instead of being cancelled when the grace period ends.
  if (impl_->projections != nullptr) impl_->projections->CloseWaiters();
  // Stops accepting calls at once; cancels the rest after `grace`, which
  // ends open subscriptions. Returns when every call has finished.
  impl_->server->Shutdown(std::chrono::system_clock::now() +
                          absl::ToChronoMilliseconds(grace));
  impl_->executor->Shutdown();
  impl_->command_executor->Shutdown();
  // A failed final snapshot costs only a longer catch-up at the next start.
  if (impl_->projections != nullptr) impl_->projections->Stop().IgnoreError();
}

void OversightServer::Wait() { impl_->server->Wait(); }

const ProjectionHost* OversightServer::projections() const {
  return impl_->projections.get();
}

}  // namespace oversight::services
