// One recommendation's part of a progress report (report_layout.h): its
// text, the updates of this period and the previous one, the reviewing
// body's monitoring, the meetings it observed, related partner programmes
// with their figures, and the rating.

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/substitute.h"
#include "projections/report_layout.h"

namespace oversight::projections::report {
namespace {

// The quarter's first and last months, "YYYY-MM", or empty strings.
std::pair<std::string, std::string> QuarterMonths(absl::string_view quarter) {
  int y = 0, q = 0;
  if (quarter.size() != 7 || quarter.substr(4, 2) != "-Q" ||
      !absl::SimpleAtoi(quarter.substr(0, 4), &y) ||
      !absl::SimpleAtoi(quarter.substr(6, 1), &q) || q < 1 || q > 4) {
    return {};
  }
  auto month = [y](int m) {
    return absl::StrCat(y, "-", m < 10 ? "0" : "", m);
  };
  return {month(3 * q - 2), month(3 * q)};
}

}  // namespace

void Layout::OneRecommendation(const Recommendation& rec, bool own) {
  Heading(3, absl::StrCat("rec-", rec.number),
          {Fixed(absl::Substitute(c_.recommendation, rec.number))});
  if (rec.text_not_in_source || rec.text.en().empty()) {
    Para({Fixed(c_.text_not_in_source, Style::kEmphasis)});
  } else {
    Para({Content(rec.text, Style::kStrong)});
  }
  const Closure* closure = ClosedAt(rec, cut_);
  if (closure != nullptr) {
    Inline line = ClosureText(*closure);
    line.front().style = Style::kStrong;
    Para(std::move(line));
  }
  const bool closed = closure != nullptr;
  Updates(rec, req_.period, closed);
  if (!previous_.empty()) Updates(rec, previous_, closed);
  Monitoring(rec, closed);
  Meetings(rec);
  Programmes(rec);
  RatingLine(rec, req_.period, /*carried=*/own);
}

void Layout::Updates(const Recommendation& rec, const std::string& period,
                     bool closed) {
  bool any = false;
  for (const Update& u : rec.updates) {
    if (u.withdrawn || u.period != period) continue;
    if (!any) {
      Heading(4, "", {Fixed(absl::Substitute(c_.progress_for, Date(period)))});
    }
    any = true;
    if (u.agency_id != rec.owning_agency_id) {
      Labelled(c_.label_agency, {Agency(u.agency_id)});
    }
    std::vector<ListItem> items;
    for (const v1::Bullet& b : u.bullets) {
      ListItem item = Item({Content(b.text())});
      for (const v1::LocalizedText& sub : b.sub_bullets()) {
        item.children.push_back({Content(sub)});
      }
      items.push_back(std::move(item));
    }
    List(std::move(items));
    for (const v1::Link& link : u.evidence) {
      Span title =
          link.title().en().empty() ? Fixed(link.url()) : Content(link.title());
      title.content = true;
      title.href = link.url();
      Labelled(c_.label_evidence, {title});
    }
  }
  if (!any && !closed) {
    Heading(4, "", {Fixed(absl::Substitute(c_.progress_for, Date(period)))});
    Para({Fixed(c_.no_update)});
  }
}

void Layout::Monitoring(const Recommendation& rec, bool closed) {
  std::vector<ListItem> items;
  for (const Activity& a : rec.activities) {
    const bool completed = a.CompletedBy(cut_);
    if (a.period > req_.period) continue;
    if (a.period != req_.period && completed) continue;
    ListItem item = Item({Content(a.description)});
    if (!a.due_on.empty()) {
      item.text.push_back(Fixed(absl::StrCat(
          " (", absl::Substitute(c_.due_on, Date(a.due_on)), ")")));
    }
    if (completed) {
      Inline done = {Fixed(c_.completed, Style::kStrong)};
      if (!a.outcome.en().empty()) {
        done.push_back(Fixed(" "));
        done.push_back(Content(a.outcome));
      }
      item.children.push_back(std::move(done));
    }
    items.push_back(std::move(item));
  }
  if (items.empty() && closed) return;
  Heading(4, "", {Fixed(c_.monitoring)});
  if (items.empty()) Para({Fixed(c_.no_monitoring)});
  List(std::move(items));
}

void Layout::Meetings(const Recommendation& rec) {
  std::vector<ListItem> items;
  for (const v1::MeetingObserved& meeting : m_.meetings) {
    bool related = false;
    for (int32_t n : meeting.related_recommendations()) {
      related |= n == rec.number;
    }
    const std::string month = meeting.held_on().substr(0, 7);
    if (!related || month > req_.period ||
        (!previous_.empty() && month <= previous_)) {
      continue;
    }
    ListItem item =
        Item({Content(meeting.title(), Style::kStrong),
              Fixed(absl::StrCat(" (", Date(meeting.held_on()), ")"))});
    for (const v1::LocalizedText& f : meeting.findings()) {
      item.children.push_back({Content(f)});
    }
    items.push_back(std::move(item));
  }
  if (items.empty()) return;
  Heading(4, "", {Fixed(c_.meetings)});
  List(std::move(items));
}

void Layout::Programmes(const Recommendation& rec) {
  for (const Programme& p : m_.programmes) {
    bool related = false;
    for (int32_t n : p.registered.related_recommendations()) {
      related |= n == rec.number;
    }
    if (!related) continue;
    Heading(4, "",
            {Fixed(absl::StrCat(c_.label_programme, ": ")),
             Content(p.registered.name())});
    Labelled(c_.label_agency, {Agency(p.registered.owning_agency_id())});
    if (!p.registered.started_on().empty()) {
      Labelled(c_.label_started, {Fixed(Date(p.registered.started_on()))});
    }
    bool any = false;
    for (const v1::PartnerReportSubmitted& r : p.reports) {
      const auto [first, last] = QuarterMonths(r.quarter());
      if (first.empty() || first > req_.period ||
          (!previous_.empty() && last <= previous_)) {
        continue;
      }
      any = true;
      Block table;
      table.kind = Block::Kind::kTable;
      table.text = {
          Fixed(absl::Substitute(c_.figures_for, Quarter(r.quarter())))};
      table.header = {{Fixed(c_.figure_measure)}, {Fixed(c_.figure_value)}};
      for (const v1::Figure& f : r.figures()) {
        Inline label = {f.label().en().empty() ? Fixed(f.key())
                                               : Content(f.label())};
        if (f.cumulative()) {
          label.push_back(Fixed(absl::StrCat(" ", c_.figure_cumulative)));
        }
        table.rows.push_back(
            {std::move(label), {Fixed(absl::StrCat(f.value()))}});
      }
      out_.push_back(std::move(table));
      std::vector<ListItem> narrative;
      for (const v1::LocalizedText& n : r.narrative()) {
        narrative.push_back(Item({Content(n)}));
      }
      List(std::move(narrative));
    }
    if (!any) Para({Fixed(c_.no_figures)});
  }
}

void Layout::RatingLine(const Recommendation& rec, const std::string& period,
                        bool carried) {
  Inline line = {
      Fixed(absl::Substitute(c_.rating_for, Date(period)), Style::kStrong),
      Fixed(" ")};
  auto it = rec.ratings.find(period);
  if (it == rec.ratings.end() || it->second.rating == v1::RATING_UNSPECIFIED) {
    if (carried) {
      // The closing, if any, is already said at the top.
      const Inline cell = RatingCell(rec, period, /*closure=*/false);
      line.insert(line.end(), cell.begin(), cell.end());
    } else {
      line.push_back(RatingSpan(v1::RATING_UNSPECIFIED, c_.rating_not_stated));
    }
    Para(std::move(line));
    return;
  }
  const v1::Rating r = it->second.rating;
  line.push_back(RatingSpan(r, c_.RatingName(r)));
  line.push_back(Fixed(absl::StrCat(" \u2013 ", c_.RatingMeaning(r))));
  Para(std::move(line));
  if (!it->second.rationale.en().empty()) {
    Para({Content(it->second.rationale)});
  }
}

}  // namespace oversight::projections::report
