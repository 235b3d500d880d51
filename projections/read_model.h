// The read models: recorded domain events folded into a ProjectionState
// (proto/oversight/v1/projection_state.proto), the state behind the
// status board, the attention list, the partner view and the history.
//
// Pure: Apply is a function of the state and one event. The server keeps a
// live state at the log's head; a query as at a past position or instant
// folds just the events of what it asks about, through an AsOfFilter;
// tests and an auditor's offline replay fold whatever they read.
//
// Example:
//   v1::ProjectionState state;
//   for (const eventstore::RecordedEvent& r : log_events) {
//     if (auto e = ToDomainEvent(r)) Apply(*e, &state);
//   }

#ifndef OVERSIGHT_PROJECTIONS_READ_MODEL_H_
#define OVERSIGHT_PROJECTIONS_READ_MODEL_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "eventstore/types.h"
#include "oversight/v1/domain.pb.h"
#include "oversight/v1/projection_state.pb.h"
#include "projections/fold_event.h"

namespace oversight::projections {

// The version of Apply and of ProjectionState's meaning. A snapshot
// written by another version is not used: the state is rebuilt from the
// log. Bump it whenever Apply changes what it produces.
inline constexpr uint32_t kReadModelVersion = 6;

// A domain event with what the log says about it.
struct RecordedDomainEvent {
  eventstore::Position position = 0;
  std::string stream;
  eventstore::Revision revision = 0;
  absl::Time recorded_at;
  eventstore::Hash hash{};
  v1::DomainEvent event;

  absl::Time occurred_at() const;
};

// The domain event in `recorded`, or nullopt when it is not one (another
// stream, or bytes that do not parse as a DomainEvent with a payload).
std::optional<RecordedDomainEvent> ToDomainEvent(
    const eventstore::RecordedEvent& recorded);

// Which events a fold takes: those recorded at or before `position` (0:
// any) that occurred at or before `effective_at` (nullopt: any).
struct AsOfFilter {
  eventstore::Position position = 0;
  std::optional<absl::Time> effective_at;

  // By the event's own position and occurred_at alone; SelectAsOf also
  // knows about corrections.
  bool Admits(const RecordedDomainEvent& e) const;
};

// The events of `events` (in log order) that a view as at `filter` takes.
// A correction or withdrawal of a progress update goes with the update it
// acts on, whenever it occurred: on the effective-date axis the picture of
// June shows a June update as the log now knows it, corrected; on the
// position axis a correction recorded after `filter.position` is left out
// like anything else recorded later.
std::vector<RecordedDomainEvent> SelectAsOf(
    std::vector<RecordedDomainEvent> events, const AsOfFilter& filter);

// Folds `event` into `state` and sets state->position to its position.
// Events must come in log order. An event about something the state does
// not hold (an update of a recommendation the fold never saw, as when a
// filter left the issuing out) changes nothing but the position and the
// history. An OFFICIAL-SENSITIVE event is also posted in the state's
// `sensitive` postings, under the keys it names itself (HistoryKeysOf). An
// AccessRecorded event changes nothing but the position: the access log is not
// a read model.
void Apply(const RecordedDomainEvent& event, v1::ProjectionState* state);
// The same for an event known by its payload and position alone.
void Apply(const v1::DomainEvent& event, eventstore::Position position,
           v1::ProjectionState* state);
// The same for an event decoded from its stored bytes (fold_event.h): what
// Apply does, once the event is serialized and decoded.
void ApplyFold(const FoldEvent& event, eventstore::Position position,
               v1::ProjectionState* state);

// A rebuild folds on two threads: the reading thread posts each event in
// the history of agencies and people with a HistoryBuilder while the other
// applies it to the rest of the state with ApplyModels and posts it in the
// history of reviews and recommendations with a second one; MergeInto then
// adds both. ApplyModels and the builders' MergeInto equal ApplyFold event
// by event.
//
// Example:
//   using Part = HistoryBuilder::Part;
//   HistoryBuilder agencies(state, Part::kAgencies);  // state as it stands
//   HistoryBuilder reviews(state, Part::kReviews);
//   ... reading thread:  agencies.Post(e, position);
//   ... folding thread:  ApplyModels(e, position, &state);
//                        reviews.Post(e, position);
//   ... both done:       agencies.MergeInto(&state);
//                        reviews.MergeInto(&state);
void ApplyModels(const FoldEvent& event, eventstore::Position position,
                 v1::ProjectionState* state);

// The history and sensitive postings of a run of events, gathered apart
// from the state. It keeps its own record of what a posting's keys depend
// on (which risks name which recommendations, which programme serves which
// review), started from the state it is given and followed from the
// events, so it needs nothing from the state while it runs.
class HistoryBuilder {
 public:
  // Which keys it posts: all, or those of agencies and people, or those of
  // reviews and recommendations. Two builders of the two parts post what
  // one of kAll would; a rebuild runs one on each thread.
  enum class Part { kAll, kAgencies, kReviews };

  explicit HistoryBuilder(const v1::ProjectionState& base,
                          Part part = Part::kAll);
  ~HistoryBuilder();
  HistoryBuilder(const HistoryBuilder&) = delete;
  HistoryBuilder& operator=(const HistoryBuilder&) = delete;

  // Events in log order, after the base state's position.
  void Post(const FoldEvent& event, eventstore::Position position);
  // Appends what was posted to `state`'s history and sensitive postings,
  // and forgets it.
  void MergeInto(v1::ProjectionState* state);

 private:
  // Its record of risks, programmes and postings (read_model.cc).
  struct State;
  std::unique_ptr<State> state_;
};

// Gives back the spare capacity of the history's lists, which grow by
// doubling as events are posted (or parsed from a snapshot): after a
// load they hold a quarter more than they use. Changes no value.
void ShrinkHistory(v1::ProjectionState* state);

// History keys: every event touching a subject is posted under its key.
std::string ReviewHistoryKey(absl::string_view review_id);
std::string RecommendationHistoryKey(absl::string_view review_id,
                                     int32_t number);
std::string AgencyHistoryKey(absl::string_view agency_id);
std::string PersonHistoryKey(absl::string_view agency_id,
                             absl::string_view person);

// The keys `event` is posted under, as far as the event itself says: its
// review, its recommendation and any it relates to, the acting agency and
// person, and agencies it names. Apply adds what only the state knows: a
// risk's resolution goes also under the recommendations the risk named, a
// partner report under its programme's review, owner and recommendations.
std::vector<std::string> HistoryKeysOf(const v1::DomainEvent& event);

}  // namespace oversight::projections

#endif  // OVERSIGHT_PROJECTIONS_READ_MODEL_H_
