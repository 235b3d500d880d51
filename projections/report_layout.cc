// Lays a progress report out as a Document (report_document.h): which
// sections, in which order, with which recommendations, in one language.
// The writers decide only how it looks.
//
// Which recommendations the progress section considers, exactly as the
// overview says: those not owned by the reviewing body and not rated Green
// as at the previous period (the rating assigned for the latest period at
// or before it). A recommendation reopened after the previous period ended
// (and by the end of this one) counts as not Green. The reviewing body's
// own follow in a section of their own, whatever their rating.
//
// What happened when is judged at the end of the report's period (the last
// instant of its month, UTC) by the events' occurred_at: a risk is open if
// raised by then and not resolved by then, an activity completed only if
// completed by then, a recommendation closed if its latest closing or
// reopening by then closed it.

#include "projections/report_layout.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/substitute.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace oversight::projections::report {

Layout::Layout(const ReportModel& model, const ReportRequest& request,
               const Catalog& catalog, Document* doc)
    : m_(model),
      req_(request),
      c_(catalog),
      doc_(doc),
      welsh_(request.language == ReportLanguage::kWelsh),
      previous_(model.PreviousPeriod(request.period)),
      cut_(EndOfPeriod(request.period)),
      previous_cut_(previous_.empty() ? absl::InfinitePast()
                                      : EndOfPeriod(previous_)) {}

Span Layout::Agency(absl::string_view agency_id, Style style) {
  std::optional<v1::LocalizedText> name = m_.AgencyName(agency_id);
  return name.has_value() ? Content(*name, style) : Fixed(c_.an_agency, style);
}

Inline Layout::ClosureText(const Closure& closure) {
  const std::string day =
      absl::FormatTime("%Y-%m-%d", closure.at, absl::UTCTimeZone());
  Inline out = {Fixed(absl::Substitute(c_.closed_on, Date(day)))};
  if (!closure.decided_by.empty()) {
    Span by;
    by.text = closure.decided_by;
    by.content = true;
    out.push_back(Fixed(absl::StrCat(" (", c_.label_decided_by, " ")));
    out.push_back(std::move(by));
    out.push_back(Fixed(")"));
  }
  return out;
}

Span Layout::Fixed(absl::string_view text, Style style) {
  Span s;
  s.text = std::string(text);
  s.style = style;
  return s;
}

Span Layout::Content(const v1::LocalizedText& t, Style style) {
  Span s;
  s.content = true;
  s.style = style;
  ++doc_->passages;
  if (!t.cy().empty()) ++doc_->welsh_passages;
  if (welsh_) {
    if (!t.cy().empty()) {
      s.text = t.cy();
    } else {
      s.text = t.en();
      s.untranslated = true;
      s.lang = "en";
    }
  } else if (!t.en().empty()) {
    s.text = t.en();
  } else {
    s.text = t.cy();
    s.lang = "cy";
  }
  return s;
}

Inline Layout::Template(absl::string_view tmpl, std::vector<Span> args) {
  Inline out;
  std::string fixed;
  for (size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] == '$' && i + 1 < tmpl.size() &&
        absl::ascii_isdigit(static_cast<unsigned char>(tmpl[i + 1]))) {
      const size_t arg = static_cast<size_t>(tmpl[++i] - '0');
      if (!fixed.empty()) out.push_back(Fixed(fixed));
      fixed.clear();
      if (arg < args.size()) out.push_back(args[arg]);
    } else {
      fixed.push_back(tmpl[i]);
    }
  }
  if (!fixed.empty()) out.push_back(Fixed(fixed));
  return out;
}

Span Layout::RatingSpan(v1::Rating rating, absl::string_view text) {
  Span s = Fixed(
      text, rating == v1::RATING_UNSPECIFIED ? Style::kPlain : Style::kStrong);
  switch (rating) {
    case v1::RATING_RED:
      s.rating = "red";
      break;
    case v1::RATING_AMBER:
      s.rating = "amber";
      break;
    case v1::RATING_GREEN:
      s.rating = "green";
      break;
    default:
      s.rating = "none";
  }
  return s;
}

std::string Layout::Month(int month) const {
  return month >= 1 && month <= 12 ? std::string(c_.months[month - 1]) : "";
}

