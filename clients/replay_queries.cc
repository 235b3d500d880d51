#include "clients/replay_queries.h"

#include <openssl/evp.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "eventstore/errors.h"
#include "projections/aggregates.h"
#include "projections/domain_errors.h"
#include "projections/query_scope.h"
#include "projections/recommendation_detail.h"
#include "projections/report.h"
#include "projections/validation.h"
#include "projections/views.h"

namespace oversight::cli {

namespace pj = ::oversight::projections;

namespace {

absl::Status ReviewNotFound(absl::string_view review_id) {
  return pj::NotFound(
      pj::kReasonReviewNotFound,
      absl::StrCat("review \"", review_id,
                   "\" does not exist (as at the moment asked)"));
}

std::string Sha256(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(digest), size);
}

const v1::ProjectedReview* FindReview(const v1::ProjectionState& state,
                                      const std::string& id) {
  auto it = state.reviews().find(id);
  return it == state.reviews().end() ? nullptr : &it->second;
}

}  // namespace

ReplayedLog::ReplayedLog(const std::vector<ExportedEvent>& events) {
  for (const ExportedEvent& line : events) {
    const v1::RecordedEvent& e = line.event;
    ++events_;
    head_ = e.position();
    std::vector<uint64_t>& withheld = streams_[e.stream()];
    if (e.withheld()) {
      withheld.push_back(e.position());
      ++withheld_total_;
      continue;
    }
    std::optional<pj::RecordedDomainEvent> d = pj::ToDomainEvent(ToLogEvent(e));
    if (!d.has_value()) continue;
    pj::Apply(*d, &state_);
    by_stream_[d->stream].push_back(domain_.size());
    domain_.push_back(*std::move(d));
  }
  state_.set_position(head_);
}

std::vector<pj::RecordedDomainEvent> ReplayedLog::Select(
    const std::vector<std::string>& streams,
    const pj::AsOfFilter& filter) const {
  std::vector<size_t> indices;
  for (const std::string& stream : streams) {
    auto it = by_stream_.find(stream);
    if (it == by_stream_.end()) continue;
    indices.insert(indices.end(), it->second.begin(), it->second.end());
  }
  std::sort(indices.begin(), indices.end());
  indices.erase(std::unique(indices.begin(), indices.end()), indices.end());
  std::vector<pj::RecordedDomainEvent> out;
  out.reserve(indices.size());
  for (size_t i : indices) {
    if (filter.position != 0 && domain_[i].position > filter.position) break;
    out.push_back(domain_[i]);
  }
  return pj::SelectAsOf(std::move(out), filter);
}

uint32_t ReplayedLog::WithheldIn(const std::vector<std::string>& streams,
                                 uint64_t position) const {
  uint32_t count = 0;
  for (const std::string& stream : streams) {
    auto it = streams_.find(stream);
    if (it == streams_.end()) continue;
    for (uint64_t p : it->second) {
      if (p <= position) ++count;
    }
  }
  return count;
}

absl::Status ReplayedLog::StatusBoard(
    const v1::GetStatusBoardRequest& request, absl::Time now,
    v1::GetStatusBoardResponse* response) const {
  if (absl::Status s = pj::CheckId("review_id", request.review_id()); !s.ok()) {
    return s;
  }
  absl::StatusOr<pj::AsOfFilter> filter =
      pj::ParseAsOf(request.as_of(), head_, head_, now);
  if (!filter.ok()) return filter.status();
  const v1::ProjectedReview* live = FindReview(state_, request.review_id());
  if (live == nullptr) return ReviewNotFound(request.review_id());
  const std::vector<std::string> streams =
      pj::ReviewStreams(state_, request.review_id());
  if (!pj::IsPast(request.as_of())) {
    pj::FillStatusBoard(*live, response);
  } else {
    v1::ProjectionState state;
    for (const pj::RecordedDomainEvent& e : Select(streams, *filter)) {
      pj::Apply(e, &state);
    }
    const v1::ProjectedReview* review = FindReview(state, request.review_id());
    if (review == nullptr) return ReviewNotFound(request.review_id());
    pj::FillStatusBoard(*review, response);
  }
  *response->mutable_reflects() = pj::ReflectsOf(*filter);
  response->mutable_reflects()->set_withheld(
      WithheldIn(streams, filter->position));
  return absl::OkStatus();
}

absl::Status ReplayedLog::Attention(const v1::ListAttentionRequest& request,
                                    absl::Time now,
                                    v1::ListAttentionResponse* response) const {
  if (absl::Status s = pj::CheckId("review_id", request.review_id()); !s.ok()) {
    return s;
  }
  absl::StatusOr<pj::AsOfFilter> filter =
      pj::ParseAsOf(request.as_of(), head_, head_, now);
  if (!filter.ok()) return filter.status();
  const absl::CivilDay today =
      absl::ToCivilDay(filter->effective_at.value_or(now), absl::UTCTimeZone());
  const v1::ProjectedReview* live = FindReview(state_, request.review_id());
  if (live == nullptr) return ReviewNotFound(request.review_id());
  const std::vector<std::string> streams =
      pj::ReviewStreams(state_, request.review_id());
  if (!pj::IsPast(request.as_of())) {
    pj::FillAttention(*live, today, response);
  } else {
    v1::ProjectionState state;
    for (const pj::RecordedDomainEvent& e : Select(streams, *filter)) {
      pj::Apply(e, &state);
    }
    const v1::ProjectedReview* review = FindReview(state, request.review_id());
    if (review == nullptr) return ReviewNotFound(request.review_id());
    pj::FillAttention(*review, today, response);
  }
  *response->mutable_reflects() = pj::ReflectsOf(*filter);
  response->mutable_reflects()->set_withheld(
      WithheldIn(streams, filter->position));
  return absl::OkStatus();
}

