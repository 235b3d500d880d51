#include "clients/query_format.h"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/json_util.h"

namespace oversight::cli {
namespace {

constexpr char kEventTypePrefix[] = "oversight.v1.";

// google.protobuf.Timestamp's range: 0001-01-01 to 9999-12-31, UTC.
constexpr int64_t kMinTimestampSeconds = -62135596800;
constexpr int64_t kMaxTimestampSeconds = 253402300799;

absl::Time FromTimestamp(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

absl::StatusOr<google::protobuf::Timestamp> ToTimestamp(absl::Time t) {
  const int64_t seconds = absl::ToUnixSeconds(t);  // floors
  if (seconds < kMinTimestampSeconds || seconds > kMaxTimestampSeconds) {
    return absl::InvalidArgumentError(
        "the time is outside 0001-01-01 to 9999-12-31");
  }
  google::protobuf::Timestamp out;
  out.set_seconds(seconds);
  out.set_nanos(static_cast<int32_t>((t - absl::FromUnixSeconds(seconds)) /
                                     absl::Nanoseconds(1)));
  return out;
}

// "YYYY-MM-DD", digits and dashes exactly.
bool LooksLikeDate(absl::string_view s) {
  if (s.size() != 10) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 4 || i == 7;
    if (dash ? s[i] != '-' : !absl::ascii_isdigit(s[i])) return false;
  }
  return true;
}

// The start of a "YYYY-MM-DD" day, UTC; false for a day that does not
// exist ("2024-02-30").
bool ParseDay(absl::string_view s, absl::Time* start) {
  if (!LooksLikeDate(s)) return false;
  std::string error;
  return absl::ParseTime("%Y-%m-%d", s, absl::UTCTimeZone(), start, &error);
}

bool ParseRfc3339(absl::string_view s, absl::Time* t) {
  std::string error;
  return s.size() > 10 && absl::ParseTime(absl::RFC3339_full, s, t, &error);
}

bool AllDigits(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(c)) return false;
  }
  return true;
}

std::string FormatDate(const google::protobuf::Timestamp& t) {
  return absl::FormatTime("%Y-%m-%d", FromTimestamp(t), absl::UTCTimeZone());
}

std::string DateOrDash(const google::protobuf::Timestamp& t, bool present) {
  return present ? FormatDate(t) : "-";
}

std::string OrDash(const std::string& s) { return s.empty() ? "-" : s; }

// "MEETING_KIND_QUALITY_ASSURANCE_PANEL" less "MEETING_KIND_" ->
// "quality assurance panel".
std::string EnumLabel(const std::string& name, absl::string_view prefix) {
  absl::string_view rest = name;
  absl::ConsumePrefix(&rest, prefix);
  std::string out = absl::AsciiStrToLower(rest);
  std::replace(out.begin(), out.end(), '_', ' ');
  return out.empty() ? "unknown" : out;
}

// UTF-8 characters in `s` (bytes that do not continue a sequence).
size_t DisplayWidth(absl::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

std::string Pad(const std::string& s, size_t width, bool right) {
  const size_t w = DisplayWidth(s);
  if (w >= width) return s;
  const std::string fill(width - w, ' ');
  return right ? fill + s : s + fill;
}

// Every line of `text` after `prefix`.
void PrintIndented(std::ostream& out, absl::string_view prefix,
                   absl::string_view text) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    out << prefix << line << "\n";
  }
}

std::string Numbers(const google::protobuf::RepeatedField<int32_t>& numbers) {
  return absl::StrJoin(numbers, ", ");
}

std::string Positions(const google::protobuf::RepeatedField<uint64_t>& p) {
  return absl::StrJoin(p, ",");
}

void PrintTableAligned(std::ostream& out,
                       const std::vector<std::string>& header,
                       const std::vector<std::vector<std::string>>& rows,
                       const std::vector<bool>& right,
                       absl::string_view indent) {
  std::vector<size_t> widths(header.size(), 0);
  for (size_t i = 0; i < header.size(); ++i) {
    widths[i] = DisplayWidth(header[i]);
  }
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(row[i]));
    }
  }
  auto print_row = [&](const std::vector<std::string>& cells) {
    std::string line(indent);
    for (size_t i = 0; i < cells.size() && i < widths.size(); ++i) {
      if (i > 0) line += "  ";
      const bool r = i < right.size() && right[i];
      line += Pad(cells[i], widths[i], r);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  };
  print_row(header);
  for (const auto& row : rows) print_row(row);
}

}  // namespace

