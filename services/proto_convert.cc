#include "services/proto_convert.h"

#include "absl/strings/str_cat.h"
#include "eventstore/errors.h"
#include "eventstore/limits.h"
#include "services/status_mapping.h"

namespace oversight::services {

namespace es = ::oversight::eventstore;

namespace {

// Every field but the four strings.
void SetFixedFields(const es::RecordedEvent& event, v1::RecordedEvent* out) {
  out->set_position(event.position);
  out->set_revision(event.revision);
  out->set_event_id(event.id.ToString());
  const int64_t micros = absl::ToUnixMicros(event.recorded_at);
  int64_t seconds = micros / 1000000;
  int64_t rem = micros % 1000000;
  if (rem < 0) {
    rem += 1000000;
    --seconds;
  }
  out->mutable_recorded_at()->set_seconds(seconds);
  out->mutable_recorded_at()->set_nanos(static_cast<int32_t>(rem * 1000));
  out->set_hash(event.hash.data(), event.hash.size());
}

}  // namespace

void ToProto(const es::RecordedEvent& event, v1::RecordedEvent* out) {
  SetFixedFields(event, out);
  out->set_stream(event.stream);
  out->set_type(event.type);
  out->set_data(event.data);
  out->set_metadata(event.metadata);
}

void ToProto(es::RecordedEvent&& event, v1::RecordedEvent* out) {
  SetFixedFields(event, out);
  out->set_stream(std::move(event.stream));
  out->set_type(std::move(event.type));
  out->set_data(std::move(event.data));
  out->set_metadata(std::move(event.metadata));
}

absl::StatusOr<std::vector<es::ProposedEvent>> FromProto(
    const google::protobuf::RepeatedPtrField<v1::ProposedEvent>& events) {
  std::vector<es::ProposedEvent> out;
  out.reserve(events.size());
  for (int i = 0; i < events.size(); ++i) {
    const v1::ProposedEvent& e = events[i];
    if (e.event_id().empty()) {
      return es::WithReason(absl::InvalidArgumentError(absl::StrCat(
                                "events[", i, "].event_id is missing")),
                            es::kReasonMissingEventId);
    }
    absl::StatusOr<es::EventId> id = es::EventId::Parse(e.event_id());
    if (!id.ok()) {
      return es::WithReason(absl::InvalidArgumentError(absl::StrCat(
                                "events[", i, "]: ", id.status().message())),
                            es::kReasonInvalidEventId);
    }
    es::ProposedEvent p;
    p.id = *id;
    p.type = e.type();
    p.data = e.data();
    p.metadata = e.metadata();
    out.push_back(std::move(p));
  }
  return out;
}

absl::StatusOr<es::ExpectedRevision> FromProto(v1::ExpectedRevisionKind kind,
                                               uint64_t revision) {
  switch (kind) {
    case v1::EXPECTED_REVISION_KIND_UNSPECIFIED:
    case v1::EXPECTED_REVISION_KIND_ANY:
      return es::ExpectedRevision::Any();
    case v1::EXPECTED_REVISION_KIND_NO_STREAM:
      return es::ExpectedRevision::NoStream();
    case v1::EXPECTED_REVISION_KIND_STREAM_EXISTS:
      return es::ExpectedRevision::StreamExists();
    case v1::EXPECTED_REVISION_KIND_EXACT:
      return es::ExpectedRevision::Exact(revision);
    default:
      return es::WithReason(
          absl::InvalidArgumentError(
              absl::StrCat("unknown expected_kind ", static_cast<int>(kind))),
          kReasonInvalidEnum);
  }
}

absl::StatusOr<es::Direction> FromProto(v1::ReadDirection direction) {
  switch (direction) {
    case v1::READ_DIRECTION_UNSPECIFIED:
    case v1::READ_DIRECTION_FORWARDS:
      return es::Direction::kForwards;
    case v1::READ_DIRECTION_BACKWARDS:
      return es::Direction::kBackwards;
    default:
      return es::WithReason(
          absl::InvalidArgumentError(
              absl::StrCat("unknown direction ", static_cast<int>(direction))),
          kReasonInvalidEnum);
  }
}

absl::StatusOr<size_t> MaxCount(uint32_t requested) {
  if (requested == 0) return es::kDefaultReadCount;
  if (requested > es::kMaxReadCount) {
    return es::WithReason(absl::InvalidArgumentError(absl::StrCat(
                              "max_count ", requested, " is over the limit of ",
                              es::kMaxReadCount)),
                          kReasonInvalidMaxCount);
  }
  return requested;
}

es::EventFilter FromProto(const v1::EventFilter& filter) {
  es::EventFilter out;
  out.stream_prefix = filter.stream_prefix();
  out.event_types.assign(filter.event_types().begin(),
                         filter.event_types().end());
  return out;
}

absl::StatusOr<ParsedAppend> ParseAppend(const v1::AppendRequest& request) {
  ParsedAppend parsed;
  absl::StatusOr<es::ExpectedRevision> expected =
      FromProto(request.expected_kind(), request.expected_revision());
  if (!expected.ok()) return expected.status();
  absl::StatusOr<std::vector<es::ProposedEvent>> events =
      FromProto(request.events());
  if (!events.ok()) return events.status();
  parsed.stream = request.stream();
  parsed.expected = *expected;
  parsed.events = *std::move(events);
  return parsed;
}

void ToProto(const es::AppendResult& result, v1::AppendResponse* out) {
  out->set_first_position(result.first_position);
  out->set_last_position(result.last_position);
  out->set_first_revision(result.first_revision);
  out->set_last_revision(result.last_revision);
  out->set_deduplicated(result.deduplicated);
}

}  // namespace oversight::services
