// QueryService::History: ListHistory, paged through the read models'
// history postings (or the whole log when no subject is named).

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "eventstore/errors.h"
#include "projections/aggregates.h"
#include "projections/domain_errors.h"
#include "projections/need_to_know.h"
#include "projections/read_model.h"
#include "projections/status_macros.h"
#include "projections/validation.h"
#include "services/query_service.h"

namespace oversight::services {

namespace es = ::oversight::eventstore;
namespace pj = ::oversight::projections;

namespace {

// Candidates examined per page, at most: a page with a selective event
// type filter may come back short, with a token to go on.
constexpr size_t kMaxScan = 4096;

struct Candidate {
  uint64_t position;
  int64_t occurred_micros;
};

// The subjects a request names, most selective first.
absl::StatusOr<std::vector<std::string>> SubjectKeys(
    const v1::ListHistoryRequest& r) {
  std::vector<std::string> keys;
  if (r.number() != 0) {
    if (absl::Status s = pj::CheckId("review_id", r.review_id()); !s.ok()) {
      return s;
    }
    if (absl::Status s = pj::CheckRecommendationNumber("number", r.number());
        !s.ok()) {
      return s;
    }
    keys.push_back(pj::RecommendationHistoryKey(r.review_id(), r.number()));
  } else if (!r.review_id().empty()) {
    if (absl::Status s = pj::CheckId("review_id", r.review_id()); !s.ok()) {
      return s;
    }
    keys.push_back(pj::ReviewHistoryKey(r.review_id()));
  }
  if (!r.person().empty()) {
    if (absl::Status s = pj::CheckId("agency_id", r.agency_id()); !s.ok()) {
      return s;
    }
    if (absl::Status s =
            pj::CheckPlainText("person", r.person(), pj::kMaxPersonChars, true);
        !s.ok()) {
      return s;
    }
    keys.push_back(pj::PersonHistoryKey(r.agency_id(), r.person()));
  } else if (!r.agency_id().empty()) {
    if (absl::Status s = pj::CheckId("agency_id", r.agency_id()); !s.ok()) {
      return s;
    }
    keys.push_back(pj::AgencyHistoryKey(r.agency_id()));
  }
  return keys;
}

// The history keys an event the reader may not read can be found under:
// what its envelope and its stream say (the recording agency; the review
// and recommendation its stream is), never what its payload names or who
// within the agency recorded it.
std::vector<std::string> EnvelopeKeys(const pj::RecordedDomainEvent& e) {
  std::vector<std::string> keys = {
      pj::AgencyHistoryKey(e.event.actor().agency_id())};
  absl::string_view stream = e.stream;
  if (absl::ConsumePrefix(&stream, "review-")) {
    keys.push_back(pj::ReviewHistoryKey(stream));
  } else if (absl::ConsumePrefix(&stream, "recommendation-")) {
    const size_t dash = stream.rfind('-');
    int32_t number = 0;
    if (dash != absl::string_view::npos &&
        absl::SimpleAtoi(stream.substr(dash + 1), &number)) {
      keys.push_back(pj::ReviewHistoryKey(stream.substr(0, dash)));
      keys.push_back(
          pj::RecommendationHistoryKey(stream.substr(0, dash), number));
    }
  }
  return keys;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> QueryService::HistoryKeys(
    const v1::ListHistoryRequest& request) {
  absl::StatusOr<std::vector<std::string>> keys = SubjectKeys(request);
  if (!keys.ok()) return keys.status();
  for (const std::string& type : request.event_types()) {
    if (type.empty() || type.size() > 256) {
      return pj::InvalidArgument(
          pj::kReasonMissingField,
          "event_types holds an empty or over-long type");
    }
  }
  return keys;
}

absl::Status QueryService::History(const Reading& reading,
                                   const v1::ListHistoryRequest& request,
                                   v1::ListHistoryResponse* response) {
  if (request.page_size() < 0 || request.page_size() > kMaxPageSize) {
    return es::WithReason(
        absl::InvalidArgumentError(
            absl::StrCat("page_size must be 0 (default ", kDefaultPageSize,
                         ") to ", kMaxPageSize, ", not ", request.page_size())),
        kReasonInvalidPageSize);
  }
  const size_t page_size =
      request.page_size() == 0 ? kDefaultPageSize : request.page_size();
  absl::StatusOr<std::vector<std::string>> keys = HistoryKeys(request);
  if (!keys.ok()) return keys.status();
  if (request.has_occurred_from()) {
    RETURN_IF_ERROR(CheckTimestamp("occurred_from", request.occurred_from()));
  }
  if (request.has_occurred_to()) {
    RETURN_IF_ERROR(CheckTimestamp("occurred_to", request.occurred_to()));
  }
  absl::StatusOr<pj::AsOfFilter> filter = ParseAsOf(
      request.as_of(), host_->position(), log_->Head().position, clock_());
  if (!filter.ok()) return filter.status();
  const std::string digest = PageTokens::FilterDigest(request);
  PageTokens::Page page{0, filter->position};
  if (!request.page_token().empty()) {
    absl::StatusOr<PageTokens::Page> read =
        tokens_.Read(request.page_token(), digest);
    if (!read.ok()) return read.status();
    page = *read;
  }
  filter->position = page.pinned_position;
  const int64_t effective = filter->effective_at.has_value()
                                ? absl::ToUnixMicros(*filter->effective_at)
                                : std::numeric_limits<int64_t>::max();
  HistoryStretch stretch;
  if (absl::Status s =
          ScanHistory(reading, request, *keys, effective, page.after_position,
                      page.pinned_position, page_size,
                      response->mutable_entries(), &stretch);
      !s.ok()) {
    return s;
  }
  if (stretch.more) {
    response->set_next_page_token(
        tokens_.Issue({stretch.last_examined, page.pinned_position}, digest));
  }
  *response->mutable_reflects() = ReflectsOf(*filter);
  return RecordConsultation(reading, request, stretch.disclosed,
                            response->mutable_reflects());
}

absl::Status QueryService::ScanHistory(
    const Reading& reading, const v1::ListHistoryRequest& request,
    const std::vector<std::string>& subject_keys, int64_t effective,
    uint64_t after_position, uint64_t pinned_position, size_t page_size,
    google::protobuf::RepeatedPtrField<v1::HistoryEntry>* entries,
    HistoryStretch* stretch) {
  const std::vector<std::string>* const keys = &subject_keys;
  const PageTokens::Page page{after_position, pinned_position};
  const int64_t from = request.has_occurred_from()
                           ? Micros(request.occurred_from())
                           : std::numeric_limits<int64_t>::min();
  const int64_t to = request.has_occurred_to()
                         ? Micros(request.occurred_to())
                         : std::numeric_limits<int64_t>::max();
  auto admits_time = [&](int64_t occurred) {
    return occurred >= from && occurred < to && occurred <= effective;
  };

  // Candidates after the page's start, up to the pinned position.
  std::vector<Candidate> candidates;
  bool more = false;
  if (!keys->empty()) {
    host_->Read([&](const v1::ProjectionState& state) {
      auto it = state.history().find(keys->front());
      if (it == state.history().end()) return;
      const auto& positions = it->second.positions();
      const auto& occurred = it->second.occurred_micros();
      auto start = std::upper_bound(positions.begin(), positions.end(),
                                    page.after_position);
      for (int i = static_cast<int>(start - positions.begin());
           i < positions.size(); ++i) {
        if (positions[i] > page.pinned_position) break;
        if (candidates.size() == kMaxScan) {
          more = true;
          break;
        }
        if (admits_time(occurred[i])) {
          candidates.push_back({positions[i], occurred[i]});
        }
      }
    });
  }

  auto wanted_type = [&](const std::string& type) {
    return request.event_types().empty() ||
           std::find(request.event_types().begin(), request.event_types().end(),
                     type) != request.event_types().end();
  };
  std::vector<pj::RecordedDomainEvent> found;
  uint64_t last_examined = page.after_position;
  auto consider = [&](pj::RecordedDomainEvent e) {
    if (!admits_time(Micros(e.event.occurred_at()))) return;
    if (!pj::MayRead(reading.reader, e.event)) {
      // Withheld: found only by what its envelope says, so that no filter
      // tells the reader what the event is or whom it names.
      if (!request.event_types().empty()) return;
      const std::vector<std::string> envelope = EnvelopeKeys(e);
      for (const std::string& key : *keys) {
        if (std::find(envelope.begin(), envelope.end(), key) ==
            envelope.end()) {
          return;
        }
      }
      found.push_back(std::move(e));
      return;
    }
    if (!wanted_type(pj::EventTypeName(e.event))) return;
    if (keys->size() > 1) {
      const std::vector<std::string> of = pj::HistoryKeysOf(e.event);
      for (size_t k = 1; k < keys->size(); ++k) {
        if (std::find(of.begin(), of.end(), (*keys)[k]) == of.end()) return;
      }
    }
    found.push_back(std::move(e));
  };
  if (!keys->empty()) {
    size_t i = 0;
    for (; i < candidates.size() && found.size() < page_size; ++i) {
      absl::StatusOr<std::optional<pj::RecordedDomainEvent>> e =
          ReadAt(log_, candidates[i].position);
      if (!e.ok()) return e.status();
      last_examined = candidates[i].position;
      if (e->has_value()) consider(**e);
    }
    more = more || i < candidates.size();
  } else {
    // No subject: walk the log itself.
    uint64_t next = page.after_position + 1;
    size_t scanned = 0;
    while (next <= page.pinned_position && found.size() < page_size &&
           scanned < kMaxScan) {
      const size_t want =
          std::min<uint64_t>(std::min<size_t>(kMaxScan - scanned, 1000),
                             page.pinned_position - next + 1);
      absl::StatusOr<es::ReadResult> read =
          log_->ReadAll(next, es::Direction::kForwards, want, {});
      if (!read.ok()) return read.status();
      if (read->events.empty()) break;
      for (const es::RecordedEvent& r : read->events) {
        if (r.position > page.pinned_position || found.size() == page_size) {
          break;
        }
        ++scanned;
        last_examined = r.position;
        if (std::optional<pj::RecordedDomainEvent> e = pj::ToDomainEvent(r)) {
          consider(*std::move(e));
        }
      }
      next = last_examined + 1;
    }
    more = last_examined < page.pinned_position;
  }

  // Corrections beside what they correct; sensitive events the reader may
  // not read in their place, withheld.
  Disclosed& disclosed = stretch->disclosed;
  host_->Read([&](const v1::ProjectionState& state) {
    auto update_of =
        [&](const std::string& review_id, int32_t number,
            const std::string& update_id) -> const v1::ProjectedUpdate* {
      auto review = state.reviews().find(review_id);
      if (review == state.reviews().end()) return nullptr;
      auto rec = review->second.recommendations().find(number);
      if (rec == review->second.recommendations().end()) return nullptr;
      auto u = rec->second.updates().find(update_id);
      return u == rec->second.updates().end() ? nullptr : &u->second;
    };
    for (pj::RecordedDomainEvent& e : found) {
      v1::HistoryEntry* entry = entries->Add();
      entry->set_position(e.position);
      entry->set_hash(es::HashToHex(e.hash));
      const int64_t recorded = absl::ToUnixMicros(e.recorded_at);
      entry->mutable_recorded_at()->set_seconds(recorded / 1000000);
      entry->mutable_recorded_at()->set_nanos(
          static_cast<int32_t>(recorded % 1000000 * 1000));
      if (pj::IsSensitive(e.event)) {
        if (!pj::MayRead(reading.reader, e.event)) {
          // Where it is, when, its classification and whose: no stream,
          // no type, no payload.
          ++disclosed.withheld;
          entry->set_withheld(true);
          *entry->mutable_event() = pj::WithheldEnvelope(e.event);
          continue;
        }
        disclosed.consulted.push_back(e.position);
      }
      entry->set_stream(e.stream);
      entry->set_event_type(pj::EventTypeName(e.event));
      const v1::DomainEvent& d = e.event;
      const v1::ProjectedUpdate* u = nullptr;
      if (d.has_progress_update_submitted()) {
        const auto& o = d.progress_update_submitted();
        u = update_of(o.review_id(), o.number(), o.update_id());
        if (u != nullptr) {
          // A sensitive correction or withdrawal (by the update's own
          // agency) is listed only to a reader who may read it.
          const auto sensitive = state.sensitive().find(
              pj::RecommendationHistoryKey(o.review_id(), o.number()));
          v1::DomainEvent by_the_same_agency;
          by_the_same_agency.set_classification(
              v1::CLASSIFICATION_OFFICIAL_SENSITIVE);
          *by_the_same_agency.mutable_actor() = d.actor();
          const bool may_read_sensitive =
              pj::MayRead(reading.reader, by_the_same_agency);
          for (uint64_t p : u->corrected_by_positions()) {
            if (p > page.pinned_position) continue;
            if (!may_read_sensitive && sensitive != state.sensitive().end() &&
                std::binary_search(sensitive->second.positions().begin(),
                                   sensitive->second.positions().end(), p)) {
              continue;
            }
            entry->add_corrected_by_positions(p);
          }
        }
      } else if (d.has_progress_update_corrected()) {
        const auto& o = d.progress_update_corrected();
        u = update_of(o.review_id(), o.number(), o.update_id());
        if (u != nullptr) entry->set_corrects_position(u->position());
      } else if (d.has_progress_update_withdrawn()) {
        const auto& o = d.progress_update_withdrawn();
        u = update_of(o.review_id(), o.number(), o.update_id());
        if (u != nullptr) entry->set_corrects_position(u->position());
      }
      *entry->mutable_event() = std::move(e.event);
    }
  });
  stretch->last_examined = last_examined;
  stretch->more = more;
  return absl::OkStatus();
}

}  // namespace oversight::services
