// The Welsh fixed strings of a progress report (report_catalog.h).
//
// Written to avoid mutations that a fixed string cannot make: arguments
// follow a colon, "ar gyfer", "erbyn" or "ers" (none of which mutates),
// stand in brackets, follow "ar" only as a date starting with a numeral, or
// follow a plural noun as its genitive ("Argymhellion Hyfforddiant": no
// mutation after a plural noun), and every mutated word here is fixed text
// ("i bob", "yn Wyrdd", "wedi'i gwblhau", "wedi'i gau"). Month names are
// the radical forms, as dates use them ("31 Ionawr 2025").

#include "projections/report_catalog.h"

namespace oversight::projections::report {
namespace {

Catalog MakeWelsh() {
  Catalog c;
  c.lang = "cy";
  c.months = {"Ionawr", "Chwefror", "Mawrth",     "Ebrill",
              "Mai",    "Mehefin",  "Gorffennaf", "Awst",
              "Medi",   "Hydref",   "Tachwedd",   "Rhagfyr"};

  c.document_title = "Adroddiad cynnydd ar yr adolygiad";
  c.as_recorded = "Fel y'i cofnodwyd yn y log hyd at safle $0.";
  c.effective_at = "Yn cynnwys dim ond yr hyn a oedd wedi digwydd erbyn $0.";
  c.untranslated_note =
      "Lle nad oes testun Cymraeg wedi'i gofnodi eto, dangosir y testun "
      "Saesneg, wedi'i farcio [Saesneg yn unig / English only].";
  c.untranslated_marker = "[Saesneg yn unig / English only]";
  c.untranslated_marker_native = "Saesneg yn unig";
  c.untranslated_marker_english = "English only";
  c.an_agency = "asiantaeth";

  c.contents = "Cynnwys";
  c.overview = "Trosolwg";
  c.label_review = "Adolygiad";
  c.label_question = "Cwestiwn";
  c.label_reviewing_body = "Corff adolygu";
  c.label_opened = "Agorwyd";
  c.label_full_report = "Yr adroddiad llawn";
  c.themes_intro = "Gwnaeth yr adolygiad argymhellion o dan y themâu hyn:";
  c.reporting_cycle =
      "Mae pob asiantaeth sy'n gyfrifol am argymhelliad yn adrodd ar ei "
      "chynnydd i'r corff adolygu ym mhob cyfnod adrodd. Yn ei dro, mae'r "
      "corff adolygu yn rhoi adroddiad cynnydd i'r Panel Heddlu a Throseddu.";
  c.label_periods = "Cyfnodau adrodd";
  c.label_this_period = "Yr adroddiad hwn";
  c.label_previous_period = "Yr adroddiad blaenorol";
  c.focus_previous =
      "Mae'r adroddiad hwn yn canolbwyntio'n unig ar yr argymhellion nad "
      "oeddent yn Wyrdd (wedi'u cwblhau) ar gyfer $0. Mae pob argymhelliad, "
      "gyda'i statws RAG, wedi'i restru yn y crynodeb ar y diwedd.";
  c.focus_first =
      "Dyma gyfnod adrodd cyntaf yr adolygiad: ystyrir pob argymhelliad.";

  c.progress = "Cynnydd yn erbyn yr argymhellion";
  c.rag_intro =
      "Rhoddir statws RAG i bob argymhelliad i ddangos y cynnydd a wnaed:";
  c.rag_red = "Coch";
  c.rag_amber = "Ambr";
  c.rag_green = "Gwyrdd";
  c.rag_red_meaning = "Ni wnaed unrhyw gynnydd.";
  c.rag_amber_meaning = "Gwnaed rhywfaint o gynnydd ond mae angen rhagor.";
  c.rag_green_meaning = "Mae'r argymhelliad wedi'i gwblhau.";
  c.rating_not_stated = "Statws heb ei nodi";
  c.rating_since = "$0 (ers $1)";
  c.theme_heading = "Argymhellion $0";
  c.other_recommendations = "Argymhellion eraill";
  c.recommendation = "Argymhelliad $0";
  c.text_not_in_source =
      "Nid yw testun yr argymhelliad hwn ar gael yn y ffynhonnell.";
  c.progress_for = "Cynnydd $0";
  c.no_update = "Ni chyflwynwyd diweddariad ar gyfer y cyfnod hwn.";
  c.label_agency = "Asiantaeth";
  c.label_evidence = "Tystiolaeth";
  c.monitoring = "Gweithgarwch monitro parhaus";
  c.no_monitoring =
      "Nid oes gweithgarwch monitro wedi'i gofnodi ar gyfer y cyfnod hwn.";
  c.due_on = "erbyn $0";
  c.completed = "Wedi'i gwblhau:";
  c.meetings = "Cyfarfodydd a arsylwyd";
  c.rating_for = "Statws RAG ar gyfer $0:";
  c.closed_on = "Wedi'i gau ar $0";
  c.label_decided_by = "penderfynwyd gan:";
  c.no_recommendations =
      "Nid oes angen ystyried unrhyw argymhelliad yn yr adroddiad hwn.";

  c.reviewing_body_heading = "Argymhellion ar gyfer y corff adolygu";
  c.reviewing_body_intro =
      "Gosodwyd yr argymhellion hyn ar gyfer y corff adolygu ei hun. Cânt eu "
      "cynnwys yma beth bynnag oedd eu statws blaenorol.";
  c.label_programme = "Rhaglen";
  c.label_started = "Dyddiad dechrau";
  c.figures_for = "Ffigurau ar gyfer $0";
  c.figure_measure = "Mesur";
  c.figure_value = "Ffigur";
  c.figure_cumulative = "(cyfanswm ers dechrau'r rhaglen)";
  c.no_figures = "Nid oes ffigurau wedi'u cyflwyno ar gyfer y cyfnod hwn.";

  c.conclusion = "Casgliad";
  c.no_conclusion = "Nid oes casgliad wedi'i gofnodi ar gyfer y cyfnod hwn.";
  c.summary = "Crynodeb o'r statws RAG";
  c.summary_caption = "Statws RAG pob argymhelliad, fesul cyfnod";
  c.column_recommendation = "Argymhelliad";
  c.column_theme = "Thema";
  c.risks = "Risgiau agored";
  c.no_risks = "Nid oes risgiau agored wedi'u cofnodi.";
  c.label_related = "Argymhellion cysylltiedig:";
  c.risk_funding = "Cyllid";
  c.risk_capacity = "Capasiti";
  c.risk_dependency = "Dibyniaeth";
  c.risk_data = "Data";
  c.risk_other = "Arall";
  c.coverage = "Darnau o gynnwys yn Gymraeg: $0 o $1.";
  return c;
}

}  // namespace

const Catalog& WelshCatalog() {
  static const Catalog* const kCatalog = new Catalog(MakeWelsh());
  return *kCatalog;
}

}  // namespace oversight::projections::report