absl::StatusOr<Lang> ParseLang(absl::string_view value) {
  if (value == "en") return Lang::kEnglish;
  if (value == "cy") return Lang::kWelsh;
  return absl::InvalidArgumentError(
      absl::StrCat("--lang must be en or cy, not \"", value, "\""));
}

absl::StatusOr<OutputFormat> ParseOutputFormat(absl::string_view value) {
  if (value == "table") return OutputFormat::kTable;
  if (value == "json") return OutputFormat::kJson;
  return absl::InvalidArgumentError(
      absl::StrCat("--output must be table or json, not \"", value, "\""));
}

absl::StatusOr<v1::AsOf> ParseAsOfFlag(absl::string_view value,
                                       absl::Time now) {
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--as-of=\"", value, "\": ", why,
        "; expected YYYY-MM-DD, an RFC 3339 time (2024-07-31T12:00:00Z), "
        "@N or position:N, or a position and a time joined by a comma "
        "(@120,2024-07-31)"));
  };
  const std::vector<absl::string_view> parts = absl::StrSplit(value, ',');
  if (parts.size() > 2) return bad("more than two parts");
  v1::AsOf as_of;
  bool have_position = false;
  bool have_time = false;
  for (absl::string_view part : parts) {
    part = absl::StripAsciiWhitespace(part);
    if (part.empty()) return bad("an empty part");
    absl::string_view number = part;
    if (absl::ConsumePrefix(&number, "@") ||
        absl::ConsumePrefix(&number, "position:")) {
      uint64_t position = 0;
      if (!AllDigits(number) || !absl::SimpleAtoi(number, &position)) {
        return bad(absl::StrCat("\"", part, "\" is not a position"));
      }
      if (position == 0) return bad("positions start at 1");
      if (have_position) return bad("two positions");
      have_position = true;
      as_of.set_position(position);
      continue;
    }
    absl::Time at;
    absl::Time day_start;
    if (ParseDay(part, &day_start)) {
      const absl::Time day_end =
          day_start + absl::Hours(24) - absl::Nanoseconds(1);
      at = (day_start <= now && now < day_end) ? now : day_end;
    } else if (!ParseRfc3339(part, &at)) {
      return bad(
          absl::StrCat("\"", part, "\" is not a date, a time or a position"));
    }
    if (have_time) return bad("two times");
    have_time = true;
    absl::StatusOr<google::protobuf::Timestamp> t = ToTimestamp(at);
    if (!t.ok()) return bad(t.status().message());
    *as_of.mutable_effective_at() = *t;
  }
  return as_of;
}

absl::StatusOr<v1::AsOf> ParseAsOfFlag(absl::string_view value) {
  return ParseAsOfFlag(value, absl::Now());
}

absl::StatusOr<google::protobuf::Timestamp> ParseHistoryBound(
    absl::string_view value, Bound bound) {
  const char* flag = bound == Bound::kFrom ? "--from" : "--to";
  absl::string_view v = absl::StripAsciiWhitespace(value);
  absl::Time at;
  if (ParseDay(v, &at)) {
    if (bound == Bound::kTo) at += absl::Hours(24);
  } else if (!ParseRfc3339(v, &at)) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, "=\"", value,
                     "\": expected YYYY-MM-DD or an RFC 3339 time "
                     "(2024-07-31T12:00:00Z)"));
  }
  absl::StatusOr<google::protobuf::Timestamp> t = ToTimestamp(at);
  if (!t.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, "=\"", value, "\": ", t.status().message()));
  }
  return t;
}

std::vector<std::string> ParseList(absl::string_view value) {
  std::vector<std::string> items;
  for (absl::string_view part : absl::StrSplit(value, ',')) {
    part = absl::StripAsciiWhitespace(part);
    if (!part.empty()) items.emplace_back(part);
  }
  return items;
}

absl::StatusOr<v1::AccessKind> ParseAccessKind(absl::string_view value) {
  if (value.empty()) return v1::ACCESS_KIND_UNSPECIFIED;
  if (value == "consultation") return v1::ACCESS_KIND_CONSULTATION;
  if (value == "disclosure") return v1::ACCESS_KIND_DISCLOSURE;
  return absl::InvalidArgumentError(absl::StrCat(
      "--kind must be consultation or disclosure, not \"", value, "\""));
}

std::vector<std::string> ParseEventTypes(absl::string_view value) {
  std::vector<std::string> types;
  for (absl::string_view part : absl::StrSplit(value, ',')) {
    part = absl::StripAsciiWhitespace(part);
    if (part.empty()) continue;
    types.push_back(absl::StrContains(part, '.')
                        ? std::string(part)
                        : absl::StrCat(kEventTypePrefix, part));
  }
  return types;
}

