// Differential fuzzing of DecodeFoldEvent (projections/fold_event.h)
// against protobuf's DomainEvent::ParseFromString, the message it mirrors.
//
// Properties, for arbitrary bytes:
//  - where protobuf parses them, DecodeFoldEvent accepts them too, with the
//    envelope protobuf parsed (occurred_at, classification, the actor's
//    agency and person) and its payload case, and with every field the
//    same as it decodes from protobuf's own serialization of what it
//    parsed (whose fields the unit tests compare with protobuf's, payload
//    by payload): any spelling of an event on the wire (fields in another
//    order or repeated, a payload in pieces, packed or unpacked lists,
//    fields of the wrong wire type, unknown fields and groups) decodes as
//    the canonical one. Text in pieces is compared merged, as the fold
//    parses it;
//  - where protobuf refuses them, the decoder may accept (it checks
//    neither UTF-8 nor the sub-messages the fold skips) but whatever it
//    decides, decoding into a used FoldEvent gives the same as into a
//    fresh one;
//  - an accepted event folds into the seed world's read models the same
//    way live (ApplyFold) and as a rebuild does (ApplyModels and the two
//    HistoryBuilders), as read_model.h promises, and the live fold of the
//    raw bytes equals Apply of the message protobuf parsed.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/message_differencer.h"
#include "oversight/v1/domain.pb.h"
#include "oversight/v1/projection_state.pb.h"
#include "projections/fold_event.h"
#include "projections/read_model.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/seed_world.h"

namespace {

namespace pj = ::oversight::projections;
namespace v1 = ::oversight::v1;
using google::protobuf::util::MessageDifferencer;

// The pieces of `parts`, each a serialized `M`, parsed in order and merged
// as protobuf merges a field seen twice, then serialized.
template <typename M>
bool Merged(const std::vector<absl::string_view>& parts, std::string* out) {
  M merged;
  for (absl::string_view part : parts) {
    M piece;
    if (!piece.ParseFromArray(part.data(), static_cast<int>(part.size()))) {
      return false;
    }
    merged.MergeFrom(piece);
  }
  *out = merged.SerializeAsString();
  return true;
}

// Each element of `parts` parsed alone as an `M`, serialized again.
template <typename M>
bool EachParsed(const std::vector<absl::string_view>& parts,
                std::vector<std::string>* out) {
  for (absl::string_view part : parts) {
    M piece;
    if (!piece.ParseFromArray(part.data(), static_cast<int>(part.size()))) {
      return false;
    }
    out->push_back(piece.SerializeAsString());
  }
  return true;
}

std::vector<std::string> Strings(const std::vector<absl::string_view>& v) {
  return std::vector<std::string>(v.begin(), v.end());
}

// Whether `a` and `b` have the same members but text and sub-messages.
bool SameScalars(const pj::FoldEvent& a, const pj::FoldEvent& b) {
  return a.payload_case == b.payload_case &&
         a.occurred_seconds == b.occurred_seconds &&
         a.occurred_nanos == b.occurred_nanos &&
         a.classification == b.classification &&
         a.actor_agency_id == b.actor_agency_id &&
         a.actor_person == b.actor_person && a.review_id == b.review_id &&
         a.number == b.number && a.agency_id == b.agency_id &&
         a.update_id == b.update_id && a.activity_id == b.activity_id &&
         a.risk_id == b.risk_id && a.programme_id == b.programme_id &&
         a.report_id == b.report_id && a.period == b.period &&
         a.date == b.date && a.theme_id == b.theme_id &&
         a.owning_agency_id == b.owning_agency_id && a.kind == b.kind &&
         a.text_not_in_source == b.text_not_in_source &&
         a.related_recommendation == b.related_recommendation &&
         Strings(a.agency_ids) == Strings(b.agency_ids) &&
         Strings(a.theme_ids) == Strings(b.theme_ids) &&
         a.related_recommendations == b.related_recommendations;
}

// Whether `a` and `b` carry the same fields for the fold. The text and
// lists of sub-messages of both must parse (protobuf parsed them).
bool SameForTheFold(const pj::FoldEvent& a, const pj::FoldEvent& b) {
  if (!SameScalars(a, b)) return false;
  std::string text_a, text_b;
  if (!Merged<v1::LocalizedText>(a.text, &text_a) ||
      !Merged<v1::LocalizedText>(b.text, &text_b) || text_a != text_b) {
    return false;
  }
  std::vector<std::string> figures_a, figures_b, narrative_a, narrative_b;
  return EachParsed<v1::Figure>(a.figures, &figures_a) &&
         EachParsed<v1::Figure>(b.figures, &figures_b) &&
         figures_a == figures_b &&
         EachParsed<v1::LocalizedText>(a.narrative, &narrative_a) &&
         EachParsed<v1::LocalizedText>(b.narrative, &narrative_b) &&
         narrative_a == narrative_b;
}

// Exactly the same members, views compared by content.
bool Identical(const pj::FoldEvent& a, const pj::FoldEvent& b) {
  return SameScalars(a, b) && Strings(a.text) == Strings(b.text) &&
         Strings(a.figures) == Strings(b.figures) &&
         Strings(a.narrative) == Strings(b.narrative);
}

// A FoldEvent with every member set, to decode into.
pj::FoldEvent Used(const std::string& keep) {
  pj::FoldEvent e;
  e.payload_case = v1::DomainEvent::kMeetingObserved;
  e.occurred_seconds = 1;
  e.occurred_nanos = 1;
  e.classification = 1;
  for (absl::string_view* v :
       {&e.actor_agency_id, &e.actor_person, &e.review_id, &e.agency_id,
        &e.update_id, &e.activity_id, &e.risk_id, &e.programme_id, &e.report_id,
        &e.period, &e.date, &e.theme_id, &e.owning_agency_id}) {
    *v = keep;
  }
  e.number = 1;
  e.kind = 1;
  e.text_not_in_source = true;
  e.related_recommendation = 1;
  e.text.push_back(keep);
  e.agency_ids.push_back(keep);
  e.theme_ids.push_back(keep);
  e.related_recommendations.push_back(1);
  e.figures.push_back(keep);
  e.narrative.push_back(keep);
  return e;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const v1::ProjectionState* const seed_state = new v1::ProjectionState(
      oversight::fuzz::FoldAll(oversight::fuzz::SeedWorld().log));
  static const std::string* const keep = new std::string("kept");
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);

