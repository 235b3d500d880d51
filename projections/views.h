// The answers of the Queries service, computed from a ProjectionState
// (read_model.h): the status board and the attention list of a review,
// and a partner's view. Pure functions of the state (and, for what is
// due, of the day judged on).
//
// Example:
//   v1::GetStatusBoardResponse board;
//   FillStatusBoard(state.reviews().at("r"), &board);

#ifndef OVERSIGHT_PROJECTIONS_VIEWS_H_
#define OVERSIGHT_PROJECTIONS_VIEWS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "oversight/v1/projection_state.pb.h"
#include "oversight/v1/queries.pb.h"

namespace oversight::projections {

// How far ahead a monitoring activity counts as due.
inline constexpr int kDueSoonDays = 14;

// The review's period labels in order ("YYYY-MM" sorts by time).
std::vector<std::string> PeriodsInOrder(const v1::ProjectedReview& review);

// One board row.
v1::StatusBoardRow BoardRow(const v1::ProjectedReview& review,
                            const v1::ProjectedRecommendation& rec);

// Everything of the board but `reflects`: title, periods, one row per
// recommendation by number.
void FillStatusBoard(const v1::ProjectedReview& review,
                     v1::GetStatusBoardResponse* out);

// The attention items of `review` judged on `today`, and `judged_on`.
void FillAttention(const v1::ProjectedReview& review, absl::CivilDay today,
                   v1::ListAttentionResponse* out);

// The programmes `agency_id` owns and the recommendations it owns or
// contributes to, across `state`.
void FillPartnerView(const v1::ProjectionState& state,
                     absl::string_view agency_id,
                     v1::GetPartnerViewResponse* out);

// The last day a date ("YYYY-MM-DD", "YYYY-MM" or "YYYY") covers, or
// nullopt for an empty or malformed one.
std::optional<absl::CivilDay> LastDayOf(absl::string_view date);

}  // namespace oversight::projections

#endif  // OVERSIGHT_PROJECTIONS_VIEWS_H_