std::string Localized(const v1::LocalizedText& text, Lang lang) {
  if (lang == Lang::kWelsh) {
    if (!text.cy().empty()) return text.cy();
    if (!text.en().empty()) return absl::StrCat(text.en(), " [en]");
  }
  return text.en();
}

std::string RatingName(v1::Rating rating) {
  switch (rating) {
    case v1::RATING_RED:
      return "Red";
    case v1::RATING_AMBER:
      return "Amber";
    case v1::RATING_GREEN:
      return "Green";
    default:
      return "not rated";
  }
}

std::string PeriodRatingCell(const v1::PeriodRating& rating) {
  if (rating.period().empty()) return "-";
  return absl::StrCat(
      rating.stated() ? RatingName(rating.rating()) : std::string("not stated"),
      " ", rating.period());
}

std::string FormatInstant(const google::protobuf::Timestamp& t) {
  const absl::Time at = FromTimestamp(t);
  const absl::TimeZone utc = absl::UTCTimeZone();
  // The last instant of a day (to the microsecond the server keeps).
  if (absl::FormatTime("%H:%M:%S", at, utc) == "23:59:59" &&
      t.nanos() >= 999999000) {
    return absl::StrCat("end of ", absl::FormatTime("%Y-%m-%d", at, utc),
                        " UTC");
  }
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", at, utc);
}

std::string FormatReflects(const v1::Reflects& reflects) {
  std::string out = absl::StrCat("as at position ", reflects.position());
  if (reflects.has_effective_at()) {
    absl::StrAppend(&out, ", effective ",
                    FormatInstant(reflects.effective_at()));
  }
  return out;
}

Disclosure DisclosureOf(const v1::Reflects& reflects) {
  Disclosure d;
  d.Add(reflects.withheld(), reflects.access_recorded_position());
  return d;
}

absl::StatusOr<std::string> ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  const auto status =
      google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!status.ok()) {
    return absl::InternalError(
        absl::StrCat("cannot print as JSON: ", status.ToString()));
  }
  json += "\n";
  return json;
}

void PrintTable(std::ostream& out, const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows) {
  PrintTableAligned(out, header, rows, {}, "");
}

// ------------------------------------------------------------- status board

void PrintStatusBoard(std::ostream& out, const v1::GetStatusBoardResponse& r,
                      Lang lang) {
  std::string title = Localized(r.title(), lang);
  out << (title.empty() ? r.review_id() : title) << " (" << r.review_id()
      << "), " << FormatReflects(r.reflects()) << "\n";
  PrintDisclosure(out, DisclosureOf(r.reflects()));
  out << "periods: "
      << (r.periods().empty() ? "none" : absl::StrJoin(r.periods(), ", "));
  if (!r.open_periods().empty()) {
    out << " (open: " << absl::StrJoin(r.open_periods(), ", ") << ")";
  }
  out << "\n\n";
  if (r.rows().empty()) {
    out << "no recommendations\n";
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const v1::StatusBoardRow& row : r.rows()) {
    rows.push_back({
        absl::StrCat(row.number()),
        OrDash(row.theme_id()),
        OrDash(row.owning_agency_id()),
        PeriodRatingCell(row.current()),
        PeriodRatingCell(row.previous()),
        row.closed() ? "closed" : "open",
        OrDash(row.last_update_period()),
        row.periods_missed().empty() ? "-"
                                     : absl::StrJoin(row.periods_missed(), ","),
        absl::StrCat(row.open_monitoring_activities()),
        absl::StrCat(row.open_risks()),
    });
  }
  PrintTableAligned(
      out,
      {"NO", "THEME", "OWNER", "CURRENT", "PREVIOUS", "STATE", "LAST UPDATE",
       "MISSED", "MONITORING", "RISKS"},
      rows, {true, false, false, false, false, false, false, false, true, true},
      "");
}

// ----------------------------------------------------------- recommendation

namespace {

void PrintBullets(std::ostream& out, const v1::UpdateView& update, Lang lang) {
  for (const v1::Bullet& bullet : update.bullets()) {
    PrintIndented(out, "    - ", Localized(bullet.text(), lang));
    for (const v1::LocalizedText& sub : bullet.sub_bullets()) {
      PrintIndented(out, "      - ", Localized(sub, lang));
    }
  }
  for (const v1::Link& link : update.evidence()) {
    std::string title = Localized(link.title(), lang);
    out << "    evidence: " << (title.empty() ? "" : title + " ") << "<"
        << link.url() << ">\n";
  }
}

void PrintSectionHeading(std::ostream& out, const char* name, int count) {
  out << "\n" << name << ":" << (count == 0 ? " none" : "") << "\n";
}

}  // namespace

