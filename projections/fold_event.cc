#include "projections/fold_event.h"

#include <cstring>

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
  uint64_t tag;
  if (!ReadVarint(p, end, &tag)) return false;
  const uint64_t n = tag >> 3;
  if (n == 0 || n > (uint64_t{1} << 29) - 1) return false;
  *number = static_cast<uint32_t>(n);
  *end_group = 0;
  field->wire_type = static_cast<uint32_t>(tag & 7);
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

// The payload's fields, by its message type. Each returns false for a
// field the fold uses that has the wrong wire type.
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

// The fields every payload about a recommendation has: its review and
// number. `more` takes the payload's own.
template <typename M, typename More>
bool DecodeAboutRecommendation(absl::string_view bytes, FoldEvent* e,
                               More&& more) {
  return ForEachField(bytes, [e, &more](uint32_t n, const Field& f) {
    switch (n) {
      case M::kReviewIdFieldNumber:
        return f.String(&e->review_id);
      case M::kNumberFieldNumber:
        return f.Int32(&e->number);
    }
    return more(n, f);
  });
}

// A payload of which the fold uses only the review.
template <typename M>
bool DecodeAboutReview(absl::string_view bytes, FoldEvent* e) {
  return ForEachField(bytes, [e](uint32_t n, const Field& f) {
    return n != M::kReviewIdFieldNumber || f.String(&e->review_id);
  });
}

