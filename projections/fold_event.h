// FoldEvent: what the read models take from a stored domain event, decoded
// straight from its bytes (the DomainEvent wire format) without building
// the protobuf message.
//
// A rebuild folds every event of the log. Parsing each into a DomainEvent
// allocated a heap string for every text field (the bullets of a progress
// update, the rationale of a rating) only for the fold to ignore them:
// half of the reading thread's time went to malloc and free. The decoder
// here keeps views into the bytes for the fields the fold uses and skips
// the rest by their length, allocating nothing once its lists have grown.
//
// Field numbers come from the generated code (kReviewIdFieldNumber and so
// on), so a renumbered or renamed field in domain.proto changes the
// decoder with it or fails to compile. Text the read models copy (a
// review's title, a figure) is kept as the serialized sub-message, which
// the fold parses into the state.
//
// Example:
//   FoldEvent e;
//   if (DecodeFoldEvent(recorded.data, &e)) ApplyFold(e, recorded.position,
//                                                     &state);

#ifndef OVERSIGHT_PROJECTIONS_FOLD_EVENT_H_
#define OVERSIGHT_PROJECTIONS_FOLD_EVENT_H_

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "absl/strings/string_view.h"
#include "oversight/v1/domain.pb.h"

namespace oversight::projections {

// The fields of a domain event the read models and the history use. Views
// point into the bytes it was decoded from, which must outlive it. Which
// payload fields are set depends on `payload_case`; the others are empty.
struct FoldEvent {
  v1::DomainEvent::PayloadCase payload_case = v1::DomainEvent::PAYLOAD_NOT_SET;
  int64_t occurred_seconds = 0;
  int32_t occurred_nanos = 0;
  int32_t classification = 0;  // a v1::Classification
  absl::string_view actor_agency_id;
  absl::string_view actor_person;

  absl::string_view review_id;
  int32_t number = 0;
  absl::string_view agency_id;     // AgencyRegistered
  absl::string_view update_id;     // progress updates
  absl::string_view activity_id;   // monitoring activities
  absl::string_view risk_id;       // risks
  absl::string_view programme_id;  // programmes, partner reports
  absl::string_view report_id;     // partner reports
  absl::string_view period;        // also a partner report's quarter
  absl::string_view date;          // submissions_due_on, due_on, started_on
  absl::string_view theme_id;
  // The owning agency (a recommendation, a programme) or the
  // commissioning one (a review).
  absl::string_view owning_agency_id;
  // The serialized LocalizedText a read model keeps: an agency's or a
  // programme's name, a review's title, a recommendation's text, an
  // activity's or a risk's description. In pieces when the field appeared
  // more than once, which protobuf merges: parse them in order.
  std::vector<absl::string_view> text;
  int32_t kind = 0;  // an agency's kind, a rating, a risk's category
  bool text_not_in_source = false;
  int32_t related_recommendation = 0;         // a cross-reference's
  std::vector<absl::string_view> agency_ids;  // contributing, attending
  std::vector<absl::string_view> theme_ids;
  std::vector<int32_t> related_recommendations;
  std::vector<absl::string_view> figures;    // serialized v1::Figure
  std::vector<absl::string_view> narrative;  // serialized LocalizedText

  // Saturated far outside Timestamp's range (years 1 to 9999, which the
  // rules keep to), since protobuf parses any seconds: no overflow.
  int64_t occurred_micros() const {
    constexpr int64_t kMaxSeconds =
        std::numeric_limits<int64_t>::max() / 1000000 - 2;
    const int64_t seconds =
        std::clamp(occurred_seconds, -kMaxSeconds, kMaxSeconds);
    return seconds * 1000000 + occurred_nanos / 1000;
  }
  bool official() const {
    return classification == v1::CLASSIFICATION_OFFICIAL;
  }

  // Empties every field, keeping the lists' capacity.
  void Clear();
};

// Decodes `bytes`, a serialized DomainEvent, into `out`, as protobuf would
// parse it: a field of the wrong wire type is left (protobuf keeps it
// among the unknown fields), a payload seen twice is merged, an unknown
// payload leaves `payload_case` PAYLOAD_NOT_SET. False when the bytes are
// not well-formed protobuf wire data. Unlike protobuf, text is not checked
// to be UTF-8 and the sub-messages the fold skips are not parsed: domain
// events are written only by the command handlers, from messages protobuf
// built, and Verify finds any byte changed since.
bool DecodeFoldEvent(absl::string_view bytes, FoldEvent* out);

}  // namespace oversight::projections

#endif  // OVERSIGHT_PROJECTIONS_FOLD_EVENT_H_
