#include "projections/views.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "projections/validation.h"

namespace oversight::projections {
namespace {

// The entries of a protobuf map in key order, by pointer (no copies).
template <typename Map>
std::vector<std::pair<typename Map::key_type, const typename Map::mapped_type*>>
Sorted(const Map& map) {
  std::vector<
      std::pair<typename Map::key_type, const typename Map::mapped_type*>>
      out;
  out.reserve(map.size());
  for (const auto& [key, value] : map) out.emplace_back(key, &value);
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

// Whether `rec` has an update, not withdrawn, for `period`.
bool HasUpdateFor(const v1::ProjectedRecommendation& rec,
                  absl::string_view period) {
  for (const auto& [id, update] : rec.updates()) {
    if (update.period() == period && !update.withdrawn()) return true;
  }
  return false;
}

v1::PeriodRating RatingAt(const v1::ProjectedRecommendation& rec,
                          const std::string& period) {
  v1::PeriodRating out;
  out.set_period(period);
  auto it = rec.ratings().find(period);
  if (it != rec.ratings().end()) {
    out.set_rating(it->second.rating());
    out.set_stated(true);
  }
  return out;
}

// The most recent stated rating (by period), RATING_UNSPECIFIED if none.
v1::Rating LatestRating(const v1::ProjectedRecommendation& rec) {
  const auto sorted = Sorted(rec.ratings());
  return sorted.empty() ? v1::RATING_UNSPECIFIED
                        : sorted.back().second->rating();
}

std::vector<std::string> PeriodsMissed(const v1::ProjectedRecommendation& rec) {
  std::vector<std::string> missed;
  for (const std::string& period : rec.periods_due()) {
    if (!HasUpdateFor(rec, period)) missed.push_back(period);
  }
  return missed;
}

std::string FormatDay(absl::CivilDay day) {
  return absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day());
}

v1::LocalizedText Detail(std::string en) {
  v1::LocalizedText t;
  t.set_en(std::move(en));
  return t;
}

}  // namespace

std::optional<absl::CivilDay> LastDayOf(absl::string_view date) {
  absl::StatusOr<absl::CivilDay> first = CheckDate("date", date);
  if (!first.ok()) return std::nullopt;
  switch (date.size()) {
    case 4:
      return absl::CivilDay(absl::CivilYear(*first) + 1) - 1;
    case 7:
      return absl::CivilDay(absl::CivilMonth(*first) + 1) - 1;
    default:
      return *first;
  }
}

std::vector<std::string> PeriodsInOrder(const v1::ProjectedReview& review) {
  std::vector<std::string> periods;
  for (const auto& [label, period] : review.periods()) periods.push_back(label);
  std::sort(periods.begin(), periods.end());
  return periods;
}

v1::StatusBoardRow BoardRow(const v1::ProjectedReview& review,
                            const v1::ProjectedRecommendation& rec) {
  v1::StatusBoardRow row;
  row.set_review_id(review.review_id());
  row.set_number(rec.number());
  row.set_theme_id(rec.theme_id());
  row.set_owning_agency_id(rec.owning_agency_id());
  *row.mutable_text() = rec.text();
  row.set_text_not_in_source(rec.text_not_in_source());
  const std::vector<std::string> periods = PeriodsInOrder(review);
  if (!periods.empty()) *row.mutable_current() = RatingAt(rec, periods.back());
  if (periods.size() >= 2) {
    *row.mutable_previous() = RatingAt(rec, periods[periods.size() - 2]);
  }
  row.set_closed(rec.closed());
  const v1::ProjectedUpdate* last = nullptr;
  std::string last_id;
  for (const auto& [id, update] : rec.updates()) {
    if (update.withdrawn()) continue;
    if (last == nullptr || update.position() > last->position()) {
      last = &update;
      last_id = id;
    }
  }
  if (last != nullptr) {
    row.set_last_update_id(last_id);
    row.set_last_update_period(last->period());
    const int64_t micros = last->occurred_micros();
    google::protobuf::Timestamp* at = row.mutable_last_update_occurred_at();
    at->set_seconds(micros >= 0 ? micros / 1000000
                                : -((-micros + 999999) / 1000000));
    at->set_nanos(
        static_cast<int32_t>((micros - at->seconds() * 1000000) * 1000));
    row.set_last_update_position(last->position());
  }
  for (std::string& p : PeriodsMissed(rec)) row.add_periods_missed(p);
  int open_activities = 0;
  for (const auto& [id, a] : rec.activities()) {
    open_activities += a.completed() ? 0 : 1;
  }
  row.set_open_monitoring_activities(open_activities);
  int open_risks = 0;
  for (const auto& [id, risk] : review.risks()) {
    if (risk.resolved()) continue;
    const auto& related = risk.related_recommendations();
    open_risks += std::find(related.begin(), related.end(), rec.number()) !=
                  related.end();
  }
  row.set_open_risks(open_risks);
  return row;
}

void FillStatusBoard(const v1::ProjectedReview& review,
                     v1::GetStatusBoardResponse* out) {
  out->set_review_id(review.review_id());
  *out->mutable_title() = review.title();
  for (const std::string& p : PeriodsInOrder(review)) {
    out->add_periods(p);
    if (review.periods().at(p).open()) out->add_open_periods(p);
  }
  const auto by_number = Sorted(review.recommendations());
  for (const auto& [number, rec_ptr] : by_number) {
    const v1::ProjectedRecommendation& rec = *rec_ptr;
    *out->add_rows() = BoardRow(review, rec);
  }
}

void FillAttention(const v1::ProjectedReview& review, absl::CivilDay today,
                   v1::ListAttentionResponse* out) {
  out->set_judged_on(FormatDay(today));
  const std::vector<std::string> periods = PeriodsInOrder(review);
  std::vector<std::string> closed_periods;
  for (const std::string& p : periods) {
    if (!review.periods().at(p).open()) closed_periods.push_back(p);
  }
  const auto by_number = Sorted(review.recommendations());
  auto item = [&](v1::AttentionKind kind, int32_t number) {
    v1::AttentionItem* i = out->add_items();
    i->set_kind(kind);
    i->set_review_id(review.review_id());
    i->set_number(number);
    return i;
  };
  for (const auto& [number, rec_ptr] : by_number) {
    const v1::ProjectedRecommendation& rec = *rec_ptr;
    if (rec.closed()) continue;
    // Updates due and missing for each open period.
    for (const std::string& p : periods) {
      const v1::ProjectedPeriod& period = review.periods().at(p);
      if (!period.open() || HasUpdateFor(rec, p)) continue;
      v1::AttentionItem* i = item(v1::ATTENTION_KIND_UPDATE_MISSING, number);
      i->set_period(p);
      i->set_due_on(period.submissions_due_on());
      const std::optional<absl::CivilDay> due =
          LastDayOf(period.submissions_due_on());
      i->set_overdue(due.has_value() && *due < today);
      *i->mutable_detail() =
          Detail(absl::StrCat("No update from ", rec.owning_agency_id(),
                              " for ", p, i->overdue() ? " (overdue)" : ""));
    }
    const v1::Rating rating = LatestRating(rec);
    if (rating == v1::RATING_RED || rating == v1::RATING_AMBER) {
      item(rating == v1::RATING_RED ? v1::ATTENTION_KIND_RATED_RED
                                    : v1::ATTENTION_KIND_RATED_AMBER,
           number);
    }
    const auto activities = Sorted(rec.activities());
    for (const auto& [id, activity_ptr] : activities) {
      const v1::ProjectedActivity& activity = *activity_ptr;
      if (activity.completed()) continue;
      const std::optional<absl::CivilDay> due = LastDayOf(activity.due_on());
      if (!due.has_value() || *due > today + kDueSoonDays) continue;
      v1::AttentionItem* i =
          item(*due < today ? v1::ATTENTION_KIND_MONITORING_OVERDUE
                            : v1::ATTENTION_KIND_MONITORING_DUE,
               number);
      i->set_period(activity.period());
      i->set_due_on(activity.due_on());
      i->set_overdue(*due < today);
      i->set_subject_id(id);
      *i->mutable_detail() = activity.description();
    }
    // Silent in both of the last two closed periods.
    if (closed_periods.size() >= 2) {
      const std::vector<std::string> missed = PeriodsMissed(rec);
      const bool last_missed = std::find(missed.begin(), missed.end(),
                                         closed_periods.back()) != missed.end();
      const bool before_missed =
          std::find(missed.begin(), missed.end(),
                    closed_periods[closed_periods.size() - 2]) != missed.end();
      if (last_missed && before_missed) {
        v1::AttentionItem* i =
            item(v1::ATTENTION_KIND_NO_UPDATE_FOR_TWO_PERIODS, number);
        i->set_period(closed_periods.back());
      }
    }
  }
  const auto risks = Sorted(review.risks());
  for (const auto& [id, risk_ptr] : risks) {
    const v1::ProjectedRisk& risk = *risk_ptr;
    if (risk.resolved()) continue;
    v1::AttentionItem* i = item(v1::ATTENTION_KIND_OPEN_RISK,
                                risk.related_recommendations().empty()
                                    ? 0
                                    : risk.related_recommendations(0));
    i->set_subject_id(id);
    *i->mutable_detail() = risk.description();
  }
}

void FillPartnerView(const v1::ProjectionState& state,
                     absl::string_view agency_id,
                     v1::GetPartnerViewResponse* out) {
  out->set_agency_id(std::string(agency_id));
  auto agency = state.agencies().find(std::string(agency_id));
  if (agency != state.agencies().end()) {
    *out->mutable_name() = agency->second.name();
  }
  const auto programmes = Sorted(state.programmes());
  for (const auto& [id, p_ptr] : programmes) {
    const v1::ProjectedProgramme& p = *p_ptr;
    if (p.owning_agency_id() != agency_id) continue;
    v1::ProgrammeView* view = out->add_programmes();
    view->set_programme_id(id);
    *view->mutable_name() = p.name();
    view->set_review_id(p.review_id());
    *view->mutable_related_recommendations() = p.related_recommendations();
    view->set_started_on(p.started_on());
    std::vector<v1::QuarterFigures> quarters(p.quarters().begin(),
                                             p.quarters().end());
    std::stable_sort(
        quarters.begin(), quarters.end(),
        [](const v1::QuarterFigures& a, const v1::QuarterFigures& b) {
          return a.quarter() < b.quarter();
        });
    for (v1::QuarterFigures& q : quarters) *view->add_quarters() = std::move(q);
  }
  const auto reviews = Sorted(state.reviews());
  for (const auto& [review_id, review_ptr] : reviews) {
    const v1::ProjectedReview& review = *review_ptr;
    const auto by_number = Sorted(review.recommendations());
    for (const auto& [number, rec_ptr] : by_number) {
      const v1::ProjectedRecommendation& rec = *rec_ptr;
      const bool owner = rec.owning_agency_id() == agency_id;
      const auto& c = rec.contributing_agency_ids();
      if (!owner && std::find(c.begin(), c.end(), agency_id) == c.end()) {
        continue;
      }
      v1::ContributionView* view = out->add_contributions();
      view->set_review_id(review_id);
      view->set_number(number);
      view->set_owner(owner);
      view->set_closed(rec.closed());
    }
  }
}

}  // namespace oversight::projections