bool DecodePayload(v1::DomainEvent::PayloadCase payload_case,
                   absl::string_view bytes, FoldEvent* e) {
  using D = v1::DomainEvent;
  auto none = [](uint32_t, const Field&) { return true; };
  switch (payload_case) {
    case D::kAgencyRegistered: {
      using M = v1::AgencyRegistered;
      return ForEachField(bytes, [e](uint32_t n, const Field& f) {
        switch (n) {
          case M::kAgencyIdFieldNumber:
            return f.String(&e->agency_id);
          case M::kNameFieldNumber:
            return f.AddString(&e->text);
          case M::kKindFieldNumber:
            return f.Int32(&e->kind);
        }
        return true;
      });
    }
    case D::kReviewOpened: {
      using M = v1::ReviewOpened;
      return ForEachField(bytes, [e](uint32_t n, const Field& f) {
        switch (n) {
          case M::kReviewIdFieldNumber:
            return f.String(&e->review_id);
          case M::kTitleFieldNumber:
            return f.AddString(&e->text);
          case M::kCommissioningAgencyIdFieldNumber:
            return f.String(&e->owning_agency_id);
          case M::kThemesFieldNumber:
            return f.wire_type != kLengthDelimited || DecodeThemeId(f.bytes, e);
        }
        return true;
      });
    }
    case D::kRecommendationIssued: {
      using M = v1::RecommendationIssued;
      return DecodeAboutRecommendation<M>(
          bytes, e, [e](uint32_t n, const Field& f) {
            switch (n) {
              case M::kThemeIdFieldNumber:
                return f.String(&e->theme_id);
              case M::kTextFieldNumber:
                return f.AddString(&e->text);
              case M::kTextNotInSourceFieldNumber:
                return f.Bool(&e->text_not_in_source);
              case M::kOwningAgencyIdFieldNumber:
                return f.String(&e->owning_agency_id);
              case M::kContributingAgencyIdsFieldNumber:
                return f.AddString(&e->agency_ids);
            }
            return true;
          });
    }
    case D::kReportingPeriodOpened: {
      using M = v1::ReportingPeriodOpened;
      return ForEachField(bytes, [e](uint32_t n, const Field& f) {
        switch (n) {
          case M::kReviewIdFieldNumber:
            return f.String(&e->review_id);
          case M::kPeriodFieldNumber:
            return f.String(&e->period);
          case M::kSubmissionsDueOnFieldNumber:
            return f.String(&e->date);
        }
        return true;
      });
    }
    case D::kReportingPeriodClosed: {
      using M = v1::ReportingPeriodClosed;
      return ForEachField(bytes, [e](uint32_t n, const Field& f) {
        switch (n) {
          case M::kReviewIdFieldNumber:
            return f.String(&e->review_id);
          case M::kPeriodFieldNumber:
            return f.String(&e->period);
        }
        return true;
      });
    }
    case D::kProgressUpdateSubmitted: {
      using M = v1::ProgressUpdateSubmitted;
      return DecodeAboutRecommendation<M>(bytes, e,
                                          [e](uint32_t n, const Field& f) {
                                            switch (n) {
                                              case M::kUpdateIdFieldNumber:
                                                return f.String(&e->update_id);
                                              case M::kPeriodFieldNumber:
                                                return f.String(&e->period);
                                            }
                                            return true;
                                          });
    }
    case D::kProgressUpdateCorrected: {
      using M = v1::ProgressUpdateCorrected;
      return DecodeAboutRecommendation<M>(
          bytes, e, [e](uint32_t n, const Field& f) {
            return n != M::kUpdateIdFieldNumber || f.String(&e->update_id);
          });
    }
    case D::kProgressUpdateWithdrawn: {
      using M = v1::ProgressUpdateWithdrawn;
      return DecodeAboutRecommendation<M>(
          bytes, e, [e](uint32_t n, const Field& f) {
            return n != M::kUpdateIdFieldNumber || f.String(&e->update_id);
          });
    }
    case D::kRatingAssigned: {
      using M = v1::RatingAssigned;
      return DecodeAboutRecommendation<M>(bytes, e,
                                          [e](uint32_t n, const Field& f) {
                                            switch (n) {
                                              case M::kPeriodFieldNumber:
                                                return f.String(&e->period);
                                              case M::kRatingFieldNumber:
                                                return f.Int32(&e->kind);
                                            }
                                            return true;
                                          });
    }
    case D::kMonitoringActivityRecorded: {
      using M = v1::MonitoringActivityRecorded;
      return DecodeAboutRecommendation<M>(
          bytes, e, [e](uint32_t n, const Field& f) {
            switch (n) {
              case M::kActivityIdFieldNumber:
                return f.String(&e->activity_id);
              case M::kPeriodFieldNumber:
                return f.String(&e->period);
              case M::kDescriptionFieldNumber:
                return f.AddString(&e->text);
              case M::kDueOnFieldNumber:
                return f.String(&e->date);
            }
            return true;
          });
    }
    case D::kMonitoringActivityCompleted: {
      using M = v1::MonitoringActivityCompleted;
      return DecodeAboutRecommendation<M>(
          bytes, e, [e](uint32_t n, const Field& f) {
            return n != M::kActivityIdFieldNumber || f.String(&e->activity_id);
          });
    }
    case D::kMeetingObserved: {
      using M = v1::MeetingObserved;
      return ForEachField(bytes, [e](uint32_t n, const Field& f) {
        switch (n) {
          case M::kReviewIdFieldNumber:
            return f.String(&e->review_id);
          case M::kAttendingAgencyIdsFieldNumber:
            return f.AddString(&e->agency_ids);
          case M::kRelatedRecommendationsFieldNumber:
            return f.AddInt32s(&e->related_recommendations);
        }
        return true;
      });
    }
    case D::kRiskRaised: {
      using M = v1::RiskRaised;
      return ForEachField(bytes, [e](uint32_t n, const Field& f) {
        switch (n) {
          case M::kReviewIdFieldNumber:
            return f.String(&e->review_id);
          case M::kRiskIdFieldNumber:
            return f.String(&e->risk_id);
          case M::kCategoryFieldNumber:
            return f.Int32(&e->kind);
          case M::kDescriptionFieldNumber:
            return f.AddString(&e->text);
          case M::kRelatedRecommendationsFieldNumber:
            return f.AddInt32s(&e->related_recommendations);
        }
        return true;
      });
    }
    case D::kRiskResolved: {
      using M = v1::RiskResolved;
      return ForEachField(bytes, [e](uint32_t n, const Field& f) {
        switch (n) {
          case M::kReviewIdFieldNumber:
            return f.String(&e->review_id);
          case M::kRiskIdFieldNumber:
            return f.String(&e->risk_id);
        }
        return true;
      });
    }
    case D::kProgrammeRegistered: {
      using M = v1::ProgrammeRegistered;
      return ForEachField(bytes, [e](uint32_t n, const Field& f) {
        switch (n) {
          case M::kProgrammeIdFieldNumber:
            return f.String(&e->programme_id);
          case M::kNameFieldNumber:
            return f.AddString(&e->text);
          case M::kOwningAgencyIdFieldNumber:
            return f.String(&e->owning_agency_id);
          case M::kReviewIdFieldNumber:
            return f.String(&e->review_id);
          case M::kRelatedRecommendationsFieldNumber:
            return f.AddInt32s(&e->related_recommendations);
          case M::kStartedOnFieldNumber:
            return f.String(&e->date);
        }
        return true;
      });
    }
    case D::kPartnerReportSubmitted: {
      using M = v1::PartnerReportSubmitted;
      return ForEachField(bytes, [e](uint32_t n, const Field& f) {
        switch (n) {
          case M::kProgrammeIdFieldNumber:
            return f.String(&e->programme_id);
          case M::kReportIdFieldNumber:
            return f.String(&e->report_id);
          case M::kQuarterFieldNumber:
            return f.String(&e->period);
          case M::kFiguresFieldNumber:
            return f.AddString(&e->figures);
          case M::kNarrativeFieldNumber:
            return f.AddString(&e->narrative);
        }
        return true;
      });
    }
    case D::kCrossReferenceRecorded: {
      using M = v1::CrossReferenceRecorded;
      return DecodeAboutRecommendation<M>(
          bytes, e, [e](uint32_t n, const Field& f) {
            return n != M::kRelatedRecommendationFieldNumber ||
                   f.Int32(&e->related_recommendation);
          });
    }
    case D::kRecommendationClosed:
      return DecodeAboutRecommendation<v1::RecommendationClosed>(bytes, e,
                                                                 none);
    case D::kRecommendationReopened:
      return DecodeAboutRecommendation<v1::RecommendationReopened>(bytes, e,
                                                                   none);
    case D::kConclusionRecorded:
      return DecodeAboutReview<v1::ConclusionRecorded>(bytes, e);
    case D::kReportPublished:
      return DecodeAboutReview<v1::ReportPublished>(bytes, e);
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
