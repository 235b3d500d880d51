#include "projections/fold_event.h"

#include <cstring>
#include <initializer_list>

#include "absl/container/inlined_vector.h"

namespace oversight::projections {
namespace {

enum WireType : uint32_t {
  kVarint = 0,
  kFixed64 = 1,
  kLengthDelimited = 2,
  kFixed32 = 5,
};

// One field as read from the wire: a varint's value, or a length-delimited
// field's bytes. The setters take the field when its wire type is the one
// its declaration gives, and otherwise leave it, as protobuf does: it
// keeps such a field among the unknown ones and parses the rest. They
// return false only for malformed data.
struct Field {
  uint32_t wire_type = 0;
  uint64_t varint = 0;
  absl::string_view bytes;

  bool String(absl::string_view* out) const {
    if (wire_type == kLengthDelimited) *out = bytes;
    return true;
  }
  bool Int32(int32_t* out) const {
    if (wire_type == kVarint) *out = static_cast<int32_t>(varint);
    return true;
  }
  bool Int64(int64_t* out) const {
    if (wire_type == kVarint) *out = static_cast<int64_t>(varint);
    return true;
  }
  bool Bool(bool* out) const {
    if (wire_type == kVarint) *out = varint != 0;
    return true;
  }
  bool AddString(std::vector<absl::string_view>* out) const {
    if (wire_type == kLengthDelimited) out->push_back(bytes);
    return true;
  }
  // A repeated int32, packed (proto3's encoding) or not.
  bool AddInt32s(std::vector<int32_t>* out) const;
};

bool ReadVarint(const char** p, const char* end, uint64_t* out) {
  uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (*p == end) return false;
    const uint8_t byte = static_cast<uint8_t>(*(*p)++);
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *out = value;
      return true;
    }
  }
  return false;  // more than ten bytes
}

// Reads a field's tag as protobuf does: a varint of at most five bytes,
// keeping its low 32 bits (protobuf drops the rest of a fifth byte's
// bits rather than refuse the message).
bool ReadTag(const char** p, const char* end, uint32_t* out) {
  uint32_t value = 0;
  for (int shift = 0; shift <= 28; shift += 7) {
    if (*p == end) return false;
    const uint8_t byte = static_cast<uint8_t>(*(*p)++);
    value |= static_cast<uint32_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *out = value;
      return true;
    }
  }
  return false;  // more than five bytes
}

bool Field::AddInt32s(std::vector<int32_t>* out) const {
  if (wire_type == kVarint) {
    out->push_back(static_cast<int32_t>(varint));
    return true;
  }
  if (wire_type != kLengthDelimited) return true;  // unknown to protobuf
  const char* p = bytes.data();
  const char* end = p + bytes.size();
  while (p != end) {
    uint64_t v;
    if (!ReadVarint(&p, end, &v)) return false;
    out->push_back(static_cast<int32_t>(v));
  }
  return true;
}

enum : uint32_t { kStartGroup = 3, kEndGroup = 4 };

// Deeper than protobuf's default recursion limit is malformed.
constexpr int kMaxGroupDepth = 100;

// Reads one field's tag and value at `*p`. For a group (proto2's, which
// proto3 parsers skip as unknown) reads through its end. Sets `*end_group`
// to the number of an end-group tag instead of reading a field.
bool ReadField(const char** p, const char* end, int depth, uint32_t* number,
               Field* field, uint32_t* end_group) {
  uint32_t tag;
  if (!ReadTag(p, end, &tag)) return false;
  const uint32_t n = tag >> 3;
  if (n == 0) return false;
  *number = n;
  *end_group = 0;
  field->wire_type = tag & 7;
  field->varint = 0;
  field->bytes = {};
  switch (field->wire_type) {
    case kVarint:
      return ReadVarint(p, end, &field->varint);
    case kFixed64:
      if (end - *p < 8) return false;
      *p += 8;
      return true;
    case kFixed32:
      if (end - *p < 4) return false;
      *p += 4;
      return true;
    case kLengthDelimited: {
      uint64_t size;
      if (!ReadVarint(p, end, &size)) return false;
      if (size > static_cast<uint64_t>(end - *p)) return false;
      field->bytes = absl::string_view(*p, size);
      *p += size;
      return true;
    }
    case kStartGroup: {
      if (depth >= kMaxGroupDepth) return false;
      while (true) {
        uint32_t inner_number, inner_end;
        Field inner;
        if (!ReadField(p, end, depth + 1, &inner_number, &inner, &inner_end)) {
          return false;
        }
        if (inner_end != 0) return inner_end == *number;
      }
    }
    case kEndGroup:
      *end_group = *number;
      return true;
    default:  // 6 and 7 are no wire type
      return false;
  }
}

