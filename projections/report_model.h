// The facts a progress report is made of: the official events of one
// review (its agencies, recommendations, updates as corrected, ratings,
// monitoring, meetings, risks, partner programmes and conclusions) folded
// into plain ordered containers, with the texts kept. Private to the report
// renderer (report.h); nothing here depends on the language or the format.
//
// Example:
//   absl::StatusOr<ReportModel> model = FoldReportModel(events, "r");
//   for (const auto& [number, rec] : model->recommendations) { ... }

#ifndef OVERSIGHT_PROJECTIONS_REPORT_MODEL_H_
#define OVERSIGHT_PROJECTIONS_REPORT_MODEL_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "oversight/v1/domain.pb.h"
#include "projections/read_model.h"

namespace oversight::projections::report {

// A progress update as last corrected.
struct Update {
  std::string update_id;
  std::string period;
  std::string agency_id;
  std::vector<v1::Bullet> bullets;
  std::vector<v1::Link> evidence;
  bool withdrawn = false;
};

struct Activity {
  std::string activity_id;
  std::string period;
  v1::LocalizedText description;
  std::string due_on;
  bool completed = false;
  absl::Time completed_at = absl::InfinitePast();  // When `completed`.
  v1::LocalizedText outcome;

  // Completed by `cut` (an activity completed later shows as open).
  bool CompletedBy(absl::Time cut) const {
    return completed && completed_at <= cut;
  }
};

// A RecommendationClosed or RecommendationReopened, when it occurred.
struct Closure {
  bool closed = false;  // false: reopened.
  absl::Time at;
  std::string decided_by;
};

struct Rating {
  v1::Rating rating = v1::RATING_UNSPECIFIED;
  v1::LocalizedText rationale;
};

struct Recommendation {
  int32_t number = 0;
  std::string theme_id;
  v1::LocalizedText text;
  bool text_not_in_source = false;
  std::string owning_agency_id;
  std::vector<Closure> closures;          // In log order.
  std::vector<Update> updates;            // In the order submitted.
  std::map<std::string, Rating> ratings;  // By period; the latest wins.
  std::vector<Activity> activities;       // In the order recorded.
};

struct Risk {
  v1::RiskRaised raised;
  absl::Time raised_at;
  bool resolved = false;
  absl::Time resolved_at = absl::InfinitePast();  // When `resolved`.

  // Raised by `cut` and not resolved by then.
  bool OpenAt(absl::Time cut) const {
    return raised_at <= cut && !(resolved && resolved_at <= cut);
  }
};

struct Programme {
  v1::ProgrammeRegistered registered;
  std::vector<v1::PartnerReportSubmitted> reports;  // In the order submitted.
};

struct ReportModel {
  std::map<std::string, v1::AgencyRegistered> agencies;
  v1::ReviewOpened review;
  std::vector<std::string> periods;  // "YYYY-MM", in order.
  std::map<int32_t, Recommendation> recommendations;
  std::vector<v1::MeetingObserved> meetings;  // In the order recorded.
  std::vector<Risk> risks;                    // In the order raised.
  std::vector<Programme> programmes;          // In the order registered.
  // The latest conclusion recorded for each period.
  std::map<std::string, std::vector<v1::LocalizedText>> conclusions;

  // The agency's name, or nullopt when no official registration of it
  // with an English name is known (the caller shows a neutral label: never
  // the id, which may be all a sensitive registration left behind).
  std::optional<v1::LocalizedText> AgencyName(
      absl::string_view agency_id) const;
  // The theme's name, or nullopt when the review has no such theme.
  std::optional<v1::LocalizedText> ThemeName(absl::string_view theme_id) const;
  // The period before `period` among the review's periods, or "".
  std::string PreviousPeriod(absl::string_view period) const;
};

// The rating a recommendation carries at `period`: the one assigned for the
// latest period at or before it. `from_period` says which period that was.
struct RatingAt {
  v1::Rating rating = v1::RATING_UNSPECIFIED;
  std::string from_period;
};
RatingAt RatingAsAt(const Recommendation& rec, absl::string_view period);

// The last instant of `period`'s month ("YYYY-MM"), UTC: what happened by
// then is what a report of the period shows.
absl::Time EndOfPeriod(absl::string_view period);

// The closing in force at `cut` (the latest closure by then, if it closed),
// or nullptr when the recommendation was open then.
const Closure* ClosedAt(const Recommendation& rec, absl::Time cut);

// Whether the recommendation was reopened after `after` and by `until`.
bool ReopenedBetween(const Recommendation& rec, absl::Time after,
                     absl::Time until);

// Folds the CLASSIFICATION_OFFICIAL events of `events` (in log order) about
// `review_id` into a model. NOT_FOUND (REVIEW_NOT_FOUND) when no official
// ReviewOpened of the review is among them.
absl::StatusOr<ReportModel> FoldReportModel(
    const std::vector<RecordedDomainEvent>& events,
    absl::string_view review_id);

}  // namespace oversight::projections::report

#endif  // OVERSIGHT_PROJECTIONS_REPORT_MODEL_H_