void PrintRecommendation(std::ostream& out,
                         const v1::GetRecommendationResponse& r, Lang lang) {
  const v1::StatusBoardRow& s = r.summary();
  out << "Recommendation " << s.number() << " of " << s.review_id();
  if (!s.theme_id().empty()) out << " (theme " << s.theme_id() << ")";
  out << ", " << FormatReflects(r.reflects()) << "\n";
  PrintDisclosure(out, DisclosureOf(r.reflects()));
  out << "owner: " << OrDash(s.owning_agency_id());
  if (!r.contributing_agency_ids().empty()) {
    out << "; contributing: "
        << absl::StrJoin(r.contributing_agency_ids(), ", ");
  }
  out << "\n";
  out << "state: " << (s.closed() || r.closed() ? "closed" : "open")
      << "; current " << PeriodRatingCell(s.current()) << "; previous "
      << PeriodRatingCell(s.previous()) << "\n";
  out << "last update: ";
  if (s.last_update_id().empty()) {
    out << "none\n";
  } else {
    out << s.last_update_period() << " (" << s.last_update_id() << ", occurred "
        << DateOrDash(s.last_update_occurred_at(),
                      s.has_last_update_occurred_at())
        << ", position " << s.last_update_position() << ")\n";
  }
  out << "periods missed: "
      << (s.periods_missed().empty() ? "none"
                                     : absl::StrJoin(s.periods_missed(), ", "))
      << "; open monitoring activities: " << s.open_monitoring_activities()
      << "; open risks: " << s.open_risks() << "\n";

  out << "\nText:\n";
  if (s.text_not_in_source()) {
    out << "  (the source gives only the number, not the text)\n";
  } else {
    PrintIndented(out, "  ", Localized(s.text(), lang));
  }

  PrintSectionHeading(out, "Updates", r.updates_size());
  for (const v1::UpdateView& u : r.updates()) {
    out << "  " << u.period() << "  " << u.update_id() << "  from "
        << u.agency_id() << ", occurred "
        << DateOrDash(u.occurred_at(), u.has_occurred_at()) << ", position "
        << u.position();
    if (!u.corrected_at_positions().empty()) {
      out << " [corrected at "
          << absl::StrJoin(u.corrected_at_positions(), ", ") << "]";
    }
    if (u.withdrawn()) {
      const std::string reason = Localized(u.withdrawal_reason(), lang);
      out << " [withdrawn" << (reason.empty() ? "" : ": " + reason) << "]";
    }
    out << "\n";
    PrintBullets(out, u, lang);
  }

  PrintSectionHeading(out, "Ratings", r.ratings_size());
  for (const v1::RatingView& rating : r.ratings()) {
    out << "  " << rating.period() << "  " << RatingName(rating.rating())
        << "  occurred "
        << DateOrDash(rating.occurred_at(), rating.has_occurred_at())
        << ", position " << rating.position() << "\n";
    const std::string rationale = Localized(rating.rationale(), lang);
    if (!rationale.empty()) PrintIndented(out, "    ", rationale);
  }

  PrintSectionHeading(out, "Monitoring", r.monitoring_size());
  for (const v1::MonitoringView& m : r.monitoring()) {
    out << "  " << m.activity_id() << "  " << OrDash(m.period()) << "  "
        << (m.due_on().empty() ? "no due date" : "due " + m.due_on()) << "  "
        << (m.completed() ? "completed" : "open") << "\n";
    PrintIndented(out, "    ", Localized(m.description(), lang));
    const std::string outcome = Localized(m.outcome(), lang);
    if (!outcome.empty()) PrintIndented(out, "    outcome: ", outcome);
  }

  PrintSectionHeading(out, "Cross-references", r.cross_references_size());
  for (const v1::CrossReferenceRecorded& x : r.cross_references()) {
    out << "  " << x.reference_id() << "  "
        << EnumLabel(v1::CrossReferenceKind_Name(x.kind()),
                     "CROSS_REFERENCE_KIND_");
    const std::string title = Localized(x.title(), lang);
    if (!title.empty()) out << ": " << title;
    out << "\n";
    if (x.related_recommendation() != 0) {
      out << "    recommendation " << x.related_recommendation() << "\n";
    }
    if (!x.url().empty()) out << "    <" << x.url() << ">\n";
    const std::string note = Localized(x.note(), lang);
    if (!note.empty()) PrintIndented(out, "    ", note);
  }

  PrintSectionHeading(out, "Risks", r.risks_size());
  for (const v1::RiskView& risk : r.risks()) {
    out << "  " << risk.risk_id() << "  "
        << EnumLabel(v1::RiskCategory_Name(risk.category()), "RISK_CATEGORY_")
        << "  " << (risk.resolved() ? "resolved" : "open") << "  raised "
        << DateOrDash(risk.raised_at(), risk.has_raised_at());
    if (!risk.raised_by().empty()) out << " by " << risk.raised_by();
    if (!risk.related_recommendations().empty()) {
      out << "; recommendations " << Numbers(risk.related_recommendations());
    }
    out << "\n";
    PrintIndented(out, "    ", Localized(risk.description(), lang));
    const std::string resolution = Localized(risk.resolution(), lang);
    if (!resolution.empty()) PrintIndented(out, "    resolution: ", resolution);
  }

  PrintSectionHeading(out, "Meetings", r.meetings_size());
  for (const v1::MeetingView& m : r.meetings()) {
    out << "  " << OrDash(m.held_on()) << "  "
        << EnumLabel(v1::MeetingKind_Name(m.kind()), "MEETING_KIND_") << "  "
        << m.meeting_id();
    const std::string title = Localized(m.title(), lang);
    if (!title.empty()) out << ": " << title;
    out << "\n";
    if (!m.attending_agency_ids().empty()) {
      out << "    attending: " << absl::StrJoin(m.attending_agency_ids(), ", ")
          << "\n";
    }
    if (!m.related_recommendations().empty()) {
      out << "    recommendations " << Numbers(m.related_recommendations())
          << "\n";
    }
    for (const v1::LocalizedText& finding : m.findings()) {
      PrintIndented(out, "    - ", Localized(finding, lang));
    }
  }
}

