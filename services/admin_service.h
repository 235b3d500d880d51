// AdminService: oversight.v1.Admin, the operator's calls on the server's
// machine (proto/oversight/v1/admin.proto). Today: Backup, an online
// backup of the store into a directory under the one the operator
// configured (oversightd --backup_dir), named by the caller with one
// plain path component, so a remote caller can write nowhere else.
//
// Every handler first asks the gate (call_gate.h); the table allows the
// operator only. The backup itself runs on an Executor, not a gRPC thread.
//
// Example:
//   AdminService::Options admin;
//   admin.backup_dir = "/var/backups/oversight";
//   admin.backup = [store](const std::string& dir) {
//     return store->Backup(dir);
//   };
//   AdminService service(admin, executor, gate);

#ifndef OVERSIGHT_SERVICES_ADMIN_SERVICE_H_
#define OVERSIGHT_SERVICES_ADMIN_SERVICE_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "eventstore/backup.h"
#include "grpcpp/support/byte_buffer.h"
#include "oversight/v1/admin.grpc.pb.h"
#include "services/call_gate.h"
#include "services/executor.h"

namespace oversight::services {

// FAILED_PRECONDITION: the server was started without --backup_dir.
inline constexpr char kReasonBackupNotConfigured[] = "BACKUP_NOT_CONFIGURED";
// INVALID_ARGUMENT: a backup name that is not one plain path component.
inline constexpr char kReasonInvalidBackupName[] = "INVALID_BACKUP_NAME";

// OK when `name` is 1 to 128 of `A-Z a-z 0-9 . _ -` and does not start
// with '.' (so never "", ".", ".." or a hidden name, and never a path);
// INVALID_ARGUMENT (INVALID_BACKUP_NAME) otherwise.
[[nodiscard]] absl::Status ValidateBackupName(absl::string_view name);

// The Admin service with every method taking raw bytes (raw_calls.h).
using RawAdminService =
    v1::Admin::WithRawCallbackMethod_Backup<v1::Admin::Service>;

class AdminService final : public RawAdminService {
 public:
  using BackupFunction = std::function<absl::StatusOr<eventstore::BackupInfo>(
      const std::string& dir)>;

  struct Options {
    // The directory backups go under; empty: Backup is refused
    // FAILED_PRECONDITION (BACKUP_NOT_CONFIGURED).
    std::string backup_dir;
    // Takes a backup into a new directory (RocksEventStore::Backup); when
    // empty, Backup is refused as without a backup_dir.
    BackupFunction backup;
  };

  // `executor` and `gate` must outlive the service and every call on it.
  AdminService(Options options, Executor* executor, const CallGate* gate)
      : options_(std::move(options)), executor_(executor), gate_(gate) {}

  grpc::ServerUnaryReactor* Backup(grpc::CallbackServerContext* context,
                                   const grpc::ByteBuffer* raw_request,
                                   grpc::ByteBuffer* raw_response) override;

 private:
  const Options options_;
  Executor* const executor_;
  const CallGate* const gate_;
};

}  // namespace oversight::services

#endif  // OVERSIGHT_SERVICES_ADMIN_SERVICE_H_
