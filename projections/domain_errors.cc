#include "projections/domain_errors.h"

#include "eventstore/errors.h"

namespace oversight::projections {

using ::oversight::eventstore::WithReason;

absl::Status InvalidArgument(absl::string_view reason,
                             absl::string_view message) {
  return WithReason(absl::InvalidArgumentError(message), reason);
}
absl::Status PermissionDenied(absl::string_view reason,
                              absl::string_view message) {
  return WithReason(absl::PermissionDeniedError(message), reason);
}
absl::Status NotFound(absl::string_view reason, absl::string_view message) {
  return WithReason(absl::NotFoundError(message), reason);
}
absl::Status AlreadyExists(absl::string_view reason,
                           absl::string_view message) {
  return WithReason(absl::AlreadyExistsError(message), reason);
}
absl::Status FailedPrecondition(absl::string_view reason,
                                absl::string_view message) {
  return WithReason(absl::FailedPreconditionError(message), reason);
}

absl::Status Unimplemented(absl::string_view reason,
                           absl::string_view message) {
  return WithReason(absl::UnimplementedError(message), reason);
}

}  // namespace oversight::projections
