// oversightd: the Oversight server. Opens (or creates) the event log in
// --data_dir and serves it over gRPC on --listen until SIGINT or SIGTERM,
// then stops accepting calls, lets calls in flight finish, and closes the
// log cleanly. It hosts the read models (the status board, history, ...),
// starting from their last snapshot or, with --rebuild or when the
// snapshot is missing or from another version, from the whole log.
//
// It serves mutual TLS: callers present a certificate from the
// deployment's CA, which names their agency and role (docs/security.md).
// For tests and local use only, --insecure_identity_from_metadata serves
// plaintext on a loopback address and takes the agency and its role from
// call metadata. Either way, every call is checked against the table of
// role × RPC (services/authorization.h).
//
//   oversightd --listen=127.0.0.1:50051 --data_dir=./data
//       --tls_cert=certs/server.pem --tls_key=certs/server.key
//       --tls_client_ca=certs/ca.pem
// (one command line). With --backup_dir=DIR the operator takes online
// backups into DIR (oversight backup NAME); a backup is restored by
// serving it: oversightd --data_dir=DIR/NAME --verify_on_open.

#include <malloc.h>
#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <tuple>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "eventstore/rocks_event_store.h"
#include "services/server.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051",
          "host:port to serve gRPC on (port 0 picks a free port)");
ABSL_FLAG(std::string, data_dir, "./data",
          "directory of the event log (created if missing)");
ABSL_FLAG(bool, verify_on_open, true,
          "recompute the whole hash chain before serving; refuse to start "
          "if it does not verify");
ABSL_FLAG(std::string, tls_cert, "",
          "PEM file of the server's certificate (and chain); with --tls_key "
          "and --tls_client_ca, serve mutual TLS");
ABSL_FLAG(std::string, tls_key, "", "PEM file of the server's private key");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM file of the CA that signs the clients' certificates; a client "
          "without a certificate from it is refused");
ABSL_FLAG(std::string, tls_trust_domain, "",
          "accept client identities (spiffe://DOMAIN/agency/ID/role/ROLE) "
          "of this trust domain only; empty: any the CA signed");
ABSL_FLAG(bool, insecure_identity_from_metadata, false,
          "instead of TLS: serve plaintext and take the acting agency, its "
          "role and the person from the oversight-agency, oversight-role "
          "and oversight-actor call metadata, unverified; for tests and "
          "local use, allowed only when --listen is a loopback address");
ABSL_FLAG(bool, rebuild, false,
          "rebuild the read models from the whole log instead of starting "
          "from their snapshot");
ABSL_FLAG(uint64_t, snapshot_every, 100000,
          "events applied between snapshots of the read models (0: only at "
          "shutdown)");
ABSL_FLAG(std::string, backup_dir, "",
          "existing directory under which the operator's Admin.Backup "
          "(oversight backup NAME) writes online backups, one new "
          "directory NAME each; empty: no backups over gRPC "
          "(docs/operations.md)");
ABSL_FLAG(int, subscription_threads, 2,
          "threads that send to subscribers and serve reads, queries, "
          "verification and backups (1 to 256; docs/operations.md)");
ABSL_FLAG(int, command_threads, 2,
          "threads that decide commands, apart from the readers (1 to 256)");
ABSL_FLAG(int, shutdown_grace_seconds, 10,
          "on SIGINT/SIGTERM, how long calls in flight may take to finish");

namespace {

// One line per event worth an operator's attention, to stderr.
void Log(const std::string& line) {
  std::fprintf(
      stderr, "%s oversightd: %s\n",
      absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone())
          .c_str(),
      line.c_str());
  std::fflush(stderr);
}

// The whole of the file at `path`.
absl::StatusOr<std::string> ReadFile(const std::string& flag,
                                     const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in.is_open()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": cannot open \"", path, "\""));
  }
  std::stringstream content;
  content << in.rdbuf();
  if (in.bad()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": cannot read \"", path, "\""));
  }
  return content.str();
}