  pj::FoldEvent fresh;
  const bool decoded = pj::DecodeFoldEvent(bytes, &fresh);
  pj::FoldEvent used = Used(*keep);
  FUZZ_CHECK(pj::DecodeFoldEvent(bytes, &used) == decoded);
  if (decoded) FUZZ_CHECK(Identical(fresh, used));

  v1::DomainEvent parsed;
  if (!parsed.ParseFromArray(data, static_cast<int>(size))) return 0;
  FUZZ_CHECK(decoded);
  FUZZ_CHECK(fresh.payload_case == parsed.payload_case());
  FUZZ_CHECK(fresh.occurred_seconds == parsed.occurred_at().seconds());
  FUZZ_CHECK(fresh.occurred_nanos == parsed.occurred_at().nanos());
  FUZZ_CHECK(fresh.classification == parsed.classification());
  FUZZ_CHECK(fresh.actor_agency_id == parsed.actor().agency_id());
  FUZZ_CHECK(fresh.actor_person == parsed.actor().person());

  const std::string canonical = parsed.SerializeAsString();
  pj::FoldEvent from_canonical;
  FUZZ_CHECK(pj::DecodeFoldEvent(canonical, &from_canonical));
  FUZZ_CHECK(SameForTheFold(fresh, from_canonical));

  // The fold of the raw bytes, two ways, and of the parsed message.
  constexpr uint64_t kPosition = 1000;
  v1::ProjectionState live = *seed_state;
  FUZZ_CHECK(oversight::fuzz::FoldBothWays(fresh, kPosition, &live));
  v1::ProjectionState applied = *seed_state;
  pj::Apply(parsed, kPosition, &applied);
  FUZZ_CHECK(MessageDifferencer::Equals(live, applied));
  return 0;
}
