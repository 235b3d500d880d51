// Conversions between the log's value types and oversight.v1 messages.

#ifndef OVERSIGHT_SERVICES_PROTO_CONVERT_H_
#define OVERSIGHT_SERVICES_PROTO_CONVERT_H_

#include <vector>

#include "absl/status/statusor.h"
#include "eventstore/types.h"
#include "oversight/v1/eventstore.pb.h"

namespace oversight::services {

void ToProto(const eventstore::RecordedEvent& event, v1::RecordedEvent* out);
// The same, moving the strings out of `event` instead of copying them.
void ToProto(eventstore::RecordedEvent&& event, v1::RecordedEvent* out);

// Parses the events of an append request. InvalidArgument with
// MISSING_EVENT_ID or INVALID_EVENT_ID for a bad event id.
[[nodiscard]] absl::StatusOr<std::vector<eventstore::ProposedEvent>> FromProto(
    const google::protobuf::RepeatedPtrField<v1::ProposedEvent>& events);

[[nodiscard]] absl::StatusOr<eventstore::ExpectedRevision> FromProto(
    v1::ExpectedRevisionKind kind, uint64_t revision);

[[nodiscard]] absl::StatusOr<eventstore::Direction> FromProto(
    v1::ReadDirection direction);

// Page size: 0 -> default, 1..kMaxReadCount kept, larger -> InvalidArgument.
[[nodiscard]] absl::StatusOr<size_t> MaxCount(uint32_t requested);

eventstore::EventFilter FromProto(const v1::EventFilter& filter);

// An append request checked at the edge and ready for EventLog.
struct ParsedAppend {
  std::string stream;
  eventstore::ExpectedRevision expected = eventstore::ExpectedRevision::Any();
  std::vector<eventstore::ProposedEvent> events;
};
[[nodiscard]] absl::StatusOr<ParsedAppend> ParseAppend(
    const v1::AppendRequest& request);

void ToProto(const eventstore::AppendResult& result, v1::AppendResponse* out);

}  // namespace oversight::services

#endif  // OVERSIGHT_SERVICES_PROTO_CONVERT_H_