// The TLS options of the flags: none when no TLS flag is given (which only
// --insecure_identity_from_metadata allows), all three files otherwise.
absl::StatusOr<std::optional<oversight::services::TlsOptions>> TlsFromFlags() {
  const std::string cert = absl::GetFlag(FLAGS_tls_cert);
  const std::string key = absl::GetFlag(FLAGS_tls_key);
  const std::string ca = absl::GetFlag(FLAGS_tls_client_ca);
  const bool insecure = absl::GetFlag(FLAGS_insecure_identity_from_metadata);
  if (cert.empty() && key.empty() && ca.empty()) {
    if (insecure) return std::nullopt;
    return absl::InvalidArgumentError(
        "oversightd serves mutual TLS: give --tls_cert, --tls_key and "
        "--tls_client_ca (scripts/certs.sh makes development ones), or, "
        "for tests on a loopback address only, "
        "--insecure_identity_from_metadata");
  }
  if (insecure) {
    return absl::InvalidArgumentError(
        "--insecure_identity_from_metadata cannot be combined with TLS");
  }
  if (cert.empty() || key.empty() || ca.empty()) {
    return absl::InvalidArgumentError(
        "TLS needs all three of --tls_cert, --tls_key and --tls_client_ca");
  }
  oversight::services::TlsOptions tls;
  tls.trust_domain = absl::GetFlag(FLAGS_tls_trust_domain);
  for (auto [flag, path, out] :
       {std::make_tuple("tls_cert", cert, &tls.cert_chain_pem),
        std::make_tuple("tls_key", key, &tls.private_key_pem),
        std::make_tuple("tls_client_ca", ca, &tls.client_ca_pem)}) {
    absl::StatusOr<std::string> content = ReadFile(flag, path);
    if (!content.ok()) return content.status();
    *out = *std::move(content);
  }
  return tls;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Serves the Oversight event log over gRPC.\n"
      "  oversightd --listen=127.0.0.1:50051 --data_dir=./data");
  absl::ParseCommandLine(argc, argv);
  // Flags that need no files are checked before the store is opened.
  oversight::services::ServerOptions server_options;
  server_options.subscription_threads =
      absl::GetFlag(FLAGS_subscription_threads);
  server_options.command_threads = absl::GetFlag(FLAGS_command_threads);
  if (absl::Status s =
          oversight::services::CheckExecutorThreads(server_options);
      !s.ok()) {
    Log(absl::StrCat("cannot start: ", s.ToString()));
    return 1;
  }
  // Debian's Abseil is built with the mutex deadlock detector on; it is a
  // debugging aid that costs every lock acquisition a graph update.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  // Block the stop signals in every thread (threads inherit this mask);
  // the main thread takes them with sigwait below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  absl::StatusOr<std::optional<oversight::services::TlsOptions>> tls =
      TlsFromFlags();
  if (!tls.ok()) {
    Log(absl::StrCat("cannot start: ", tls.status().message()));
    return 1;
  }

  namespace es = oversight::eventstore;
  es::RocksEventStore::Options options;
  options.verify_on_open = absl::GetFlag(FLAGS_verify_on_open);
  const std::string data_dir = absl::GetFlag(FLAGS_data_dir);
  absl::StatusOr<std::unique_ptr<es::RocksEventStore>> store =
      es::RocksEventStore::Open(data_dir, options);
  if (!store.ok()) {
    Log(absl::StrCat("cannot open event log in ", data_dir, ": ",
                     store.status().ToString()));
    return 1;
  }

  server_options.listen = absl::GetFlag(FLAGS_listen);
  server_options.insecure_identity_from_metadata =
      absl::GetFlag(FLAGS_insecure_identity_from_metadata);
  server_options.tls = *std::move(tls);
  server_options.snapshots = store->get();
  server_options.projections.rebuild = absl::GetFlag(FLAGS_rebuild);
  server_options.projections.snapshot_every =
      absl::GetFlag(FLAGS_snapshot_every);
  if (const std::string backup_dir = absl::GetFlag(FLAGS_backup_dir);
      !backup_dir.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_directory(backup_dir, ec)) {
      Log(absl::StrCat("cannot start: --backup_dir ", backup_dir,
                       " is not an existing directory"));
      return 1;
    }
    server_options.backup_dir = std::filesystem::absolute(backup_dir).string();
    server_options.backup = [log = store->get()](const std::string& dir) {
      return log->Backup(dir);
    };
  }
  absl::StatusOr<std::unique_ptr<oversight::services::OversightServer>> server =
      oversight::services::OversightServer::Start(server_options, store->get());
  if (!server.ok()) {
    Log(absl::StrCat("cannot start: ", server.status().ToString()));
    return 1;
  }
  const oversight::services::ProjectionHost::StartInfo& info =
      (*server)->projections()->start_info();
  Log(absl::StrCat(
      "read models: ",
      info.from_snapshot
          ? absl::StrCat("from the snapshot at position ",
                         info.snapshot_position)
          : absl::StrCat("rebuilt from the log (", info.why_rebuilt, ")"),
      "; applied ", info.events_applied, " events in ",
      absl::FormatDuration(info.catch_up_time), "; at position ",
      (*server)->projections()->position()));
  // Opening verified the chain and the indexes and loaded the read
  // models: the memory those passes freed goes back to the system rather
  // than stay resident for the life of the server (glibc keeps freed
  // pages below the top of the heap otherwise).
  malloc_trim(0);
  const es::ChainHead head = (*store)->Head();
  Log(absl::StrCat(
      "listening on ", (*server)->address(), "; data dir ", data_dir,
      "; head position ", head.position, " hash ", es::HashToHex(head.hash),
      server_options.tls.has_value()
          ? "; mutual TLS, identity from client certificates"
          : "; plaintext, identity from call metadata (insecure, tests "
            "only)"));

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  Log(absl::StrCat("received ", signal_number == SIGINT ? "SIGINT" : "SIGTERM",
                   "; stopping"));
  (*server)->Shutdown(
      absl::Seconds(absl::GetFlag(FLAGS_shutdown_grace_seconds)));
  server->reset();
  (*store)->Close();
  Log(absl::StrCat("stopped; head position ", (*store)->Head().position));
  return 0;
}
