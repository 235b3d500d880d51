#include "services/raw_append_policy.h"

#include "absl/strings/str_cat.h"
#include "eventstore/errors.h"
#include "projections/aggregates.h"
#include "services/access_log.h"

namespace oversight::services {

bool IsCommandEventId(const eventstore::EventId& id) {
  return (static_cast<uint8_t>(id.bytes()[6]) >> 4) == 8;
}

absl::Status CheckRawAppend(
    absl::string_view stream,
    const std::vector<eventstore::ProposedEvent>& events) {
  if (projections::IsDomainStream(stream)) {
    return eventstore::WithReason(
        absl::PermissionDeniedError(absl::StrCat(
            "stream \"", stream,
            "\" belongs to the domain and is written only through the "
            "Commands service")),
        kReasonDomainStream);
  }
  if (stream == kAccessLogStream) {
    return eventstore::WithReason(
        absl::PermissionDeniedError(absl::StrCat(
            "stream \"", stream,
            "\" is the access log, written only by the server as it answers")),
        kReasonDomainStream);
  }
  for (const eventstore::ProposedEvent& e : events) {
    if (IsCommandEventId(e.id)) {
      return eventstore::WithReason(
          absl::InvalidArgumentError(absl::StrCat(
              "event id ", e.id.ToString(),
              " is a version-8 UUID, reserved for the ids of commands")),
          kReasonReservedEventId);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<ParsedAppend> ParseRawAppend(const v1::AppendRequest& request) {
  absl::StatusOr<ParsedAppend> parsed = ParseAppend(request);
  if (!parsed.ok()) return parsed;
  if (absl::Status s = CheckRawAppend(parsed->stream, parsed->events);
      !s.ok()) {
    return s;
  }
  return parsed;
}

}  // namespace oversight::services
