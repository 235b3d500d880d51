// The full story of one recommendation (GetRecommendation): every update
// with its corrections, ratings, monitoring, cross-references, and the
// risks and meetings that name it. Built from the events themselves, since
// the live read model (read_model.h) keeps no texts.

#ifndef OVERSIGHT_PROJECTIONS_RECOMMENDATION_DETAIL_H_
#define OVERSIGHT_PROJECTIONS_RECOMMENDATION_DETAIL_H_

#include <vector>

#include "absl/strings/string_view.h"
#include "oversight/v1/queries.pb.h"
#include "projections/read_model.h"

namespace oversight::projections {

// Folds `events` (in log order: the recommendation's stream merged with
// its review's) into `out`, all but `reflects` and `summary`.
void FoldRecommendationDetail(const std::vector<RecordedDomainEvent>& events,
                              absl::string_view review_id, int32_t number,
                              v1::GetRecommendationResponse* out);

}  // namespace oversight::projections

#endif  // OVERSIGHT_PROJECTIONS_RECOMMENDATION_DETAIL_H_