std::string Layout::Date(absl::string_view date) const {
  int y = 0, mo = 0, d = 0;
  if (date.size() == 4 && absl::SimpleAtoi(date, &y)) return std::string(date);
  if (date.size() >= 7 && date[4] == '-' &&
      absl::SimpleAtoi(date.substr(0, 4), &y) &&
      absl::SimpleAtoi(date.substr(5, 2), &mo) && !Month(mo).empty()) {
    if (date.size() == 7) return absl::StrCat(Month(mo), " ", y);
    if (date.size() == 10 && date[7] == '-' &&
        absl::SimpleAtoi(date.substr(8, 2), &d) && d >= 1 && d <= 31) {
      return absl::StrCat(d, " ", Month(mo), " ", y);
    }
  }
  return std::string(date);
}

std::string Layout::Quarter(absl::string_view quarter) const {
  int y = 0, q = 0;
  if (quarter.size() == 7 && quarter.substr(4, 2) == "-Q" &&
      absl::SimpleAtoi(quarter.substr(0, 4), &y) &&
      absl::SimpleAtoi(quarter.substr(6, 1), &q) && q >= 1 && q <= 4) {
    return absl::StrCat(Month(3 * q - 2), "\u2013", Month(3 * q), " ", y);
  }
  return std::string(quarter);
}

std::string Layout::Instant(absl::Time t) const {
  const absl::TimeZone utc = absl::UTCTimeZone();
  const absl::CivilSecond s = absl::ToCivilSecond(t, utc);
  return absl::StrCat(s.day(), " ", Month(s.month()), " ", s.year(), ", ",
                      absl::FormatTime("%H:%M:%S", t, utc), " UTC");
}

void Layout::Heading(int level, std::string id, Inline text) {
  Block b;
  b.kind = Block::Kind::kHeading;
  b.level = level;
  b.id = std::move(id);
  b.text = std::move(text);
  if (level == 2) toc_.push_back({b.id, b.text});
  out_.push_back(std::move(b));
}

void Layout::Para(Inline text) {
  Block b;
  b.kind = Block::Kind::kParagraph;
  b.text = std::move(text);
  out_.push_back(std::move(b));
}

void Layout::List(std::vector<ListItem> items, bool numbered) {
  if (items.empty()) return;
  Block b;
  b.kind = numbered ? Block::Kind::kNumbered : Block::Kind::kBullets;
  b.items = std::move(items);
  out_.push_back(std::move(b));
}

void Layout::Labelled(absl::string_view label, Inline value) {
  Inline text = {Fixed(absl::StrCat(label, ":"), Style::kStrong), Fixed(" ")};
  text.insert(text.end(), value.begin(), value.end());
  Para(std::move(text));
}

void Layout::Run() {
  doc_->lang = std::string(c_.lang);
  doc_->title = absl::StrCat(c_.document_title, " \u2013 ", Date(req_.period));
  TitleBlock();
  std::vector<Block> title = std::move(out_);
  out_.clear();
  Overview();
  Progress();
  ReviewingBody();
  Conclusion();
  Summary();
  Risks();
  Para({Fixed(
      absl::Substitute(c_.coverage, doc_->welsh_passages, doc_->passages))});

  doc_->blocks = std::move(title);
  Block contents;
  contents.kind = Block::Kind::kHeading;
  contents.level = 2;
  contents.id = "contents";
  contents.text = {Fixed(c_.contents)};
  doc_->blocks.push_back(std::move(contents));
  Block list;
  list.kind = Block::Kind::kNumbered;
  for (auto& [id, text] : toc_) {
    ListItem item;
    item.text = text;
    item.href = absl::StrCat("#", id);
    list.items.push_back(std::move(item));
  }
  doc_->blocks.push_back(std::move(list));
  for (Block& b : out_) doc_->blocks.push_back(std::move(b));
}

void Layout::TitleBlock() {
  Heading(1, "title", {Fixed(c_.document_title)});
  Para({Agency(m_.review.commissioning_agency_id(), Style::kStrong)});
  Para({Content(m_.review.title(), Style::kStrong)});
  if (!m_.review.question().en().empty()) {
    Para({Content(m_.review.question(), Style::kEmphasis)});
  }
  Para({Fixed(Date(req_.period), Style::kStrong)});
  Inline recorded = {Fixed(absl::Substitute(c_.as_recorded, req_.position))};
  if (req_.effective_at.has_value()) {
    recorded.push_back(Fixed(absl::StrCat(
        " ", absl::Substitute(c_.effective_at, Instant(*req_.effective_at)))));
  }
  Para(std::move(recorded));
  if (welsh_ && !c_.untranslated_note.empty()) {
    Para({Fixed(c_.untranslated_note, Style::kEmphasis)});
  }
}

