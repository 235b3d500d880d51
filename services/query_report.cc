// The report queries of QueryService (GetReport, VerifyReport), and the
// rendering from the log they share with PublishReport.

#include "services/query_report.h"

#include <algorithm>
#include <functional>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "eventstore/errors.h"
#include "eventstore/limits.h"
#include "projections/aggregates.h"
#include "projections/domain_errors.h"
#include "projections/query_scope.h"
#include "projections/validation.h"
#include "services/query_service.h"

namespace oversight::services {

namespace es = ::oversight::eventstore;
namespace pj = ::oversight::projections;

namespace {

constexpr char kRecommendationIssuedType[] =
    "oversight.v1.RecommendationIssued";
constexpr char kProgrammeRegisteredType[] = "oversight.v1.ProgrammeRegistered";

// `line` cut to kMaxDifferenceLineBytes without splitting a UTF-8
// character, with "..." after a cut. A line that is not valid UTF-8 (a
// caller's copy may hold anything) has its non-ASCII bytes shown as "?",
// as a string field must be UTF-8.
std::string Cut(absl::string_view line) {
  size_t chars = 0;
  bool control = false;
  if (!pj::ScanUtf8(line, &chars, &control)) {
    std::string ascii(line.substr(0, kMaxDifferenceLineBytes));
    for (char& c : ascii) {
      if (static_cast<unsigned char>(c) >= 0x80) c = '?';
    }
    if (line.size() > kMaxDifferenceLineBytes) ascii += "...";
    return ascii;
  }
  if (line.size() <= kMaxDifferenceLineBytes) return std::string(line);
  size_t end = kMaxDifferenceLineBytes;
  // Back off continuation bytes (10xxxxxx) to a character's start.
  while (end > 0 && (static_cast<unsigned char>(line[end]) & 0xC0) == 0x80) {
    --end;
  }
  return absl::StrCat(line.substr(0, end), "...");
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ReportRenderer::Streams(
    const std::string& review_id, uint64_t position) const {
  pj::ReportScope scope;
  // What the live models know (up to their position), then the log's
  // issuings and registrations after that, up to `position`.
  es::Position from = 1;
  if (host_ != nullptr) {
    host_->Read([&](const v1::ProjectionState& state) {
      from = state.position() + 1;
      auto review = state.reviews().find(review_id);
      if (review != state.reviews().end()) {
        for (const auto& [number, rec] : review->second.recommendations()) {
          scope.numbers.insert(number);
        }
      }
      for (const auto& [id, programme] : state.programmes()) {
        if (programme.review_id() == review_id) scope.programmes.insert(id);
      }
    });
  }
  es::EventFilter filter;
  filter.event_types = {kRecommendationIssuedType, kProgrammeRegisteredType};
  while (from <= position) {
    absl::StatusOr<es::ReadResult> page = log_->ReadAll(
        from, es::Direction::kForwards, es::kMaxReadCount, filter);
    if (!page.ok()) return page.status();
    for (const es::RecordedEvent& r : page->events) {
      if (r.position > position) break;
      std::optional<pj::RecordedDomainEvent> e = pj::ToDomainEvent(r);
      if (e.has_value()) scope.Note(e->event, review_id);
    }
    // A selective filter may return a short or empty page before the end:
    // go on from `next` until the end or past `position`.
    if (page->end_reached || page->next <= from) break;
    from = page->next;
  }
  return scope.Streams(review_id);
}

absl::StatusOr<std::string> ReportRenderer::Render(
    const pj::ReportRequest& request, const pj::AsOfFilter& filter) const {
  absl::StatusOr<std::vector<std::string>> streams =
      Streams(request.review_id, filter.position);
  if (!streams.ok()) return streams.status();
  absl::StatusOr<std::vector<pj::RecordedDomainEvent>> events =
      ReadStreams(log_, *streams, filter);
  if (!events.ok()) return events.status();
  return pj::RenderReport(*events, request);
}

absl::StatusOr<uint64_t> LogReportSealer::Head() {
  return log_->Head().position;
}

absl::StatusOr<pj::ReportSealer::Sealed> LogReportSealer::Seal(
    const pj::ReportRequest& request) {
  absl::StatusOr<std::string> content =
      renderer_->Render(request, pj::AsOfFilter{request.position, {}});
  if (!content.ok()) return content.status();
  Sealed sealed;
  sealed.sha256 = Sha256Of(*content);
  sealed.byte_size = content->size();
  return sealed;
}

std::optional<LineDifference> FirstDifference(absl::string_view expected,
                                              absl::string_view actual) {
  if (expected == actual) return std::nullopt;
  const std::vector<absl::string_view> a = absl::StrSplit(expected, '\n');
  const std::vector<absl::string_view> b = absl::StrSplit(actual, '\n');
  for (size_t i = 0;; ++i) {
    const bool a_missing = i >= a.size();
    const bool b_missing = i >= b.size();
    if (!a_missing && !b_missing && a[i] == b[i]) continue;
    // Unequal texts differ at some line (or one has more lines).
    LineDifference d;
    d.line = static_cast<int>(i + 1);
    d.expected_missing = a_missing;
    d.actual_missing = b_missing;
    if (!a_missing) d.expected = Cut(a[i]);
    if (!b_missing) d.actual = Cut(b[i]);
    return d;
  }
}

// The latest ReportPublished event of review `review_id` that `matches`,
// or nullptr; NOT_FOUND when the review has no events at all. `events`
// keeps what the pointer points into.
absl::StatusOr<const pj::RecordedDomainEvent*> LatestPublication(
    es::EventLog* log, const std::string& review_id,
    const std::function<bool(const pj::RecordedDomainEvent&)>& matches,
    std::vector<pj::RecordedDomainEvent>* events) {
  // Publications are recorded in the review's stream.
  absl::StatusOr<std::vector<pj::RecordedDomainEvent>> read =
      ReadStreams(log, {pj::ReviewStream(review_id)}, pj::AsOfFilter{});
  if (!read.ok()) return read.status();
  *events = *std::move(read);
  if (events->empty()) {
    return pj::NotFound(
        pj::kReasonReviewNotFound,
        absl::StrCat("review \"", review_id, "\" does not exist"));
  }
  const pj::RecordedDomainEvent* found = nullptr;
  for (const pj::RecordedDomainEvent& e : *events) {
    if (e.event.has_report_published() && matches(e)) {
      found = &e;  // the latest wins
    }
  }
  return found;
}

// --------------------------------------------------------------- GetReport

absl::Status QueryService::ReportContent(const Reading& reading,
                                         const v1::GetReportRequest& request,
                                         v1::GetReportResponse* response) {
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
  absl::StatusOr<pj::AsOfFilter> filter = ParseAsOf(
      request.as_of(), host_->position(), log_->Head().position, clock_());
  if (!filter.ok()) return filter.status();
  if (reading.caller.role == Role::kPanel) {
    // The Panel reads published reports only: the latest publication of
    // this period, language and format, as it was sealed.
    if (IsPast(request.as_of())) {
      return es::WithReason(
          absl::PermissionDeniedError(
              "the Panel reads published reports only, as they were "
              "published: leave as_of unset"),
          kReasonPublishedReportsOnly);
    }
    std::vector<pj::RecordedDomainEvent> events;
    absl::StatusOr<const pj::RecordedDomainEvent*> published =
        LatestPublication(
            log_, request.review_id(),
            [&](const pj::RecordedDomainEvent& e) {
              const v1::ReportPublished& p = e.event.report_published();
              return p.period() == request.period() &&
                     p.language() == request.language() &&
                     p.format() == request.format();
            },
            &events);
    if (!published.ok()) return published.status();
    if (*published == nullptr) {
      return pj::NotFound(
          pj::kReasonReportNotPublished,
          absl::StrCat("review \"", request.review_id(),
                       "\" has published no report for ", request.period(),
                       " in that language and format, and the Panel reads "
                       "published reports only"));
    }
    filter->position =
        (*published)->event.report_published().rendered_position();
    filter->effective_at.reset();
  }
  // Whether the review exists is RenderReport's to say (NOT_FOUND), as at
  // the position asked: the live read models may not have reached it.
  pj::ReportRequest render;
  render.review_id = request.review_id();
  render.period = request.period();
  render.language = *language;
  render.format = *format;
  render.position = filter->position;
  render.effective_at = filter->effective_at;
  absl::StatusOr<std::string> content = reports_.Render(render, *filter);
  if (!content.ok()) return content.status();
  *response->mutable_reflects() = ReflectsOf(*filter);
  // A report rendered is a disclosure, recorded before it is sent (with
  // no positions: a report holds no sensitive content).
  Access access;
  access.kind = v1::ACCESS_KIND_DISCLOSURE;
  access.method = RpcName<v1::Queries, v1::GetReportRequest>();
  access.query = AccessLog::QueryText(request);
  access.justification = reading.justification;
  access.recipients.assign(request.recipients().begin(),
                           request.recipients().end());
  absl::StatusOr<uint64_t> recorded =
      access_log_.Record(reading.caller, std::move(access));
  if (!recorded.ok()) return recorded.status();
  response->mutable_reflects()->set_access_recorded_position(*recorded);
  response->set_media_type(pj::ReportMediaType(*format));
  response->set_sha256(Sha256Of(*content));
  response->set_content(*std::move(content));
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* QueryService::GetReport(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request,
    grpc::ByteBuffer* raw_response) {
  return Serve<v1::GetReportRequest, v1::GetReportResponse>(
      context, raw_request, raw_response,
      [this](const Reading& reading, const v1::GetReportRequest& request,
             v1::GetReportResponse* response) {
        return ReportContent(reading, request, response);
      });
}

// ------------------------------------------------------------ VerifyReport

absl::Status QueryService::ReportVerification(
    const v1::VerifyReportRequest& request,
    v1::VerifyReportResponse* response) {
  if (absl::Status s = pj::CheckId("review_id", request.review_id()); !s.ok()) {
    return s;
  }
  const bool by_position = request.publication_position() != 0;
  if (!by_position) {
    if (absl::Status s = pj::CheckPeriod("period", request.period()); !s.ok()) {
      return s;
    }
    for (const absl::Status& s :
         {pj::CheckReportLanguage("language", request.language()).status(),
          pj::CheckReportFormat("format", request.format()).status()}) {
      if (!s.ok()) return s;
    }
  }
  std::vector<pj::RecordedDomainEvent> events;
  absl::StatusOr<const pj::RecordedDomainEvent*> latest = LatestPublication(
      log_, request.review_id(),
      [&](const pj::RecordedDomainEvent& e) {
        const v1::ReportPublished& p = e.event.report_published();
        return by_position ? e.position == request.publication_position()
                           : p.period() == request.period() &&
                                 p.language() == request.language() &&
                                 p.format() == request.format();
      },
      &events);
  if (!latest.ok()) return latest.status();
  const pj::RecordedDomainEvent* found = *latest;
  if (found == nullptr) {
    return pj::NotFound(
        pj::kReasonReportNotPublished,
        by_position
            ? absl::StrCat("position ", request.publication_position(),
                           " is not a publication of review \"",
                           request.review_id(), "\"")
            : absl::StrCat("review \"", request.review_id(),
                           "\" has published no report for ", request.period(),
                           " in that language and format"));
  }
  const v1::ReportPublished& sealed = found->event.report_published();
  pj::ReportRequest render;
  render.review_id = sealed.review_id();
  render.period = sealed.period();
  render.language = sealed.language() == v1::REPORT_LANGUAGE_WELSH
                        ? pj::ReportLanguage::kWelsh
                        : pj::ReportLanguage::kEnglish;
  render.format = sealed.format() == v1::REPORT_FORMAT_HTML
                      ? pj::ReportFormat::kHtml
                      : pj::ReportFormat::kMarkdown;
  render.position = sealed.rendered_position();
  absl::StatusOr<std::string> rendered =
      reports_.Render(render, pj::AsOfFilter{sealed.rendered_position(), {}});
  if (!rendered.ok()) return rendered.status();

  response->set_publication_position(found->position);
  *response->mutable_publication() = sealed;
  *response->mutable_published_at() = found->event.occurred_at();
  *response->mutable_published_by() = found->event.actor();
  response->set_rendered_sha256(Sha256Of(*rendered));
  response->set_rendered_byte_size(rendered->size());
  response->set_matches(response->rendered_sha256() == sealed.sha256());
  if (!request.content().empty()) {
    response->set_content_checked(true);
    response->set_content_sha256(Sha256Of(request.content()));
    response->set_content_matches(response->content_sha256() ==
                                  sealed.sha256());
    if (std::optional<LineDifference> d =
            FirstDifference(*rendered, request.content())) {
      v1::ReportDifference* out = response->mutable_content_difference();
      out->set_line(d->line);
      out->set_expected(d->expected);
      out->set_actual(d->actual);
      out->set_expected_missing(d->expected_missing);
      out->set_actual_missing(d->actual_missing);
    }
  }
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* QueryService::VerifyReport(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request,
    grpc::ByteBuffer* raw_response) {
  return Serve<v1::VerifyReportRequest, v1::VerifyReportResponse>(
      context, raw_request, raw_response,
      [this](const Reading&, const v1::VerifyReportRequest& request,
             v1::VerifyReportResponse* response) {
        return ReportVerification(request, response);
      });
}

}  // namespace oversight::services
