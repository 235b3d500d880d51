// OversightServer: the gRPC server of oversightd, serving the event log
// (oversight.v1.EventStore), the domain commands (oversight.v1.Commands),
// the queries (oversight.v1.Queries), the operator's oversight.v1.Admin
// (backups; admin_service.h), the standard health service
// (grpc.health.v1.Health) and server reflection. Every call of the first
// four is identified and authorised by one CallGate (call_gate.h); health
// and reflection carry no data and take no identity.
//
// Example:
//   ServerOptions options;
//   options.listen = "127.0.0.1:0";     // 0: pick a free port
//   absl::StatusOr<std::unique_ptr<OversightServer>> server =
//       OversightServer::Start(options, log.get());
//   std::cout << (*server)->port();
//   (*server)->Shutdown(absl::Seconds(5));

#ifndef OVERSIGHT_SERVICES_SERVER_H_
#define OVERSIGHT_SERVICES_SERVER_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "eventstore/event_log.h"
#include "eventstore/snapshot_store.h"
#include "services/admin_service.h"
#include "services/projection_host.h"

namespace oversight::services {

// Mutual TLS (docs/security.md): the server's certificate and key, and the
// deployment's CA, which must have signed every client's certificate. The
// handshake refuses a client without one, with one from another CA, or an
// expired one; the agency and the role come from the certificate
// (certificate_identity.h).
struct TlsOptions {
  std::string cert_chain_pem;  // the server's certificate (and chain)
  std::string private_key_pem;
  std::string client_ca_pem;  // the CA (or CAs) of the clients
  // Accept identity URIs of this SPIFFE trust domain only; empty: any.
  std::string trust_domain;
};

// The most threads either of the server's executors may have.
inline constexpr int kMaxExecutorThreads = 256;

struct ServerOptions {
  // host:port to listen on; port 0 picks a free port (see port()).
  std::string listen = "127.0.0.1:50051";
  // Threads that send to subscribers and followers, and serve reads,
  // queries, verification and backups: 1 to kMaxExecutorThreads.
  int subscription_threads = 2;
  // Threads that decide commands (reading the aggregates they touch), apart
  // from the readers so that a long read never holds up a command: 1 to
  // kMaxExecutorThreads.
  int command_threads = 2;
  // Positions VerifyChain checks per executor task, between which it can
  // be cancelled and other reads get their turn.
  uint64_t verify_chunk_positions = 65536;
  // Serve TLS and identify callers by their client certificates. Without
  // it the server speaks plaintext, which Start allows only on a loopback
  // address.
  std::optional<TlsOptions> tls;
  // Without TLS: take the acting agency and its role from call metadata,
  // unverified (identity.h). For tests and local use: Start refuses it
  // with `tls` and unless `listen` is a loopback address. Without either,
  // every call but health and reflection is refused UNAUTHENTICATED.
  bool insecure_identity_from_metadata = false;
  // "Now" for commands and queries; empty: the system clock.
  std::function<absl::Time()> clock;
  // Where the read models keep their snapshots (the store of `log`, as a
  // rule). With it the server hosts the read models and serves
  // oversight.v1.Queries; without it, it serves no queries.
  eventstore::SnapshotStore* snapshots = nullptr;
  ProjectionHost::Options projections;
  // oversight.v1.Admin: where Backup writes (oversightd --backup_dir; empty:
  // Backup is refused FAILED_PRECONDITION) and how it takes a backup
  // (RocksEventStore::Backup of `log`'s store).
  std::string backup_dir;
  AdminService::BackupFunction backup;
};

// INVALID_ARGUMENT, naming the flag, unless both executors' thread counts
// are 1 to kMaxExecutorThreads. OversightServer::Start checks it first;
// oversightd also checks it before it opens the store.
absl::Status CheckExecutorThreads(const ServerOptions& options);

class OversightServer {
 public:
  // Starts serving `log`, which must outlive the server. Unavailable if the
  // address cannot be bound; InvalidArgument for plaintext (no `tls`) on an
  // address that is not loopback, for `tls` together with insecure
  // identity, and for TLS files that are not what they should be.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<OversightServer>> Start(
      const ServerOptions& options, eventstore::EventLog* log);

  OversightServer(const OversightServer&) = delete;
  OversightServer& operator=(const OversightServer&) = delete;
  // Shuts down (with a zero grace period) if still running.
  ~OversightServer();

  // The bound port.
  int port() const;
  // "host:port" actually bound.
  std::string address() const;

  // Stops accepting calls, lets calls in flight finish for up to `grace`,
  // then cancels the rest (subscriptions end with CANCELLED), and stops the
  // read models, which write a snapshot. Idempotent.
  void Shutdown(absl::Duration grace);

  // Blocks until Shutdown has completed.
  void Wait();

  // The read models, or nullptr when the server serves no queries. After
  // Shutdown they have stopped following the log (and written a snapshot).
  const ProjectionHost* projections() const;

 private:
  struct Impl;
  explicit OversightServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace oversight::services

#endif  // OVERSIGHT_SERVICES_SERVER_H_
