// What the raw log API (EventStore.Append and AppendStream) may write.
//
// The domain's streams (projections/aggregates.h) are written only by the
// command handlers, which check the rules; a raw append to one would skip
// them; the access log (access_log.h) is written only by the server, as it
// answers. Version-8 UUIDs are the event ids the handlers derive from an
// agency and a request id; a raw append using one could take a command's
// id before the command is sent. Both are refused.

#ifndef OVERSIGHT_SERVICES_RAW_APPEND_POLICY_H_
#define OVERSIGHT_SERVICES_RAW_APPEND_POLICY_H_

#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "eventstore/types.h"
#include "oversight/v1/eventstore.pb.h"
#include "services/proto_convert.h"

namespace oversight::services {

inline constexpr char kReasonDomainStream[] = "DOMAIN_STREAM";
inline constexpr char kReasonReservedEventId[] = "RESERVED_EVENT_ID";

// PERMISSION_DENIED (DOMAIN_STREAM) for a domain stream or the access log;
// INVALID_ARGUMENT
// (RESERVED_EVENT_ID) for a version-8 event id; OK otherwise.
absl::Status CheckRawAppend(
    absl::string_view stream,
    const std::vector<eventstore::ProposedEvent>& events);

// ParseAppend (proto_convert.h), then CheckRawAppend: what both raw append
// RPCs accept.
absl::StatusOr<ParsedAppend> ParseRawAppend(const v1::AppendRequest& request);

// Whether `id` is a version-8 UUID, the form of command event ids.
bool IsCommandEventId(const eventstore::EventId& id);

}  // namespace oversight::services

#endif  // OVERSIGHT_SERVICES_RAW_APPEND_POLICY_H_