// Calls `visit(number, field)` for each field of the message in `bytes`, in
// order; stops with false at malformed data or when `visit` returns false.
// Groups are skipped whole.
template <typename Visit>
bool ForEachField(absl::string_view bytes, Visit&& visit) {
  const char* p = bytes.data();
  const char* end = p + bytes.size();
  while (p != end) {
    uint32_t number, end_group;
    Field field;
    if (!ReadField(&p, end, 0, &number, &field, &end_group)) return false;
    if (end_group != 0) return false;  // an end without a start
    if (field.wire_type == kStartGroup) continue;
    if (!visit(number, field)) return false;
  }
  return true;
}

// The envelope's messages. Each returns false only for malformed data.
bool DecodeTimestamp(absl::string_view bytes, FoldEvent* e) {
  using M = google::protobuf::Timestamp;
  return ForEachField(bytes, [e](uint32_t n, const Field& f) {
    switch (n) {
      case M::kSecondsFieldNumber:
        return f.Int64(&e->occurred_seconds);
      case M::kNanosFieldNumber:
        return f.Int32(&e->occurred_nanos);
    }
    return true;
  });
}

bool DecodeActor(absl::string_view bytes, FoldEvent* e) {
  using M = v1::Actor;
  return ForEachField(bytes, [e](uint32_t n, const Field& f) {
    switch (n) {
      case M::kAgencyIdFieldNumber:
        return f.String(&e->actor_agency_id);
      case M::kPersonFieldNumber:
        return f.String(&e->actor_person);
    }
    return true;
  });
}

// A field of a payload that the fold takes, and the member it goes to.
struct Take {
  enum Kind { kString, kStrings, kInt32, kInt32s, kBool, kThemeIds };
  uint32_t number;
  Kind kind;
  absl::string_view FoldEvent::*string = nullptr;
  std::vector<absl::string_view> FoldEvent::*strings = nullptr;
  int32_t FoldEvent::*int32 = nullptr;
  std::vector<int32_t> FoldEvent::*int32s = nullptr;
  bool FoldEvent::*boolean = nullptr;
};

Take String(uint32_t n, absl::string_view FoldEvent::*m) {
  return {n, Take::kString, m};
}
Take Strings(uint32_t n, std::vector<absl::string_view> FoldEvent::*m) {
  return {n, Take::kStrings, nullptr, m};
}
Take Int32(uint32_t n, int32_t FoldEvent::*m) {
  return {n, Take::kInt32, nullptr, nullptr, m};
}
Take Int32s(uint32_t n, std::vector<int32_t> FoldEvent::*m) {
  return {n, Take::kInt32s, nullptr, nullptr, nullptr, m};
}
Take Bool(uint32_t n, bool FoldEvent::*m) {
  return {n, Take::kBool, nullptr, nullptr, nullptr, nullptr, m};
}
// The ids of repeated Theme messages, into theme_ids.
Take ThemeIds(uint32_t n) { return {n, Take::kThemeIds}; }

bool DecodeThemeId(absl::string_view bytes, FoldEvent* e) {
  absl::string_view id;
  if (!ForEachField(bytes, [&id](uint32_t n, const Field& f) {
        return n != v1::Theme::kIdFieldNumber || f.String(&id);
      })) {
    return false;
  }
  e->theme_ids.push_back(id);
  return true;
}

bool Apply(const Take& t, const Field& f, FoldEvent* e) {
  switch (t.kind) {
    case Take::kString:
      return f.String(&(e->*t.string));
    case Take::kStrings:
      return f.AddString(&(e->*t.strings));
    case Take::kInt32:
      return f.Int32(&(e->*t.int32));
    case Take::kInt32s:
      return f.AddInt32s(&(e->*t.int32s));
    case Take::kBool:
      return f.Bool(&(e->*t.boolean));
    case Take::kThemeIds:
      return f.wire_type != kLengthDelimited || DecodeThemeId(f.bytes, e);
  }
  return true;
}