void Layout::Overview() {
  Heading(2, "overview", {Fixed(c_.overview)});
  Labelled(c_.label_reviewing_body,
           {Agency(m_.review.commissioning_agency_id())});
  if (!m_.review.opened_on().empty()) {
    Labelled(c_.label_opened, {Fixed(Date(m_.review.opened_on()))});
  }
  if (m_.review.has_full_report() && !m_.review.full_report().url().empty()) {
    const v1::Link& link = m_.review.full_report();
    Span title =
        link.title().en().empty() ? Fixed(link.url()) : Content(link.title());
    title.content = true;
    title.href = link.url();
    Labelled(c_.label_full_report, {title});
  }
  Para({Fixed(c_.themes_intro)});
  std::vector<ListItem> themes;
  for (const v1::Theme& t : m_.review.themes()) {
    themes.push_back(Item({Content(t.name())}));
  }
  List(std::move(themes), /*numbered=*/true);
  Para({Fixed(c_.reporting_cycle)});
  std::vector<std::string> periods;
  for (const std::string& p : m_.periods) periods.push_back(Date(p));
  Labelled(c_.label_periods, {Fixed(absl::StrJoin(periods, ", "))});
  Labelled(c_.label_this_period, {Fixed(Date(req_.period))});
  if (!previous_.empty()) {
    Labelled(c_.label_previous_period, {Fixed(Date(previous_))});
    Para({Fixed(absl::Substitute(c_.focus_previous, Date(previous_)))});
  } else {
    Para({Fixed(c_.focus_first)});
  }
}

bool Layout::Own(const Recommendation& rec) const {
  return rec.owning_agency_id == m_.review.commissioning_agency_id();
}

bool Layout::Considered(const Recommendation& rec) const {
  if (previous_.empty()) return true;
  if (RatingAsAt(rec, previous_).rating != v1::RATING_GREEN) return true;
  return ReopenedBetween(rec, previous_cut_, cut_);
}

void Layout::Progress() {
  Heading(2, "progress", {Fixed(c_.progress)});
  Para({Fixed(c_.rag_intro)});
  std::vector<ListItem> key;
  for (v1::Rating r : {v1::RATING_RED, v1::RATING_AMBER, v1::RATING_GREEN}) {
    key.push_back(Item({RatingSpan(r, c_.RatingName(r)), Fixed(" \u2013 "),
                        Fixed(c_.RatingMeaning(r))}));
  }
  List(std::move(key));

  // Theme id -> the recommendations considered, by number.
  std::vector<std::string> order;
  for (const v1::Theme& t : m_.review.themes()) order.push_back(t.id());
  std::vector<const Recommendation*> other;
  std::vector<std::vector<const Recommendation*>> by_theme(order.size());
  for (const auto& [number, rec] : m_.recommendations) {
    if (Own(rec) || !Considered(rec)) continue;
    bool placed = false;
    for (size_t i = 0; i < order.size() && !placed; ++i) {
      if (order[i] == rec.theme_id) {
        by_theme[i].push_back(&rec);
        placed = true;
      }
    }
    if (!placed) other.push_back(&rec);
  }
  bool any = !other.empty();
  for (size_t i = 0; i < order.size(); ++i) {
    if (by_theme[i].empty()) continue;
    any = true;
    std::string id;
    for (char ch : order[i]) {
      if (absl::ascii_isalnum(static_cast<unsigned char>(ch)) || ch == '-') {
        id.push_back(absl::ascii_tolower(static_cast<unsigned char>(ch)));
      }
    }
    Heading(2, absl::StrCat("theme-", id),
            Template(c_.theme_heading,
                     {Content(m_.review.themes(static_cast<int>(i)).name())}));
    for (const Recommendation* rec : by_theme[i]) {
      OneRecommendation(*rec, /*own=*/false);
    }
  }
  if (!other.empty()) {
    Heading(2, "theme-other", {Fixed(c_.other_recommendations)});
    for (const Recommendation* rec : other) {
      OneRecommendation(*rec, /*own=*/false);
    }
  }
  if (!any) Para({Fixed(c_.no_recommendations)});
}

