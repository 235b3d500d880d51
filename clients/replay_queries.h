// The queries of oversight.v1.Queries answered offline, from an export
// file (clients/export_file.h) instead of a server: `oversight replay FILE
// status|recommendation|attention|partner|report ...`.
//
// The answers are the server's, computed the same way with the same pure
// code (projections/): the events are folded into the read models
// (projections/read_model.h) and turned into the same response messages
// (projections/views.h, recommendation_detail.h, report.h); an answer as
// at a past moment folds just the streams of its subject, selected as at
// that moment (projections/query_scope.h), as the server does. "The
// log's head" is the last position in the file.
//
// Need-to-know: the file holds what its exporter could read. A withheld
// line (no data) is left out of every fold, as the server leaves it out
// for that reader, and counted in `reflects.withheld` of the answers whose
// streams hold it (at or before the position answered for). Nothing is
// recorded in any access log: there is none offline.
//
// Example:
//   ReplayedLog log(*ReadExportFile("log.jsonl"));
//   v1::GetStatusBoardResponse board;
//   absl::Status s = log.StatusBoard(request, absl::Now(), &board);

#ifndef OVERSIGHT_CLIENTS_REPLAY_QUERIES_H_
#define OVERSIGHT_CLIENTS_REPLAY_QUERIES_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "clients/export_file.h"
#include "oversight/v1/projection_state.pb.h"
#include "oversight/v1/queries.pb.h"
#include "projections/read_model.h"

namespace oversight::cli {

class ReplayedLog {
 public:
  // Folds `events` (ReadExportFile's, in position order).
  explicit ReplayedLog(const std::vector<ExportedEvent>& events);

  // The last position in the file (0 when empty).
  uint64_t head() const { return head_; }
  // The read models folded from every readable domain event.
  const v1::ProjectionState& state() const { return state_; }
  // Lines, withheld lines, distinct streams, and domain events folded.
  uint64_t events() const { return events_; }
  uint64_t withheld() const { return withheld_total_; }
  size_t streams() const { return streams_.size(); }
  size_t domain_events() const { return domain_.size(); }

  // The Queries RPCs, as the server answers them for the file's reader,
  // judged against `now` (what is due; an as_of in the future is
  // refused). Errors are the server's: INVALID_ARGUMENT for a bad
  // request, NOT_FOUND (REVIEW_NOT_FOUND, ...) for what does not exist
  // as at the moment asked.
  absl::Status StatusBoard(const v1::GetStatusBoardRequest& request,
                           absl::Time now,
                           v1::GetStatusBoardResponse* response) const;
  absl::Status Recommendation(const v1::GetRecommendationRequest& request,
                              absl::Time now,
                              v1::GetRecommendationResponse* response) const;
  absl::Status Attention(const v1::ListAttentionRequest& request,
                         absl::Time now,
                         v1::ListAttentionResponse* response) const;
  absl::Status PartnerView(const v1::GetPartnerViewRequest& request,
                           absl::Time now,
                           v1::GetPartnerViewResponse* response) const;
  // The report's bytes, SHA-256 and media type, as GetReport renders them
  // for anyone but the Panel (which reads published reports only).
  absl::Status Report(const v1::GetReportRequest& request, absl::Time now,
                      v1::GetReportResponse* response) const;

 private:
  // The domain events of `streams` that a view as at `filter` takes, in
  // log order.
  std::vector<projections::RecordedDomainEvent> Select(
      const std::vector<std::string>& streams,
      const projections::AsOfFilter& filter) const;
  // Withheld lines of `streams` at or before `position`.
  uint32_t WithheldIn(const std::vector<std::string>& streams,
                      uint64_t position) const;

  uint64_t head_ = 0;
  uint64_t events_ = 0;
  uint64_t withheld_total_ = 0;
  // Readable domain events, in log order, and their indices by stream.
  std::vector<projections::RecordedDomainEvent> domain_;
  std::map<std::string, std::vector<size_t>> by_stream_;
  // Every stream in the file, with the positions of its withheld lines.
  std::map<std::string, std::vector<uint64_t>> streams_;
  v1::ProjectionState state_;
};

// "NOT_FOUND (REVIEW_NOT_FOUND): review ..." as the online verbs print a
// refusal (the reason from the status's payload, when it has one).
std::string FormatOfflineStatus(const absl::Status& status);

}  // namespace oversight::cli

#endif  // OVERSIGHT_CLIENTS_REPLAY_QUERIES_H_