// Decodes a payload's message in `bytes`, taking the fields `takes` names
// and skipping the others.
bool DecodeWith(absl::string_view bytes, std::initializer_list<Take> takes,
                FoldEvent* e) {
  return ForEachField(bytes, [&](uint32_t n, const Field& f) {
    for (const Take& t : takes) {
      if (t.number == n) return Apply(t, f, e);
    }
    return true;
  });
}

// The fields the fold takes from each payload. Every payload about a
// review names it; most name a recommendation by its number.
bool DecodePayload(v1::DomainEvent::PayloadCase payload_case,
                   absl::string_view bytes, FoldEvent* e) {
  using D = v1::DomainEvent;
  using E = FoldEvent;
  switch (payload_case) {
    case D::kAgencyRegistered: {
      using M = v1::AgencyRegistered;
      return DecodeWith(bytes,
                        {String(M::kAgencyIdFieldNumber, &E::agency_id),
                         Strings(M::kNameFieldNumber, &E::text),
                         Int32(M::kKindFieldNumber, &E::kind)},
                        e);
    }
    case D::kReviewOpened: {
      using M = v1::ReviewOpened;
      return DecodeWith(
          bytes,
          {String(M::kReviewIdFieldNumber, &E::review_id),
           Strings(M::kTitleFieldNumber, &E::text),
           String(M::kCommissioningAgencyIdFieldNumber, &E::owning_agency_id),
           ThemeIds(M::kThemesFieldNumber)},
          e);
    }
    case D::kRecommendationIssued: {
      using M = v1::RecommendationIssued;
      return DecodeWith(
          bytes,
          {String(M::kReviewIdFieldNumber, &E::review_id),
           Int32(M::kNumberFieldNumber, &E::number),
           String(M::kThemeIdFieldNumber, &E::theme_id),
           Strings(M::kTextFieldNumber, &E::text),
           Bool(M::kTextNotInSourceFieldNumber, &E::text_not_in_source),
           String(M::kOwningAgencyIdFieldNumber, &E::owning_agency_id),
           Strings(M::kContributingAgencyIdsFieldNumber, &E::agency_ids)},
          e);
    }
    case D::kReportingPeriodOpened: {
      using M = v1::ReportingPeriodOpened;
      return DecodeWith(bytes,
                        {String(M::kReviewIdFieldNumber, &E::review_id),
                         String(M::kPeriodFieldNumber, &E::period),
                         String(M::kSubmissionsDueOnFieldNumber, &E::date)},
                        e);
    }
    case D::kReportingPeriodClosed: {
      using M = v1::ReportingPeriodClosed;
      return DecodeWith(bytes,
                        {String(M::kReviewIdFieldNumber, &E::review_id),
                         String(M::kPeriodFieldNumber, &E::period)},
                        e);
    }
    case D::kProgressUpdateSubmitted: {
      using M = v1::ProgressUpdateSubmitted;
      return DecodeWith(bytes,
                        {String(M::kReviewIdFieldNumber, &E::review_id),
                         Int32(M::kNumberFieldNumber, &E::number),
                         String(M::kUpdateIdFieldNumber, &E::update_id),
                         String(M::kPeriodFieldNumber, &E::period)},
                        e);
    }
    case D::kProgressUpdateCorrected: {
      using M = v1::ProgressUpdateCorrected;
      return DecodeWith(bytes,
                        {String(M::kReviewIdFieldNumber, &E::review_id),
                         Int32(M::kNumberFieldNumber, &E::number),
                         String(M::kUpdateIdFieldNumber, &E::update_id)},
                        e);
    }
    case D::kProgressUpdateWithdrawn: {
      using M = v1::ProgressUpdateWithdrawn;
      return DecodeWith(bytes,
                        {String(M::kReviewIdFieldNumber, &E::review_id),
                         Int32(M::kNumberFieldNumber, &E::number),
                         String(M::kUpdateIdFieldNumber, &E::update_id)},
                        e);
    }
    case D::kRatingAssigned: {
      using M = v1::RatingAssigned;
      return DecodeWith(bytes,
                        {String(M::kReviewIdFieldNumber, &E::review_id),
                         Int32(M::kNumberFieldNumber, &E::number),
                         String(M::kPeriodFieldNumber, &E::period),
                         Int32(M::kRatingFieldNumber, &E::kind)},
                        e);
    }
    case D::kMonitoringActivityRecorded: {
      using M = v1::MonitoringActivityRecorded;
      return DecodeWith(bytes,
                        {String(M::kReviewIdFieldNumber, &E::review_id),
                         Int32(M::kNumberFieldNumber, &E::number),
                         String(M::kActivityIdFieldNumber, &E::activity_id),
                         String(M::kPeriodFieldNumber, &E::period),
                         Strings(M::kDescriptionFieldNumber, &E::text),
                         String(M::kDueOnFieldNumber, &E::date)},
                        e);
    }
    case D::kMonitoringActivityCompleted: {
      using M = v1::MonitoringActivityCompleted;
      return DecodeWith(bytes,
                        {String(M::kReviewIdFieldNumber, &E::review_id),
                         Int32(M::kNumberFieldNumber, &E::number),
                         String(M::kActivityIdFieldNumber, &E::activity_id)},
                        e);
    }
    case D::kMeetingObserved: {
      using M = v1::MeetingObserved;
      return DecodeWith(
          bytes,
          {String(M::kReviewIdFieldNumber, &E::review_id),
           Strings(M::kAttendingAgencyIdsFieldNumber, &E::agency_ids),
           Int32s(M::kRelatedRecommendationsFieldNumber,
                  &E::related_recommendations)},
          e);
    }
    case D::kRiskRaised: {
      using M = v1::RiskRaised;
      return DecodeWith(bytes,
                        {String(M::kReviewIdFieldNumber, &E::review_id),
                         String(M::kRiskIdFieldNumber, &E::risk_id),
                         Int32(M::kCategoryFieldNumber, &E::kind),
                         Strings(M::kDescriptionFieldNumber, &E::text),
                         Int32s(M::kRelatedRecommendationsFieldNumber,
                                &E::related_recommendations)},
                        e);
    }
    case D::kRiskResolved: {
      using M = v1::RiskResolved;
      return DecodeWith(bytes,
                        {String(M::kReviewIdFieldNumber, &E::review_id),
                         String(M::kRiskIdFieldNumber, &E::risk_id)},
                        e);
    }
    case D::kProgrammeRegistered: {
      using M = v1::ProgrammeRegistered;
      return DecodeWith(
          bytes,
          {String(M::kProgrammeIdFieldNumber, &E::programme_id),
           Strings(M::kNameFieldNumber, &E::text),
           String(M::kOwningAgencyIdFieldNumber, &E::owning_agency_id),
           String(M::kReviewIdFieldNumber, &E::review_id),
           Int32s(M::kRelatedRecommendationsFieldNumber,
                  &E::related_recommendations),
           String(M::kStartedOnFieldNumber, &E::date)},
          e);
    }
    case D::kPartnerReportSubmitted: {
      using M = v1::PartnerReportSubmitted;
      return DecodeWith(bytes,
                        {String(M::kProgrammeIdFieldNumber, &E::programme_id),
                         String(M::kReportIdFieldNumber, &E::report_id),
                         String(M::kQuarterFieldNumber, &E::period),
                         Strings(M::kFiguresFieldNumber, &E::figures),
                         Strings(M::kNarrativeFieldNumber, &E::narrative)},
                        e);
    }
    case D::kCrossReferenceRecorded: {
      using M = v1::CrossReferenceRecorded;
      return DecodeWith(bytes,
                        {String(M::kReviewIdFieldNumber, &E::review_id),
                         Int32(M::kNumberFieldNumber, &E::number),
                         Int32(M::kRelatedRecommendationFieldNumber,
                               &E::related_recommendation)},
                        e);
    }
    case D::kRecommendationClosed: {
      using M = v1::RecommendationClosed;
      return DecodeWith(bytes,
                        {String(M::kReviewIdFieldNumber, &E::review_id),
                         Int32(M::kNumberFieldNumber, &E::number)},
                        e);
    }
    case D::kRecommendationReopened: {
      using M = v1::RecommendationReopened;
      return DecodeWith(bytes,
                        {String(M::kReviewIdFieldNumber, &E::review_id),
                         Int32(M::kNumberFieldNumber, &E::number)},
                        e);
    }
    case D::kConclusionRecorded:
      return DecodeWith(
          bytes,
          {String(v1::ConclusionRecorded::kReviewIdFieldNumber, &E::review_id)},
          e);
    case D::kReportPublished:
      return DecodeWith(
          bytes,
          {String(v1::ReportPublished::kReviewIdFieldNumber, &E::review_id)},
          e);
    case D::kAccessRecorded:  // no read model holds the access log
    case D::PAYLOAD_NOT_SET:
      return true;
  }
  return true;
}