// ------------------------------------------------------------------ history

namespace {

std::string Recommendation(const std::string& review, int32_t number) {
  return absl::StrCat(review, " #", number);
}

}  // namespace

std::string EventSubject(const v1::DomainEvent& e) {
  using E = v1::DomainEvent;
  switch (e.payload_case()) {
    case E::kAgencyRegistered:
      return absl::StrCat("agency ", e.agency_registered().agency_id());
    case E::kReviewOpened:
      return absl::StrCat("review ", e.review_opened().review_id());
    case E::kRecommendationIssued: {
      const auto& p = e.recommendation_issued();
      return Recommendation(p.review_id(), p.number());
    }
    case E::kReportingPeriodOpened: {
      const auto& p = e.reporting_period_opened();
      std::string s = absl::StrCat(p.review_id(), " period ", p.period());
      if (!p.submissions_due_on().empty()) {
        absl::StrAppend(&s, " (due ", p.submissions_due_on(), ")");
      }
      return s;
    }
    case E::kReportingPeriodClosed: {
      const auto& p = e.reporting_period_closed();
      return absl::StrCat(p.review_id(), " period ", p.period());
    }
    case E::kProgressUpdateSubmitted: {
      const auto& p = e.progress_update_submitted();
      return absl::StrCat(Recommendation(p.review_id(), p.number()), " update ",
                          p.update_id(), " (", p.period(), ")");
    }
    case E::kProgressUpdateCorrected: {
      const auto& p = e.progress_update_corrected();
      return absl::StrCat(Recommendation(p.review_id(), p.number()), " update ",
                          p.update_id());
    }
    case E::kProgressUpdateWithdrawn: {
      const auto& p = e.progress_update_withdrawn();
      return absl::StrCat(Recommendation(p.review_id(), p.number()), " update ",
                          p.update_id());
    }
    case E::kRatingAssigned: {
      const auto& p = e.rating_assigned();
      return absl::StrCat(Recommendation(p.review_id(), p.number()), " ",
                          p.period(), ": ", RatingName(p.rating()));
    }
    case E::kMonitoringActivityRecorded: {
      const auto& p = e.monitoring_activity_recorded();
      return absl::StrCat(Recommendation(p.review_id(), p.number()),
                          " activity ", p.activity_id());
    }
    case E::kMonitoringActivityCompleted: {
      const auto& p = e.monitoring_activity_completed();
      return absl::StrCat(Recommendation(p.review_id(), p.number()),
                          " activity ", p.activity_id());
    }
    case E::kMeetingObserved: {
      const auto& p = e.meeting_observed();
      return absl::StrCat(p.review_id(), " meeting ", p.meeting_id());
    }
    case E::kRiskRaised: {
      const auto& p = e.risk_raised();
      return absl::StrCat(p.review_id(), " risk ", p.risk_id());
    }
    case E::kRiskResolved: {
      const auto& p = e.risk_resolved();
      return absl::StrCat(p.review_id(), " risk ", p.risk_id());
    }
    case E::kProgrammeRegistered:
      return absl::StrCat("programme ",
                          e.programme_registered().programme_id());
    case E::kPartnerReportSubmitted: {
      const auto& p = e.partner_report_submitted();
      return absl::StrCat("programme ", p.programme_id(), " report ",
                          p.report_id(), " (", p.quarter(), ")");
    }
    case E::kCrossReferenceRecorded: {
      const auto& p = e.cross_reference_recorded();
      return absl::StrCat(Recommendation(p.review_id(), p.number()),
                          " reference ", p.reference_id());
    }
    case E::kRecommendationClosed: {
      const auto& p = e.recommendation_closed();
      return Recommendation(p.review_id(), p.number());
    }
    case E::kRecommendationReopened: {
      const auto& p = e.recommendation_reopened();
      return Recommendation(p.review_id(), p.number());
    }
    case E::kConclusionRecorded: {
      const auto& p = e.conclusion_recorded();
      return absl::StrCat(p.review_id(), " period ", p.period(), " conclusion");
    }
    case E::kReportPublished: {
      const auto& p = e.report_published();
      return absl::StrCat(
          p.review_id(), " report ", p.period(), " ",
          p.language() == v1::REPORT_LANGUAGE_WELSH ? "cy" : "en", " ",
          p.format() == v1::REPORT_FORMAT_HTML ? "html" : "md", " rendered at ",
          p.rendered_position());
    }
    case E::kAccessRecorded: {
      const auto& p = e.access_recorded();
      absl::string_view method = p.method();
      absl::ConsumePrefix(&method, "/");
      absl::ConsumePrefix(&method, kEventTypePrefix);
      std::string s =
          absl::StrCat(EnumLabel(v1::AccessKind_Name(p.kind()), "ACCESS_KIND_"),
                       " ", OrDash(std::string(method)));
      if (!p.positions().empty()) {
        absl::StrAppend(&s, " of ", FormatPositions(p.positions()));
      }
      return s;
    }
    case E::PAYLOAD_NOT_SET:
      break;
  }
  return "-";
}

