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

}  // namespace oversight::services