// Whether `number` is a field of DomainEvent's payload, this code's
// version of it (a test checks the list against the oneof's descriptor).
bool IsPayloadField(uint32_t number) {
  using D = v1::DomainEvent;
  switch (number) {
    case D::kAgencyRegisteredFieldNumber:
    case D::kReviewOpenedFieldNumber:
    case D::kRecommendationIssuedFieldNumber:
    case D::kReportingPeriodOpenedFieldNumber:
    case D::kReportingPeriodClosedFieldNumber:
    case D::kProgressUpdateSubmittedFieldNumber:
    case D::kProgressUpdateCorrectedFieldNumber:
    case D::kProgressUpdateWithdrawnFieldNumber:
    case D::kRatingAssignedFieldNumber:
    case D::kMonitoringActivityRecordedFieldNumber:
    case D::kMonitoringActivityCompletedFieldNumber:
    case D::kMeetingObservedFieldNumber:
    case D::kRiskRaisedFieldNumber:
    case D::kRiskResolvedFieldNumber:
    case D::kProgrammeRegisteredFieldNumber:
    case D::kPartnerReportSubmittedFieldNumber:
    case D::kCrossReferenceRecordedFieldNumber:
    case D::kRecommendationClosedFieldNumber:
    case D::kRecommendationReopenedFieldNumber:
    case D::kConclusionRecordedFieldNumber:
    case D::kReportPublishedFieldNumber:
    case D::kAccessRecordedFieldNumber:
      return true;
    default:
      return false;
  }
}

}  // namespace