std::string FormatActor(const v1::Actor& actor) {
  std::string out = OrDash(actor.agency_id());
  if (!actor.person().empty()) absl::StrAppend(&out, "/", actor.person());
  if (!actor.recorded_by_agency_id().empty()) {
    absl::StrAppend(&out, " (recorded by ", actor.recorded_by_agency_id());
    if (!actor.recorded_by_person().empty()) {
      absl::StrAppend(&out, "/", actor.recorded_by_person());
    }
    absl::StrAppend(&out, ")");
  }
  return out;
}

std::vector<std::string> HistoryRow(const v1::HistoryEntry& entry) {
  const v1::DomainEvent& e = entry.event();
  const std::string actor = FormatActor(e.actor());
  absl::string_view type = entry.event_type();
  absl::ConsumePrefix(&type, kEventTypePrefix);
  std::string subject = entry.withheld()
                            ? std::string("withheld (OFFICIAL-SENSITIVE)")
                            : EventSubject(e);
  if (entry.corrects_position() != 0) {
    absl::StrAppend(&subject, "  corrects ", entry.corrects_position());
  }
  if (!entry.corrected_by_positions().empty()) {
    absl::StrAppend(&subject, "  corrected by ",
                    Positions(entry.corrected_by_positions()));
  }
  return {absl::StrCat(entry.position()),
          DateOrDash(e.occurred_at(), e.has_occurred_at()),
          entry.has_recorded_at()
              ? absl::FormatTime("%Y-%m-%d %H:%M:%S",
                                 FromTimestamp(entry.recorded_at()),
                                 absl::UTCTimeZone())
              : std::string("-"),
          actor,
          OrDash(std::string(type)),
          subject};
}

void PrintHistory(std::ostream& out, const v1::ListHistoryResponse& r,
                  Lang lang) {
  PrintHistoryListing(out, r, DisclosureOf(r.reflects()));
}

void PrintHistoryListing(std::ostream& out, const v1::ListHistoryResponse& r,
                         const Disclosure& disclosure) {
  out << "history " << FormatReflects(r.reflects()) << "\n";
  PrintDisclosure(out, disclosure);
  out << "\n";
  if (r.entries().empty()) {
    out << "no entries\n";
    return;
  }
  std::vector<std::vector<std::string>> rows;
  rows.reserve(r.entries_size());
  for (const v1::HistoryEntry& entry : r.entries()) {
    rows.push_back(HistoryRow(entry));
  }
  PrintTableAligned(
      out,
      {"POSITION", "OCCURRED", "RECORDED (UTC)", "ACTOR", "TYPE", "SUBJECT"},
      rows, {true}, "");
}

