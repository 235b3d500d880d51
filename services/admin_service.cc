#include "services/admin_service.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "eventstore/errors.h"
#include "services/authorization.h"
#include "services/raw_calls.h"
#include "services/status_mapping.h"

namespace oversight::services {

namespace {
constexpr size_t kMaxBackupNameBytes = 128;
}  // namespace

absl::Status ValidateBackupName(absl::string_view name) {
  bool ok = !name.empty() && name.size() <= kMaxBackupNameBytes &&
            name.front() != '.';
  for (char c : name) {
    if (!ok) break;
    ok = absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' ||
         c == '_' || c == '-';
  }
  if (ok) return absl::OkStatus();
  return eventstore::WithReason(
      absl::InvalidArgumentError(absl::StrCat(
          "backup name \"", absl::CHexEscape(name),
          "\" must be one plain directory name: 1 to ", kMaxBackupNameBytes,
          " of A-Z a-z 0-9 . _ -, not starting with '.'")),
      kReasonInvalidBackupName);
}

grpc::ServerUnaryReactor* AdminService::Backup(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request,
    grpc::ByteBuffer* raw_response) {
  auto* call = new RawUnaryCall<v1::BackupRequest, v1::BackupResponse>(
      context, raw_response);
  if (absl::Status s =
          gate_->Admit(*context, RpcName<v1::Admin, v1::BackupRequest>())
              .status();
      !s.ok()) {
    return call->Answer(s);
  }
  if (!call->Parse(*raw_request)) return call;
  const v1::BackupRequest* request = call->request();
  if (options_.backup_dir.empty() || !options_.backup) {
    return call->Answer(eventstore::WithReason(
        absl::FailedPreconditionError(
            "this server takes no backups: start oversightd with "
            "--backup_dir=DIR"),
        kReasonBackupNotConfigured));
  }
  if (absl::Status s = ValidateBackupName(request->name()); !s.ok()) {
    return call->Answer(s);
  }
  std::string dir = options_.backup_dir;
  if (dir.back() != '/') dir.push_back('/');
  dir += request->name();
  executor_->Schedule([this, dir = std::move(dir), call] {
    absl::StatusOr<eventstore::BackupInfo> info = options_.backup(dir);
    if (!info.ok()) {
      call->Answer(info.status());
      return;
    }
    v1::BackupResponse* response = call->response();
    response->set_directory(info->dir);
    response->set_position(info->head.position);
    response->set_hash(info->head.hash.data(), info->head.hash.size());
    const int64_t micros = absl::ToUnixMicros(info->head.recorded_at);
    response->mutable_recorded_at()->set_seconds(micros / 1000000);
    response->mutable_recorded_at()->set_nanos(
        static_cast<int32_t>(micros % 1000000 * 1000));
    call->Answer(absl::OkStatus());
  });
  return call;
}

}  // namespace oversight::services