absl::Status ReplayedLog::Recommendation(
    const v1::GetRecommendationRequest& request, absl::Time now,
    v1::GetRecommendationResponse* response) const {
  if (absl::Status s = pj::CheckId("review_id", request.review_id()); !s.ok()) {
    return s;
  }
  if (absl::Status s =
          pj::CheckRecommendationNumber("number", request.number());
      !s.ok()) {
    return s;
  }
  absl::StatusOr<pj::AsOfFilter> filter =
      pj::ParseAsOf(request.as_of(), head_, head_, now);
  if (!filter.ok()) return filter.status();
  // As the server: always the two streams, folded.
  const std::vector<std::string> streams = {
      pj::ReviewStream(request.review_id()),
      pj::RecommendationStream(request.review_id(), request.number())};
  const std::vector<pj::RecordedDomainEvent> visible = Select(streams, *filter);
  v1::ProjectionState state;
  for (const pj::RecordedDomainEvent& e : visible) pj::Apply(e, &state);
  const v1::ProjectedReview* review = FindReview(state, request.review_id());
  if (review == nullptr) return ReviewNotFound(request.review_id());
  auto rec = review->recommendations().find(request.number());
  if (rec == review->recommendations().end()) {
    return pj::NotFound(
        pj::kReasonRecommendationNotFound,
        absl::StrCat("recommendation ", request.number(), " of review \"",
                     request.review_id(),
                     "\" does not exist (as at the moment asked)"));
  }
  *response->mutable_summary() = pj::BoardRow(*review, rec->second);
  pj::FoldRecommendationDetail(visible, request.review_id(), request.number(),
                               response);
  *response->mutable_reflects() = pj::ReflectsOf(*filter);
  response->mutable_reflects()->set_withheld(
      WithheldIn(streams, filter->position));
  return absl::OkStatus();
}

absl::Status ReplayedLog::PartnerView(
    const v1::GetPartnerViewRequest& request, absl::Time now,
    v1::GetPartnerViewResponse* response) const {
  if (absl::Status s = pj::CheckId("agency_id", request.agency_id()); !s.ok()) {
    return s;
  }
  absl::StatusOr<pj::AsOfFilter> filter =
      pj::ParseAsOf(request.as_of(), head_, head_, now);
  if (!filter.ok()) return filter.status();
  const std::string& agency = request.agency_id();
  if (state_.agencies().find(agency) == state_.agencies().end()) {
    return pj::NotFound(
        pj::kReasonAgencyNotFound,
        absl::StrCat("agency \"", agency, "\" is not registered"));
  }
  const std::vector<std::string> streams = pj::PartnerStreams(state_, agency);
  if (!pj::IsPast(request.as_of())) {
    pj::FillPartnerView(state_, agency, response);
  } else {
    v1::ProjectionState state;
    for (const pj::RecordedDomainEvent& e : Select(streams, *filter)) {
      pj::Apply(e, &state);
    }
    if (state.agencies().find(agency) == state.agencies().end()) {
      return pj::NotFound(
          pj::kReasonAgencyNotFound,
          absl::StrCat("agency \"", agency, "\" was not registered then"));
    }
    pj::FillPartnerView(state, agency, response);
  }
  *response->mutable_reflects() = pj::ReflectsOf(*filter);
  response->mutable_reflects()->set_withheld(
      WithheldIn(streams, filter->position));
  return absl::OkStatus();
}

absl::Status ReplayedLog::Report(const v1::GetReportRequest& request,
                                 absl::Time now,
                                 v1::GetReportResponse* response) const {
  if (absl::Status s = pj::CheckId("review_id", request.review_id()); !s.ok()) {
    return s;
  }
  if (absl::Status s = pj::CheckPeriod("period", request.period()); !s.ok()) {
    return s;
  }
  absl::StatusOr<pj::ReportLanguage> language =
      pj::CheckReportLanguage("language", request.language());
  if (!language.ok()) return language.status();
  absl::StatusOr<pj::ReportFormat> format =
      pj::CheckReportFormat("format", request.format());
  if (!format.ok()) return format.status();
  absl::StatusOr<pj::AsOfFilter> filter =
      pj::ParseAsOf(request.as_of(), head_, head_, now);
  if (!filter.ok()) return filter.status();
  // The streams the server folds a report from (a superset is fine: every
  // stream is cut at the position).
  pj::ReportScope scope;
  for (const pj::RecordedDomainEvent& e : domain_) {
    scope.Note(e.event, request.review_id());
  }
  pj::ReportRequest render;
  render.review_id = request.review_id();
  render.period = request.period();
  render.language = *language;
  render.format = *format;
  render.position = filter->position;
  render.effective_at = filter->effective_at;
  absl::StatusOr<std::string> content = pj::RenderReport(
      Select(scope.Streams(request.review_id()), *filter), render);
  if (!content.ok()) return content.status();
  *response->mutable_reflects() = pj::ReflectsOf(*filter);
  response->set_media_type(pj::ReportMediaType(*format));
  response->set_sha256(Sha256(*content));
  response->set_content(*std::move(content));
  return absl::OkStatus();
}

std::string FormatOfflineStatus(const absl::Status& status) {
  std::string reason;
  if (std::optional<std::string> r = eventstore::ReasonOf(status)) {
    reason = absl::StrCat(" (", *r, ")");
  }
  return absl::StrCat(absl::StatusCodeToString(status.code()), reason, ": ",
                      status.message());
}

}  // namespace oversight::cli