// ---------------------------------------------------------------- attention

void PrintAttention(std::ostream& out, const v1::ListAttentionResponse& r,
                    Lang lang) {
  out << "judged on " << OrDash(r.judged_on()) << ", "
      << FormatReflects(r.reflects()) << "\n";
  PrintDisclosure(out, DisclosureOf(r.reflects()));
  out << "\n";
  if (r.items().empty()) {
    out << "nothing needs attention\n";
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const v1::AttentionItem& item : r.items()) {
    rows.push_back({
        EnumLabel(v1::AttentionKind_Name(item.kind()), "ATTENTION_KIND_"),
        item.number() == 0 ? std::string("review")
                           : absl::StrCat("#", item.number()),
        OrDash(item.period()),
        OrDash(item.due_on()),
        item.overdue() ? "OVERDUE" : "",
        OrDash(item.subject_id()),
        Localized(item.detail(), lang),
    });
  }
  PrintTableAligned(
      out, {"KIND", "REC", "PERIOD", "DUE", "OVERDUE", "SUBJECT", "DETAIL"},
      rows, {false, true}, "");
}

// ------------------------------------------------------------------ partner

void PrintPartnerView(std::ostream& out, const v1::GetPartnerViewResponse& r,
                      Lang lang) {
  const std::string name = Localized(r.name(), lang);
  out << (name.empty() ? r.agency_id() : name) << " (" << r.agency_id() << "), "
      << FormatReflects(r.reflects()) << "\n";
  PrintDisclosure(out, DisclosureOf(r.reflects()));
  if (r.programmes().empty()) out << "\nno programmes\n";
  for (const v1::ProgrammeView& p : r.programmes()) {
    const std::string programme = Localized(p.name(), lang);
    out << "\nProgramme " << p.programme_id();
    if (!programme.empty()) out << ": " << programme;
    out << "\n";
    out << "  review " << OrDash(p.review_id());
    if (!p.related_recommendations().empty()) {
      out << ", recommendations " << Numbers(p.related_recommendations());
    }
    out << "; started " << OrDash(p.started_on()) << "\n";
    if (p.quarters().empty()) {
      out << "  no reports\n";
      continue;
    }
    // Figure keys in order of first appearance; the label and whether it
    // is a running total from the latest report that has the key.
    std::vector<std::string> keys;
    std::map<std::string, std::pair<std::string, bool>> about;
    for (const v1::QuarterFigures& q : p.quarters()) {
      for (const v1::Figure& f : q.figures()) {
        if (about.find(f.key()) == about.end()) keys.push_back(f.key());
        about[f.key()] = {Localized(f.label(), lang), f.cumulative()};
      }
    }
    std::vector<std::string> header = {"FIGURE"};
    std::vector<bool> right = {false};
    for (const v1::QuarterFigures& q : p.quarters()) {
      header.push_back(q.quarter());
      right.push_back(true);
    }
    std::vector<std::vector<std::string>> rows;
    bool any_cumulative = false;
    for (const std::string& key : keys) {
      const bool cumulative = about[key].second;
      any_cumulative |= cumulative;
      std::vector<std::string> row = {cumulative ? key + " *" : key};
      for (const v1::QuarterFigures& q : p.quarters()) {
        std::string cell = "-";
        for (const v1::Figure& f : q.figures()) {
          if (f.key() == key) cell = absl::StrCat(f.value());
        }
        row.push_back(cell);
      }
      rows.push_back(std::move(row));
    }
    out << "\n";
    PrintTableAligned(out, header, rows, right, "  ");
    if (any_cumulative) {
      out << "  * a running total since the programme began\n";
    }
    bool labelled = false;
    for (const std::string& key : keys) {
      if (about[key].first.empty()) continue;
      if (!labelled) out << "\n";
      labelled = true;
      out << "  " << key << ": " << about[key].first << "\n";
    }
    for (const v1::QuarterFigures& q : p.quarters()) {
      if (q.narrative().empty()) continue;
      out << "\n  " << q.quarter() << " (report " << q.report_id()
          << ", position " << q.position() << "):\n";
      for (const v1::LocalizedText& n : q.narrative()) {
        PrintIndented(out, "    ", Localized(n, lang));
      }
    }
  }
  out << "\nRecommendations:";
  if (r.contributions().empty()) out << " none";
  out << "\n";
  std::vector<std::vector<std::string>> rows;
  for (const v1::ContributionView& c : r.contributions()) {
    rows.push_back({Recommendation(c.review_id(), c.number()),
                    c.owner() ? "owner" : "contributor",
                    c.closed() ? "closed" : "open"});
  }
  if (!rows.empty()) {
    PrintTableAligned(out, {"RECOMMENDATION", "ROLE", "STATE"}, rows, {}, "  ");
  }
}