void FoldEvent::Clear() {
  payload_case = v1::DomainEvent::PAYLOAD_NOT_SET;
  occurred_seconds = 0;
  occurred_nanos = 0;
  classification = 0;
  actor_agency_id = {};
  actor_person = {};
  review_id = {};
  number = 0;
  agency_id = {};
  update_id = {};
  activity_id = {};
  risk_id = {};
  programme_id = {};
  report_id = {};
  period = {};
  date = {};
  theme_id = {};
  owning_agency_id = {};
  text.clear();
  kind = 0;
  text_not_in_source = false;
  related_recommendation = 0;
  agency_ids.clear();
  theme_ids.clear();
  related_recommendations.clear();
  figures.clear();
  narrative.clear();
}

bool DecodeFoldEvent(absl::string_view bytes, FoldEvent* out) {
  using D = v1::DomainEvent;
  out->Clear();
  // As protobuf parses a oneof: a payload field replaces another payload,
  // and the same payload field seen again is merged into it (its scalars
  // overwritten, its lists appended), so each occurrence is decoded in
  // turn.
  absl::InlinedVector<absl::string_view, 1> payload;
  uint32_t payload_number = 0;
  const bool ok = ForEachField(bytes, [&](uint32_t n, const Field& f) {
    switch (n) {
      case D::kOccurredAtFieldNumber:
        return f.wire_type != kLengthDelimited || DecodeTimestamp(f.bytes, out);
      case D::kClassificationFieldNumber:
        return f.Int32(&out->classification);
      case D::kActorFieldNumber:
        return f.wire_type != kLengthDelimited || DecodeActor(f.bytes, out);
    }
    if (IsPayloadField(n) && f.wire_type == kLengthDelimited) {
      if (n != payload_number) payload.clear();
      payload_number = n;
      payload.push_back(f.bytes);
    }
    return true;
  });
  if (!ok) return false;
  if (payload_number == 0) return true;
  // The oneof's case values are its field numbers.
  out->payload_case = static_cast<D::PayloadCase>(payload_number);
  for (absl::string_view p : payload) {
    if (!DecodePayload(out->payload_case, p, out)) return false;
  }
  return true;
}

}  // namespace oversight::projections
