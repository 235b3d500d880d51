// The one place where absl::Status becomes grpc::Status.
//
// The canonical code is kept (absl and gRPC share the numbering). The
// stable reason attached inside (eventstore/errors.h) travels in the
// trailing metadata key `oversight-reason`; when the status carries the
// stream's current revision (ABORTED appends), it travels in
// `oversight-current-revision` (a decimal number, or "none").

#ifndef OVERSIGHT_SERVICES_STATUS_MAPPING_H_
#define OVERSIGHT_SERVICES_STATUS_MAPPING_H_

#include "absl/status/status.h"
#include "grpcpp/grpcpp.h"
#include "oversight/v1/eventstore.pb.h"

namespace oversight::services {

inline constexpr char kReasonKey[] = "oversight-reason";
inline constexpr char kCurrentRevisionKey[] = "oversight-current-revision";
// DATA_LOSS from VerifyChain: the first position that fails.
inline constexpr char kFirstBadPositionKey[] = "oversight-first-bad-position";

// Reasons raised at the gRPC edge (request fields the log never sees).
inline constexpr char kReasonInvalidEnum[] = "INVALID_ENUM_VALUE";
inline constexpr char kReasonInvalidMaxCount[] = "INVALID_MAX_COUNT";

// Converts `status`, adding its reason and current revision (if any) to
// `context`'s trailing metadata. Call before finishing the RPC.
grpc::Status ToGrpcStatus(const absl::Status& status,
                          grpc::ServerContextBase* context);

// The same information for one failed append on an AppendStream, where it
// travels in the response message instead of the call's status.
void ToAppendError(const absl::Status& status, v1::AppendError* out);

}  // namespace oversight::services

#endif  // OVERSIGHT_SERVICES_STATUS_MAPPING_H_