// --------------------------------------------------------------- access log

std::string FormatPositions(
    const google::protobuf::RepeatedField<uint64_t>& positions) {
  std::vector<uint64_t> sorted(positions.begin(), positions.end());
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::vector<std::string> runs;
  for (size_t i = 0; i < sorted.size();) {
    size_t j = i;
    while (j + 1 < sorted.size() && sorted[j + 1] == sorted[j] + 1) ++j;
    runs.push_back(j == i ? absl::StrCat(sorted[i])
                          : absl::StrCat(sorted[i], "-", sorted[j]));
    i = j + 1;
  }
  return runs.empty() ? "-" : absl::StrJoin(runs, ",");
}

namespace {

constexpr size_t kMaxQueryChars = 120;

// `text` cut after `max` UTF-8 characters, with "..." after a cut.
std::string Cut(const std::string& text, size_t max) {
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (chars++ == max) return absl::StrCat(text.substr(0, i), "...");
  }
  return text;
}

std::string FormatUtcSeconds(const google::protobuf::Timestamp& t) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S", FromTimestamp(t),
                          absl::UTCTimeZone());
}

}  // namespace

std::vector<std::string> AccessLogRow(const v1::AccessLogEntry& entry) {
  const v1::DomainEvent& e = entry.event();
  const v1::AccessRecorded& a = e.access_recorded();
  absl::string_view method = a.method();
  absl::ConsumePrefix(&method, "/");
  absl::ConsumePrefix(&method, kEventTypePrefix);
  std::string when = "-";
  if (e.has_occurred_at()) {
    when = FormatUtcSeconds(e.occurred_at());
  } else if (entry.has_recorded_at()) {
    when = FormatUtcSeconds(entry.recorded_at());
  }
  return {absl::StrCat(entry.position()),
          when,
          FormatActor(e.actor()),
          OrDash(a.role()),
          a.kind() == v1::ACCESS_KIND_UNSPECIFIED
              ? std::string("-")
              : EnumLabel(v1::AccessKind_Name(a.kind()), "ACCESS_KIND_"),
          OrDash(std::string(method)),
          FormatPositions(a.positions()),
          OrDash(a.justification()),
          a.recipients().empty() ? std::string("-")
                                 : absl::StrJoin(a.recipients(), "; "),
          OrDash(Cut(a.query(), kMaxQueryChars))};
}

void PrintAccessLog(std::ostream& out, const v1::ListAccessLogResponse& r,
                    Lang lang) {
  PrintAccessLogListing(out, r, DisclosureOf(r.reflects()));
}

void PrintAccessLogListing(std::ostream& out,
                           const v1::ListAccessLogResponse& r,
                           const Disclosure& disclosure) {
  out << "access log " << FormatReflects(r.reflects()) << "\n";
  PrintDisclosure(out, disclosure);
  out << "\n";
  if (r.entries().empty()) {
    out << "no entries\n";
    return;
  }
  std::vector<std::vector<std::string>> rows;
  rows.reserve(r.entries_size());
  for (const v1::AccessLogEntry& entry : r.entries()) {
    rows.push_back(AccessLogRow(entry));
  }
  PrintTableAligned(out,
                    {"POSITION", "WHEN (UTC)", "WHO", "ROLE", "KIND", "METHOD",
                     "POSITIONS", "JUSTIFICATION", "RECIPIENTS", "QUERY"},
                    rows, {true}, "");
}

int PrintJson(const google::protobuf::Message& message) {
  absl::StatusOr<std::string> json = ToJson(message);
  if (!json.ok()) {
    std::cerr << "oversight: " << json.status().message() << "\n";
    return kExitRefused;
  }
  std::cout << *json;
  return kExitOk;
}

int WriteReportContent(const v1::GetReportResponse& response,
                       const std::string& path, std::ostream& out,
                       std::ostream& err) {
  if (path.empty()) {
    out << response.content();
    out.flush();
    return kExitOk;
  }
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << response.content();
  file.close();
  if (!file) {
    err << "oversight: cannot write " << path << "\n";
    return kExitUsage;
  }
  err << "wrote " << response.content().size() << " bytes to " << path << " ("
      << FormatReflects(response.reflects()) << "; sha256 "
      << Hex(response.sha256()) << ")\n";
  return kExitOk;
}

}  // namespace oversight::cli
