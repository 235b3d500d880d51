// The aggregates of the domain, the streams that hold them, and their state
// as a fold of their events: what a command handler needs to decide whether
// a command is allowed.
//
// Streams:
//   agencies                              every AgencyRegistered
//   review-{review_id}                    the review, its periods, meetings,
//                                         risks and conclusions
//   recommendation-{review_id}-{number}   one recommendation: its updates,
//                                         ratings, monitoring, closure
//   programme-{programme_id}              a partner's programme and reports
//
// Example:
//   ReviewState review = Fold<ReviewState>(events_of_review_stream);
//   if (review.periods.at("2025-01").open) { ... }

#ifndef OVERSIGHT_PROJECTIONS_AGGREGATES_H_
#define OVERSIGHT_PROJECTIONS_AGGREGATES_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "oversight/v1/domain.pb.h"

namespace oversight::projections {

inline constexpr char kAgenciesStream[] = "agencies";
std::string ReviewStream(absl::string_view review_id);
std::string RecommendationStream(absl::string_view review_id, int32_t number);
std::string ProgrammeStream(absl::string_view programme_id);

// Whether `stream` is one of the domain's streams above, which only the
// command handlers write.
bool IsDomainStream(absl::string_view stream);

// The log's event type of a domain event: "oversight.v1." followed by the
// payload's message name, e.g. "oversight.v1.RatingAssigned"; empty when
// no payload is set.
std::string EventTypeName(const v1::DomainEvent& event);

// The identifier of what `event` created or touched: the agency, review
// or programme id; the recommendation number; the period label; the id
// of the update, activity, meeting, risk, report or cross-reference; or,
// for a published report, "{period}.{en|cy}.{md|html}".
std::string EntityIdOf(const v1::DomainEvent& event);

// Every registered agency.
struct AgencyRegistry {
  struct Agency {
    v1::AgencyKind kind = v1::AGENCY_KIND_UNSPECIFIED;
    v1::LocalizedText name;
  };
  absl::flat_hash_map<std::string, Agency> agencies;

  // nullptr when `id` is not registered.
  const Agency* Find(absl::string_view id) const;
  void Apply(const v1::DomainEvent& event);
};

struct ReviewState {
  struct Period {
    bool open = true;
    std::string submissions_due_on;
  };
  struct Risk {
    std::string raised_by;
    bool resolved = false;
  };

  bool exists = false;
  std::string review_id;
  std::string commissioning_agency_id;
  std::vector<std::string> theme_ids;
  std::map<std::string, Period> periods;  // by label
  absl::flat_hash_set<std::string> meeting_ids;
  absl::flat_hash_map<std::string, Risk> risks;

  bool HasTheme(absl::string_view id) const;
  void Apply(const v1::DomainEvent& event);
};

struct RecommendationState {
  struct Update {
    std::string agency_id;
    std::string period;
    bool withdrawn = false;
  };

  bool exists = false;
  std::string review_id;
  int32_t number = 0;
  std::string owning_agency_id;
  std::vector<std::string> contributing_agency_ids;
  bool closed = false;
  absl::flat_hash_map<std::string, Update> updates;   // by update id
  absl::flat_hash_map<std::string, bool> activities;  // id -> completed
  absl::flat_hash_set<std::string> reference_ids;
  std::map<std::string, v1::Rating> ratings;  // period -> latest

  // The owning agency or a contributing one.
  bool IsOwnerOrContributor(absl::string_view agency_id) const;
  void Apply(const v1::DomainEvent& event);
};

struct ProgrammeState {
  bool exists = false;
  std::string programme_id;
  std::string owning_agency_id;
  std::string review_id;
  absl::flat_hash_set<std::string> quarters;
  absl::flat_hash_set<std::string> report_ids;

  void Apply(const v1::DomainEvent& event);
};

// The state after applying `events` in order to a fresh State.
template <typename State>
State Fold(const std::vector<v1::DomainEvent>& events) {
  State state;
  for (const v1::DomainEvent& e : events) state.Apply(e);
  return state;
}

}  // namespace oversight::projections

#endif  // OVERSIGHT_PROJECTIONS_AGGREGATES_H_
