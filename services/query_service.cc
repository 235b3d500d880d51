#include "services/query_service.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "eventstore/errors.h"
#include "projections/aggregates.h"
#include "projections/domain_errors.h"
#include "projections/query_scope.h"
#include "projections/recommendation_detail.h"
#include "projections/validation.h"
#include "projections/views.h"
#include "services/status_mapping.h"

namespace oversight::services {

namespace es = ::oversight::eventstore;
namespace pj = ::oversight::projections;

namespace {

// A call's deadline as an absl::Time, a little early so that the answer
// (DEADLINE_EXCEEDED with its reason) reaches the client before gRPC
// cancels the call itself.
absl::Time WaitDeadline(const grpc::CallbackServerContext& context) {
  const auto deadline = context.deadline();
  if (deadline == std::chrono::system_clock::time_point::max()) {
    return absl::InfiniteFuture();
  }
  const absl::Time at = absl::FromChrono(deadline);
  const absl::Duration left = at - absl::Now();
  return at - std::min(absl::Milliseconds(50), left / 10);
}

absl::Status ReviewNotFound(absl::string_view review_id) {
  return pj::NotFound(
      pj::kReasonReviewNotFound,
      absl::StrCat("review \"", review_id,
                   "\" does not exist (as at the moment asked)"));
}

const v1::ProjectedReview* FindReview(const v1::ProjectionState& state,
                                      const std::string& id) {
  auto it = state.reviews().find(id);
  return it == state.reviews().end() ? nullptr : &it->second;
}

}  // namespace

std::optional<uint64_t> QueryService::OfficialVersion(
    const v1::ProjectionState& state, const std::string& review_id,
    const pj::Reader& reader) {
  const std::string key = pj::ReviewHistoryKey(review_id);
  if (!ReadsNoneOf(state, key, reader)) return std::nullopt;
  auto postings = state.history().find(key);
  if (postings == state.history().end() ||
      postings->second.positions().empty()) {
    return std::nullopt;
  }
  return *postings->second.positions().rbegin();
}

QueryService::QueryService(es::EventLog* log, ProjectionHost* host,
                           Executor* executor, const CallGate* gate,
                           PageTokens tokens, std::function<absl::Time()> clock)
    : log_(log),
      host_(host),
      executor_(executor),
      gate_(gate),
      tokens_(std::move(tokens)),
      clock_(std::move(clock)),
      reports_(log, host),
      access_log_(log, clock_) {}

void QueryService::Run(RawUnaryReactor* call, uint64_t min_position,
                       std::function<absl::Status()> work) {
  auto run = [this, call, work = std::move(work)]() mutable {
    executor_->Schedule(
        [call, work = std::move(work)] { call->Answer(work()); });
  };
  if (min_position == 0) {
    run();
    return;
  }
  host_->WhenReached(
      min_position, WaitDeadline(*call->context()),
      [call, run = std::move(run)](const absl::Status& reached) mutable {
        if (!reached.ok()) {
          call->Answer(reached);
          return;
        }
        run();
      });
}

std::vector<pj::RecordedDomainEvent> QueryService::ForReader(
    std::vector<pj::RecordedDomainEvent> events, const pj::Reader& reader,
    Disclosed* disclosed) {
  pj::ForReader visible = pj::FilterForReader(std::move(events), reader);
  disclosed->consulted.insert(disclosed->consulted.end(),
                              visible.consulted.begin(),
                              visible.consulted.end());
  disclosed->withheld += visible.withheld;
  return std::move(visible.events);
}

bool QueryService::LiveAnswers(const v1::ProjectionState& state,
                               const std::string& key, const pj::Reader& reader,
                               Disclosed* disclosed) {
  auto it = state.sensitive().find(key);
  if (it == state.sensitive().end() || it->second.positions().empty()) {
    return true;
  }
  if (!reader.justified || !reader.entitled_to_all) return false;
  disclosed->consulted.assign(it->second.positions().begin(),
                              it->second.positions().end());
  return true;
}

bool QueryService::ReadsNoneOf(const v1::ProjectionState& state,
                               const std::string& review_key,
                               const pj::Reader& reader) {
  if (!reader.justified) return true;
  if (reader.entitled_to_all) return false;
  if (reader.agency_id.empty()) return true;
  // Its own sensitive events are among those under its agency's key
  // (which also holds those that merely name it: a miss, never a leak).
  auto in_review = state.sensitive().find(review_key);
  auto own = state.sensitive().find(pj::AgencyHistoryKey(reader.agency_id));
  if (in_review == state.sensitive().end() || own == state.sensitive().end()) {
    return true;
  }
  const auto& a = in_review->second.positions();
  const auto& b = own->second.positions();
  auto i = a.begin();
  auto j = b.begin();
  while (i != a.end() && j != b.end()) {
    if (*i == *j) return false;
    if (*i < *j) {
      ++i;
    } else {
      ++j;
    }
  }
  return true;
}

absl::StatusOr<std::shared_ptr<const QueryService::OfficialFold>>
QueryService::OfficialReview(const std::string& review_id, uint64_t version,
                             uint64_t position) {
  {
    absl::MutexLock lock(&folds_mu_);
    auto it = official_folds_.find(review_id);
    if (it != official_folds_.end() && it->second->version == version) {
      return it->second;
    }
  }
  pj::AsOfFilter filter;
  filter.position = position;
  Disclosed disclosed;
  absl::StatusOr<v1::ProjectionState> state =
      ReviewAsOf(review_id, filter, pj::Reader{}, &disclosed);
  if (!state.ok()) return state.status();
  auto fold = std::make_shared<OfficialFold>();
  fold->version = version;
  fold->review = std::move(state->mutable_reviews()->at(review_id));
  fold->withheld = disclosed.withheld;
  // At most this many reviews' folds are kept (each some tens of KB).
  constexpr size_t kMaxOfficialFolds = 512;
  absl::MutexLock lock(&folds_mu_);
  auto& slot = official_folds_[review_id];
  if (slot == nullptr || slot->version <= version) {
    if (slot == nullptr && official_folds_.size() > kMaxOfficialFolds) {
      official_folds_.clear();
      official_folds_[review_id] = fold;
    } else {
      slot = fold;
    }
  }
  return std::shared_ptr<const OfficialFold>(std::move(fold));
}

absl::Status QueryService::Record(const Reading& reading,
                                  const std::string& method,
                                  const google::protobuf::Message& request,
                                  const Disclosed& disclosed,
                                  v1::Reflects* reflects) {
  reflects->set_withheld(disclosed.withheld);
  if (disclosed.consulted.empty()) return absl::OkStatus();
  Access access;
  access.kind = v1::ACCESS_KIND_CONSULTATION;
  access.method = method;
  access.query = AccessLog::QueryText(request);
  access.positions = disclosed.consulted;
  access.justification = reading.justification;
  absl::StatusOr<uint64_t> at = access_log_.Record(reading.caller, access);
  if (!at.ok()) return at.status();
  reflects->set_access_recorded_position(*at);
  return absl::OkStatus();
}

absl::StatusOr<v1::ProjectionState> QueryService::ReviewAsOf(
    const std::string& review_id, const pj::AsOfFilter& filter,
    const pj::Reader& reader, Disclosed* disclosed) {
  std::vector<std::string> streams;
  bool known = false;
  host_->Read([&](const v1::ProjectionState& state) {
    if (FindReview(state, review_id) == nullptr) return;
    known = true;
    streams = pj::ReviewStreams(state, review_id);
  });
  if (!known) return ReviewNotFound(review_id);
  absl::StatusOr<std::vector<pj::RecordedDomainEvent>> events =
      ReadStreams(log_, streams, filter);
  if (!events.ok()) return events.status();
  v1::ProjectionState state;
  for (const pj::RecordedDomainEvent& e :
       ForReader(*std::move(events), reader, disclosed)) {
    pj::Apply(e, &state);
  }
  if (FindReview(state, review_id) == nullptr) return ReviewNotFound(review_id);
  return state;
}

// ------------------------------------------------------------- the board

absl::Status QueryService::StatusBoard(const Reading& reading,
                                       const v1::GetStatusBoardRequest& request,
                                       v1::GetStatusBoardResponse* response) {
  if (absl::Status s = pj::CheckId("review_id", request.review_id()); !s.ok()) {
    return s;
  }
  absl::StatusOr<pj::AsOfFilter> filter = ParseAsOf(
      request.as_of(), host_->position(), log_->Head().position, clock_());
  if (!filter.ok()) return filter.status();
  bool fold = IsPast(request.as_of());
  Disclosed disclosed;
  std::optional<uint64_t> official_version;
  if (!fold) {
    bool found = false;
    host_->Read([&](const v1::ProjectionState& state) {
      const v1::ProjectedReview* review =
          FindReview(state, request.review_id());
      if (review == nullptr) return;
      found = true;
      filter->position = state.position();
      // Sensitive events in it the reader may not read: fold for the
      // reader, as at this position.
      fold = !LiveAnswers(state, pj::ReviewHistoryKey(request.review_id()),
                          reading.reader, &disclosed);
      if (!fold) {
        pj::FillStatusBoard(*review, response);
      } else {
        official_version =
            OfficialVersion(state, request.review_id(), reading.reader);
      }
    });
    if (!found) return ReviewNotFound(request.review_id());
  }
  if (official_version.has_value()) {
    absl::StatusOr<std::shared_ptr<const OfficialFold>> official =
        OfficialReview(request.review_id(), *official_version,
                       filter->position);
    if (!official.ok()) return official.status();
    pj::FillStatusBoard((*official)->review, response);
    disclosed.withheld = (*official)->withheld;
  } else if (fold) {
    absl::StatusOr<v1::ProjectionState> state =
        ReviewAsOf(request.review_id(), *filter, reading.reader, &disclosed);
    if (!state.ok()) return state.status();
    pj::FillStatusBoard(state->reviews().at(request.review_id()), response);
  }
  *response->mutable_reflects() = ReflectsOf(*filter);
  return RecordConsultation(reading, request, disclosed,
                            response->mutable_reflects());
}

grpc::ServerUnaryReactor* QueryService::GetStatusBoard(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request,
    grpc::ByteBuffer* raw_response) {
  return Serve<v1::GetStatusBoardRequest, v1::GetStatusBoardResponse>(
      context, raw_request, raw_response,
      [this](const Reading& reading, const v1::GetStatusBoardRequest& request,
             v1::GetStatusBoardResponse* response) {
        return StatusBoard(reading, request, response);
      });
}

// ---------------------------------------------------------- attention

absl::Status QueryService::Attention(const Reading& reading,
                                     const v1::ListAttentionRequest& request,
                                     v1::ListAttentionResponse* response) {
  if (absl::Status s = pj::CheckId("review_id", request.review_id()); !s.ok()) {
    return s;
  }
  const absl::Time now = clock_();
  absl::StatusOr<pj::AsOfFilter> filter =
      ParseAsOf(request.as_of(), host_->position(), log_->Head().position, now);
  if (!filter.ok()) return filter.status();
  const absl::CivilDay today =
      absl::ToCivilDay(filter->effective_at.value_or(now), absl::UTCTimeZone());
  bool fold = IsPast(request.as_of());
  Disclosed disclosed;
  std::optional<uint64_t> official_version;
  if (!fold) {
    bool found = false;
    host_->Read([&](const v1::ProjectionState& state) {
      const v1::ProjectedReview* review =
          FindReview(state, request.review_id());
      if (review == nullptr) return;
      found = true;
      filter->position = state.position();
      fold = !LiveAnswers(state, pj::ReviewHistoryKey(request.review_id()),
                          reading.reader, &disclosed);
      if (!fold) {
        pj::FillAttention(*review, today, response);
      } else {
        official_version =
            OfficialVersion(state, request.review_id(), reading.reader);
      }
    });
    if (!found) return ReviewNotFound(request.review_id());
  }
  if (official_version.has_value()) {
    absl::StatusOr<std::shared_ptr<const OfficialFold>> official =
        OfficialReview(request.review_id(), *official_version,
                       filter->position);
    if (!official.ok()) return official.status();
    pj::FillAttention((*official)->review, today, response);
    disclosed.withheld = (*official)->withheld;
  } else if (fold) {
    absl::StatusOr<v1::ProjectionState> state =
        ReviewAsOf(request.review_id(), *filter, reading.reader, &disclosed);
    if (!state.ok()) return state.status();
    pj::FillAttention(state->reviews().at(request.review_id()), today,
                      response);
  }
  *response->mutable_reflects() = ReflectsOf(*filter);
  return RecordConsultation(reading, request, disclosed,
                            response->mutable_reflects());
}

grpc::ServerUnaryReactor* QueryService::ListAttention(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request,
    grpc::ByteBuffer* raw_response) {
  return Serve<v1::ListAttentionRequest, v1::ListAttentionResponse>(
      context, raw_request, raw_response,
      [this](const Reading& reading, const v1::ListAttentionRequest& request,
             v1::ListAttentionResponse* response) {
        return Attention(reading, request, response);
      });
}

// ------------------------------------------------------ one recommendation

absl::Status QueryService::Recommendation(
    const Reading& reading, const v1::GetRecommendationRequest& request,
    v1::GetRecommendationResponse* response) {
  if (absl::Status s = pj::CheckId("review_id", request.review_id()); !s.ok()) {
    return s;
  }
  if (absl::Status s =
          pj::CheckRecommendationNumber("number", request.number());
      !s.ok()) {
    return s;
  }
  absl::StatusOr<pj::AsOfFilter> filter = ParseAsOf(
      request.as_of(), host_->position(), log_->Head().position, clock_());
  if (!filter.ok()) return filter.status();
  // The texts are not in the live models: always fold the two streams.
  absl::StatusOr<std::vector<pj::RecordedDomainEvent>> events = ReadStreams(
      log_,
      {pj::ReviewStream(request.review_id()),
       pj::RecommendationStream(request.review_id(), request.number())},
      *filter);
  if (!events.ok()) return events.status();
  Disclosed disclosed;
  const std::vector<pj::RecordedDomainEvent> visible =
      ForReader(*std::move(events), reading.reader, &disclosed);
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
  *response->mutable_reflects() = ReflectsOf(*filter);
  return RecordConsultation(reading, request, disclosed,
                            response->mutable_reflects());
}

grpc::ServerUnaryReactor* QueryService::GetRecommendation(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request,
    grpc::ByteBuffer* raw_response) {
  return Serve<v1::GetRecommendationRequest, v1::GetRecommendationResponse>(
      context, raw_request, raw_response,
      [this](const Reading& reading,
             const v1::GetRecommendationRequest& request,
             v1::GetRecommendationResponse* response) {
        return Recommendation(reading, request, response);
      });
}

// ---------------------------------------------------------- partner view

absl::Status QueryService::PartnerView(const Reading& reading,
                                       const v1::GetPartnerViewRequest& request,
                                       v1::GetPartnerViewResponse* response) {
  if (absl::Status s = pj::CheckId("agency_id", request.agency_id()); !s.ok()) {
    return s;
  }
  absl::StatusOr<pj::AsOfFilter> filter = ParseAsOf(
      request.as_of(), host_->position(), log_->Head().position, clock_());
  if (!filter.ok()) return filter.status();
  const std::string& agency = request.agency_id();
  bool found = false;
  bool fold = IsPast(request.as_of());
  std::vector<std::string> streams;
  host_->Read([&](const v1::ProjectionState& state) {
    if (state.agencies().find(agency) == state.agencies().end()) return;
    found = true;
    if (!fold) {
      filter->position = state.position();
      // Sensitive events by or naming the agency, or in a review it is in:
      // fold for the reader, as at this position.
      fold = pj::HasSensitive(state, pj::AgencyHistoryKey(agency));
      for (const auto& [review_id, review] : state.reviews()) {
        if (fold) break;
        for (const auto& [number, rec] : review.recommendations()) {
          const auto& c = rec.contributing_agency_ids();
          if ((rec.owning_agency_id() == agency ||
               std::find(c.begin(), c.end(), agency) != c.end()) &&
              pj::HasSensitive(state, pj::ReviewHistoryKey(review_id))) {
            fold = true;
            break;
          }
        }
      }
      if (!fold) {
        pj::FillPartnerView(state, agency, response);
        return;
      }
    }
    // What a replay needs: the agency's programmes, and the reviews and
    // recommendations it owns or contributes to.
    streams = pj::PartnerStreams(state, agency);
  });
  if (!found) {
    return pj::NotFound(
        pj::kReasonAgencyNotFound,
        absl::StrCat("agency \"", agency, "\" is not registered"));
  }
  Disclosed disclosed;
  if (fold) {
    absl::StatusOr<std::vector<pj::RecordedDomainEvent>> events =
        ReadStreams(log_, streams, *filter);
    if (!events.ok()) return events.status();
    v1::ProjectionState state;
    for (const pj::RecordedDomainEvent& e :
         ForReader(*std::move(events), reading.reader, &disclosed)) {
      pj::Apply(e, &state);
    }
    if (state.agencies().find(agency) == state.agencies().end()) {
      return pj::NotFound(
          pj::kReasonAgencyNotFound,
          absl::StrCat("agency \"", agency, "\" was not registered then"));
    }
    pj::FillPartnerView(state, agency, response);
  }
  *response->mutable_reflects() = ReflectsOf(*filter);
  return RecordConsultation(reading, request, disclosed,
                            response->mutable_reflects());
}

grpc::ServerUnaryReactor* QueryService::GetPartnerView(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request,
    grpc::ByteBuffer* raw_response) {
  return Serve<v1::GetPartnerViewRequest, v1::GetPartnerViewResponse>(
      context, raw_request, raw_response,
      [this](const Reading& reading, const v1::GetPartnerViewRequest& request,
             v1::GetPartnerViewResponse* response) {
        return PartnerView(reading, request, response);
      },
      // The table lets partners in; each only about itself.
      [](const Reading& reading, const v1::GetPartnerViewRequest& request) {
        return CheckPartnerAsksForItself(reading.caller, request.agency_id());
      });
}

grpc::ServerUnaryReactor* QueryService::ListHistory(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request,
    grpc::ByteBuffer* raw_response) {
  return Serve<v1::ListHistoryRequest, v1::ListHistoryResponse>(
      context, raw_request, raw_response,
      [this](const Reading& reading, const v1::ListHistoryRequest& request,
             v1::ListHistoryResponse* response) {
        return History(reading, request, response);
      });
}

grpc::ServerUnaryReactor* QueryService::ListAccessLog(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request,
    grpc::ByteBuffer* raw_response) {
  // Listing the access log holds no sensitive content: not itself recorded.
  return Serve<v1::ListAccessLogRequest, v1::ListAccessLogResponse>(
      context, raw_request, raw_response,
      [this](const Reading&, const v1::ListAccessLogRequest& request,
             v1::ListAccessLogResponse* response) {
        return services::ListAccessLog(log_, tokens_, request, response);
      });
}

}  // namespace oversight::services
