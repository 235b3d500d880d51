// The English fixed strings of a progress report (report_catalog.h), in the
// words of the Dyfed-Powys OPCC's own reports where they fit, and the
// lookups both catalogues share.

#include "projections/report_catalog.h"

namespace oversight::projections::report {
namespace {

Catalog MakeEnglish() {
  Catalog c;
  c.lang = "en";
  c.months = {"January",   "February", "March",    "April",
              "May",       "June",     "July",     "August",
              "September", "October",  "November", "December"};

  c.document_title = "Review progress report";
  c.as_recorded = "As recorded at log position $0.";
  c.effective_at = "Including only what had happened by $0.";
  c.untranslated_note = "";
  c.untranslated_marker = "[Saesneg yn unig / English only]";
  c.untranslated_marker_native = "Saesneg yn unig";
  c.untranslated_marker_english = "English only";
  c.an_agency = "an agency";

  c.contents = "Contents";
  c.overview = "Overview";
  c.label_review = "Review";
  c.label_question = "Question";
  c.label_reviewing_body = "Reviewing body";
  c.label_opened = "Opened";
  c.label_full_report = "Full report";
  c.themes_intro = "The review set out recommendations under these themes:";
  c.reporting_cycle =
      "Each agency that owns a recommendation reports its progress to the "
      "reviewing body every reporting period. In turn, the reviewing body "
      "provides the Police and Crime Panel with a progress report.";
  c.label_periods = "Reporting periods";
  c.label_this_period = "This report";
  c.label_previous_period = "Previous report";
  c.focus_previous =
      "This report focuses only on the recommendations that were not rated "
      "Green (complete) for $0. Every recommendation is listed, with its "
      "ratings, in the summary at the end.";
  c.focus_first =
      "This is the first reporting period of the review: every "
      "recommendation is considered.";

  c.progress = "Recommendation progress";
  c.rag_intro =
      "Each recommendation is assigned a RAG rating to show the progress "
      "made:";
  c.rag_red = "Red";
  c.rag_amber = "Amber";
  c.rag_green = "Green";
  c.rag_red_meaning = "No progress has been made.";
  c.rag_amber_meaning = "Some progress has been made but more is required.";
  c.rag_green_meaning = "Recommendation is complete.";
  c.rating_not_stated = "Rating not stated";
  c.rating_since = "$0 (since $1)";
  c.theme_heading = "$0 Recommendations";
  c.other_recommendations = "Other Recommendations";
  c.recommendation = "Recommendation $0";
  c.text_not_in_source =
      "The text of this recommendation is not given in the source.";
  c.progress_for = "Progress $0";
  c.no_update = "No update was submitted for this period.";
  c.label_agency = "Agency";
  c.label_evidence = "Evidence";
  c.monitoring = "Ongoing monitoring activity";
  c.no_monitoring = "No monitoring activity is recorded for this period.";
  c.due_on = "due $0";
  c.completed = "Completed:";
  c.meetings = "Meetings observed";
  c.rating_for = "RAG rating for $0:";
  c.closed_on = "Closed on $0";
  c.label_decided_by = "decided by:";
  c.no_recommendations =
      "No recommendation needs to be considered in this report.";

  c.reviewing_body_heading = "Recommendations for the Reviewing Body";
  c.reviewing_body_intro =
      "These recommendations were set for the reviewing body itself. They "
      "are reported here whatever their earlier rating.";
  c.label_programme = "Programme";
  c.label_started = "Started";
  c.figures_for = "Figures for $0";
  c.figure_measure = "Measure";
  c.figure_value = "Figure";
  c.figure_cumulative = "(running total since the programme began)";
  c.no_figures = "No figures have been reported for this period.";

  c.conclusion = "Conclusion";
  c.no_conclusion = "No conclusion has been recorded for this period.";
  c.summary = "Summary of Ratings";
  c.summary_caption = "RAG rating of every recommendation, by period";
  c.column_recommendation = "Recommendation";
  c.column_theme = "Theme";
  c.risks = "Open Risks";
  c.no_risks = "No open risks are recorded.";
  c.label_related = "Related recommendations:";
  c.risk_funding = "Funding";
  c.risk_capacity = "Capacity";
  c.risk_dependency = "Dependency";
  c.risk_data = "Data";
  c.risk_other = "Other";
  c.coverage = "Content available in Welsh: $0 of $1 passages.";
  return c;
}

}  // namespace

absl::string_view Catalog::RatingName(v1::Rating rating) const {
  switch (rating) {
    case v1::RATING_RED:
      return rag_red;
    case v1::RATING_AMBER:
      return rag_amber;
    case v1::RATING_GREEN:
      return rag_green;
    default:
      return rating_not_stated;
  }
}

absl::string_view Catalog::RatingMeaning(v1::Rating rating) const {
  switch (rating) {
    case v1::RATING_RED:
      return rag_red_meaning;
    case v1::RATING_AMBER:
      return rag_amber_meaning;
    case v1::RATING_GREEN:
      return rag_green_meaning;
    default:
      return "";
  }
}

absl::string_view Catalog::RiskCategory(v1::RiskCategory category) const {
  switch (category) {
    case v1::RISK_CATEGORY_FUNDING:
      return risk_funding;
    case v1::RISK_CATEGORY_CAPACITY:
      return risk_capacity;
    case v1::RISK_CATEGORY_DEPENDENCY:
      return risk_dependency;
    case v1::RISK_CATEGORY_DATA:
      return risk_data;
    default:
      return risk_other;
  }
}

const Catalog& EnglishCatalog() {
  static const Catalog* const kCatalog = new Catalog(MakeEnglish());
  return *kCatalog;
}

}  // namespace oversight::projections::report