void Layout::ReviewingBody() {
  std::vector<const Recommendation*> own;
  for (const auto& [number, rec] : m_.recommendations) {
    if (Own(rec)) own.push_back(&rec);
  }
  if (own.empty()) return;
  Heading(2, "reviewing-body", {Fixed(c_.reviewing_body_heading)});
  Para({Fixed(c_.reviewing_body_intro)});
  for (const Recommendation* rec : own) {
    OneRecommendation(*rec, /*own=*/true);
  }
}

void Layout::Conclusion() {
  Heading(2, "conclusion", {Fixed(c_.conclusion)});
  auto it = m_.conclusions.find(req_.period);
  if (it == m_.conclusions.end() || it->second.empty()) {
    Para({Fixed(c_.no_conclusion)});
    return;
  }
  for (const v1::LocalizedText& p : it->second) Para({Content(p)});
}

Inline Layout::RatingCell(const Recommendation& rec, const std::string& period,
                          bool closure) {
  const RatingAt at = RatingAsAt(rec, period);
  Inline cell;
  if (at.rating == v1::RATING_UNSPECIFIED) {
    cell = {RatingSpan(at.rating, c_.rating_not_stated)};
  } else if (at.from_period == period) {
    cell = {RatingSpan(at.rating, c_.RatingName(at.rating))};
  } else {
    cell = Template(c_.rating_since,
                    {RatingSpan(at.rating, c_.RatingName(at.rating)),
                     Fixed(Date(at.from_period))});
  }
  const Closure* closed =
      closure ? ClosedAt(rec, EndOfPeriod(period)) : nullptr;
  if (closed != nullptr) {
    cell.push_back(Fixed("; "));
    const Inline text = ClosureText(*closed);
    cell.insert(cell.end(), text.begin(), text.end());
  }
  return cell;
}

void Layout::Summary() {
  Heading(2, "summary", {Fixed(c_.summary)});
  Block table;
  table.kind = Block::Kind::kTable;
  table.text = {Fixed(c_.summary_caption)};
  table.header = {{Fixed(c_.column_recommendation)}, {Fixed(c_.column_theme)}};
  if (!previous_.empty()) table.header.push_back({Fixed(Date(previous_))});
  table.header.push_back({Fixed(Date(req_.period))});
  for (const auto& [number, rec] : m_.recommendations) {
    std::vector<Inline> row;
    row.push_back({Fixed(absl::StrCat(number))});
    std::optional<v1::LocalizedText> theme = m_.ThemeName(rec.theme_id);
    row.push_back(theme.has_value() ? Inline{Content(*theme)}
                                    : Inline{Fixed("\u2014")});
    if (!previous_.empty()) row.push_back(RatingCell(rec, previous_));
    row.push_back(RatingCell(rec, req_.period));
    table.rows.push_back(std::move(row));
  }
  out_.push_back(std::move(table));
}

void Layout::Risks() {
  Heading(2, "risks", {Fixed(c_.risks)});
  std::vector<ListItem> items;
  for (const Risk& r : m_.risks) {
    if (!r.OpenAt(cut_)) continue;
    ListItem item =
        Item({Fixed(absl::StrCat(c_.RiskCategory(r.raised.category()), ":"),
                    Style::kStrong),
              Fixed(" "), Content(r.raised.description())});
    // Only the numbers of recommendations this report knows: a sensitive
    // recommendation's number is not shown even where a risk names it.
    std::vector<int32_t> related;
    for (int32_t n : r.raised.related_recommendations()) {
      if (m_.recommendations.count(n) > 0) related.push_back(n);
    }
    if (!related.empty()) {
      item.text.push_back(Fixed(absl::StrCat(
          " (", c_.label_related, " ", absl::StrJoin(related, ", "), ")")));
    }
    items.push_back(std::move(item));
  }
  if (items.empty()) Para({Fixed(c_.no_risks)});
  List(std::move(items));
}

Document LayOutReport(const ReportModel& model, const ReportRequest& request,
                      const Catalog& catalog) {
  Document doc;
  Layout(model, request, catalog, &doc).Run();
  return doc;
}

}  // namespace oversight::projections::report
