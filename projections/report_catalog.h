// The fixed strings of a progress report, one catalogue per language
// (report_catalog_en.cc, report_catalog_cy.cc). Templates take their
// arguments as absl::Substitute does ("$0"). Arguments are only ever
// numbers, dates and names set off by a colon or brackets, so no Welsh
// template needs a mutation that a fixed string cannot make.
//
// Example:
//   absl::Substitute(WelshCatalog().progress_for, "Ionawr 2025")
//   // "Cynnydd Ionawr 2025"

#ifndef OVERSIGHT_PROJECTIONS_REPORT_CATALOG_H_
#define OVERSIGHT_PROJECTIONS_REPORT_CATALOG_H_

#include <array>

#include "absl/strings/string_view.h"
#include "oversight/v1/domain.pb.h"

namespace oversight::projections::report {

struct Catalog {
  absl::string_view lang;  // "en" or "cy": <html lang>.
  std::array<absl::string_view, 12> months;

  // Title block.
  absl::string_view document_title;       // The h1.
  absl::string_view as_recorded;          // $0: the log position.
  absl::string_view effective_at;         // $0: a date and time (UTC).
  absl::string_view untranslated_note;    // Said once, near the top; or "".
  absl::string_view untranslated_marker;  // "[$native / $english]":
  absl::string_view untranslated_marker_native;   // "Saesneg yn unig"
  absl::string_view untranslated_marker_english;  // "English only"
  // Where an agency's name cannot be shown (its registration was not
  // official, or gave no name): never its id.
  absl::string_view an_agency;

  // Contents and overview.
  absl::string_view contents;
  absl::string_view overview;
  absl::string_view label_review;
  absl::string_view label_question;
  absl::string_view label_reviewing_body;
  absl::string_view label_opened;
  absl::string_view label_full_report;
  absl::string_view themes_intro;
  absl::string_view reporting_cycle;
  absl::string_view label_periods;
  absl::string_view label_this_period;
  absl::string_view label_previous_period;
  absl::string_view focus_previous;  // $0: the previous period.
  absl::string_view focus_first;

  // The RAG key and the progress section.
  absl::string_view progress;
  absl::string_view rag_intro;
  absl::string_view rag_red, rag_amber, rag_green;
  absl::string_view rag_red_meaning, rag_amber_meaning, rag_green_meaning;
  absl::string_view rating_not_stated;
  absl::string_view rating_since;   // $0: a rating, $1: its period.
  absl::string_view theme_heading;  // $0: the theme's name.
  absl::string_view other_recommendations;
  absl::string_view recommendation;  // $0: its number.
  absl::string_view text_not_in_source;
  absl::string_view progress_for;  // $0: a period.
  absl::string_view no_update;
  absl::string_view label_agency;
  absl::string_view label_evidence;
  absl::string_view monitoring;
  absl::string_view no_monitoring;
  absl::string_view due_on;     // $0: a date.
  absl::string_view completed;  // $0: the outcome follows.
  absl::string_view meetings;
  absl::string_view rating_for;        // $0: a period.
  absl::string_view closed_on;         // $0: a date.
  absl::string_view label_decided_by;  // Followed by who decided.
  absl::string_view no_recommendations;

  // The reviewing body's own recommendations and partner programmes.
  absl::string_view reviewing_body_heading;
  absl::string_view reviewing_body_intro;
  absl::string_view label_programme;
  absl::string_view label_started;
  absl::string_view figures_for;  // $0: a quarter.
  absl::string_view figure_measure;
  absl::string_view figure_value;
  absl::string_view figure_cumulative;
  absl::string_view no_figures;

  // Conclusion, summary, risks, coverage.
  absl::string_view conclusion;
  absl::string_view no_conclusion;
  absl::string_view summary;
  absl::string_view summary_caption;
  absl::string_view column_recommendation;
  absl::string_view column_theme;
  absl::string_view risks;
  absl::string_view no_risks;
  absl::string_view label_related;  // Followed by the numbers.
  absl::string_view risk_funding, risk_capacity, risk_dependency, risk_data,
      risk_other;
  absl::string_view coverage;  // $0 passages in Welsh of $1.

  absl::string_view RatingName(v1::Rating rating) const;
  absl::string_view RatingMeaning(v1::Rating rating) const;
  absl::string_view RiskCategory(v1::RiskCategory category) const;
};

const Catalog& EnglishCatalog();
const Catalog& WelshCatalog();

}  // namespace oversight::projections::report

#endif  // OVERSIGHT_PROJECTIONS_REPORT_CATALOG_H_
