#include "services/status_mapping.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "eventstore/errors.h"

namespace oversight::services {
namespace {

// A reason for statuses that carry none: the code's own name.
std::string DefaultReason(absl::StatusCode code) {
  return absl::StatusCodeToString(code);
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status,
                          grpc::ServerContextBase* context) {
  if (status.ok()) return grpc::Status::OK;
  std::optional<std::string> reason = eventstore::ReasonOf(status);
  std::string reason_text = reason ? *reason : DefaultReason(status.code());
  // StatusCodeToString gives e.g. "INVALID_ARGUMENT" already.
  context->AddTrailingMetadata(kReasonKey, reason_text);
  if (auto current = eventstore::CurrentRevisionOf(status)) {
    context->AddTrailingMetadata(
        kCurrentRevisionKey,
        current->has_value() ? absl::StrCat(**current) : std::string("none"));
  }
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()));
}

void ToAppendError(const absl::Status& status, v1::AppendError* out) {
  out->set_code(static_cast<int32_t>(status.code()));
  out->set_message(std::string(status.message()));
  std::optional<std::string> reason = eventstore::ReasonOf(status);
  out->set_reason(reason ? *reason : DefaultReason(status.code()));
  if (auto current = eventstore::CurrentRevisionOf(status)) {
    out->set_current_revision(current->has_value() ? absl::StrCat(**current)
                                                   : std::string("none"));
  }
}

}  // namespace oversight::services
