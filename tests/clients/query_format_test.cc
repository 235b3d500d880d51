// The query verbs' arguments and rendering (clients/query_format.h),
// without a server: --as-of and the history bounds, tables of hand-built
// responses, history lines, the partner's figures, JSON output, and what
// need-to-know withheld with where the access log recorded it, in the
// answers, the history, raw events and the access log itself.

#include "clients/query_format.h"

#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "clients/cli_format.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace oversight::cli {
namespace {

using ::testing::ContainsRegex;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

absl::Time Utc(int y, int m, int d, int hh = 0, int mm = 0, int ss = 0) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, ss),
                         absl::UTCTimeZone());
}

google::protobuf::Timestamp Ts(absl::Time t) {
  google::protobuf::Timestamp out;
  out.set_seconds(absl::ToUnixSeconds(t));
  out.set_nanos(static_cast<int32_t>(
      (t - absl::FromUnixSeconds(out.seconds())) / absl::Nanoseconds(1)));
  return out;
}

// A `now` well after every date below.
const absl::Time kNow = Utc(2025, 3, 1, 12);

v1::LocalizedText Text(const std::string& en, const std::string& cy = "") {
  v1::LocalizedText t;
  t.set_en(en);
  t.set_cy(cy);
  return t;
}

// The line of `text` containing `needle`, or "".
std::string LineWith(const std::string& text, const std::string& needle) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (line.find(needle) != absl::string_view::npos) return std::string(line);
  }
  return "";
}

// Where `needle` starts in `line`, in UTF-8 characters (the column a
// terminal shows it in).
size_t Column(const std::string& line, const std::string& needle) {
  const size_t at = line.find(needle);
  if (at == std::string::npos) return at;
  size_t n = 0;
  for (size_t i = 0; i < at; ++i) {
    if ((static_cast<unsigned char>(line[i]) & 0xC0) != 0x80) ++n;
  }
  return n;
}

// ------------------------------------------------------------------ --as-of

TEST(ParseAsOfFlagTest, DateIsTheEndOfThatDayUtc) {
  absl::StatusOr<v1::AsOf> as_of = ParseAsOfFlag("2024-07-31", kNow);
  ASSERT_TRUE(as_of.ok()) << as_of.status();
  EXPECT_EQ(as_of->position(), 0u);
  ASSERT_TRUE(as_of->has_effective_at());
  EXPECT_EQ(as_of->effective_at().seconds(),
            absl::ToUnixSeconds(Utc(2024, 8, 1)) - 1);
  EXPECT_EQ(as_of->effective_at().nanos(), 999999999);
}

TEST(ParseAsOfFlagTest, TodayIsNowNotTheEndOfTheDay) {
  const absl::Time now = Utc(2025, 3, 1, 9, 30);
  absl::StatusOr<v1::AsOf> as_of = ParseAsOfFlag("2025-03-01", now);
  ASSERT_TRUE(as_of.ok()) << as_of.status();
  EXPECT_EQ(as_of->effective_at().seconds(), absl::ToUnixSeconds(now));
  EXPECT_EQ(as_of->effective_at().nanos(), 0);
}

TEST(ParseAsOfFlagTest, Rfc3339Time) {
  absl::StatusOr<v1::AsOf> as_of = ParseAsOfFlag("2024-07-31T12:00:00Z", kNow);
  ASSERT_TRUE(as_of.ok()) << as_of.status();
  EXPECT_EQ(as_of->effective_at().seconds(),
            absl::ToUnixSeconds(Utc(2024, 7, 31, 12)));
  EXPECT_EQ(as_of->position(), 0u);

  as_of = ParseAsOfFlag("2024-07-31T13:00:00.5+01:00", kNow);
  ASSERT_TRUE(as_of.ok()) << as_of.status();
  EXPECT_EQ(as_of->effective_at().seconds(),
            absl::ToUnixSeconds(Utc(2024, 7, 31, 12)));
  EXPECT_EQ(as_of->effective_at().nanos(), 500000000);
}

TEST(ParseAsOfFlagTest, Positions) {
  absl::StatusOr<v1::AsOf> as_of = ParseAsOfFlag("@120", kNow);
  ASSERT_TRUE(as_of.ok()) << as_of.status();
  EXPECT_EQ(as_of->position(), 120u);
  EXPECT_FALSE(as_of->has_effective_at());

  as_of = ParseAsOfFlag("position:7", kNow);
  ASSERT_TRUE(as_of.ok()) << as_of.status();
  EXPECT_EQ(as_of->position(), 7u);
  EXPECT_FALSE(as_of->has_effective_at());
}

TEST(ParseAsOfFlagTest, PositionAndTimeCombined) {
  absl::StatusOr<v1::AsOf> as_of = ParseAsOfFlag("@120,2024-07-31", kNow);
  ASSERT_TRUE(as_of.ok()) << as_of.status();
  EXPECT_EQ(as_of->position(), 120u);
  EXPECT_EQ(as_of->effective_at().seconds(),
            absl::ToUnixSeconds(Utc(2024, 8, 1)) - 1);

  // Either order; blanks around the comma.
  as_of = ParseAsOfFlag("2024-07-31T00:00:00Z, position:5", kNow);
  ASSERT_TRUE(as_of.ok()) << as_of.status();
  EXPECT_EQ(as_of->position(), 5u);
  EXPECT_EQ(as_of->effective_at().seconds(),
            absl::ToUnixSeconds(Utc(2024, 7, 31)));
}

TEST(ParseAsOfFlagTest, BadValuesAreRefused) {
  for (const char* bad : {"",
                          "yesterday",
                          "@",
                          "@x",
                          "@0",
                          "@-3",
                          "@+3",
                          "position:",
                          "12",
                          "2024-7-31",
                          "2024-02-30",
                          "2024-13-01",
                          "31/07/2024",
                          "2024-07-31T12:00:00",
                          "2024-07-31 12:00:00Z",
                          "@1,@2",
                          "2024-07-31,2024-08-01",
                          "@1,",
                          ",@1",
                          "@1,2024-07-31,@2",
                          "0000-01-01"}) {
    absl::StatusOr<v1::AsOf> as_of = ParseAsOfFlag(bad, kNow);
    EXPECT_FALSE(as_of.ok()) << "\"" << bad << "\"";
    if (!as_of.ok()) {
      EXPECT_EQ(as_of.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_THAT(std::string(as_of.status().message()),
                  HasSubstr("expected YYYY-MM-DD"))
          << bad;
    }
  }
}

TEST(ParseHistoryBoundTest, DatesAreWholeDays) {
  absl::StatusOr<google::protobuf::Timestamp> from =
      ParseHistoryBound("2024-07-01", Bound::kFrom);
  ASSERT_TRUE(from.ok()) << from.status();
  EXPECT_EQ(from->seconds(), absl::ToUnixSeconds(Utc(2024, 7, 1)));
  // --to names the last day included: the range ends at the next midnight.
  absl::StatusOr<google::protobuf::Timestamp> to =
      ParseHistoryBound("2024-07-31", Bound::kTo);
  ASSERT_TRUE(to.ok()) << to.status();
  EXPECT_EQ(to->seconds(), absl::ToUnixSeconds(Utc(2024, 8, 1)));
  to = ParseHistoryBound("2024-07-31T06:00:00Z", Bound::kTo);
  ASSERT_TRUE(to.ok()) << to.status();
  EXPECT_EQ(to->seconds(), absl::ToUnixSeconds(Utc(2024, 7, 31, 6)));
  EXPECT_FALSE(ParseHistoryBound("July", Bound::kFrom).ok());
}

TEST(ParseEventTypesTest, ShortNamesGetThePackage) {
  EXPECT_THAT(
      ParseEventTypes("RatingAssigned, oversight.v1.RiskRaised,"),
      ElementsAre("oversight.v1.RatingAssigned", "oversight.v1.RiskRaised"));
  EXPECT_TRUE(ParseEventTypes("").empty());
}

TEST(ParseListTest, CommasTrimmedEmptiesDropped) {
  EXPECT_THAT(ParseList("Police and Crime Panel, OPCC ,,"),
              ElementsAre("Police and Crime Panel", "OPCC"));
  EXPECT_THAT(ParseList("Panel yr Heddlu a Throseddu"),
              ElementsAre("Panel yr Heddlu a Throseddu"));
  EXPECT_TRUE(ParseList("").empty());
  EXPECT_TRUE(ParseList(" , ").empty());
}

TEST(ParseFlagsTest, AccessKind) {
  EXPECT_EQ(*ParseAccessKind(""), v1::ACCESS_KIND_UNSPECIFIED);
  EXPECT_EQ(*ParseAccessKind("consultation"), v1::ACCESS_KIND_CONSULTATION);
  EXPECT_EQ(*ParseAccessKind("disclosure"), v1::ACCESS_KIND_DISCLOSURE);
  absl::StatusOr<v1::AccessKind> bad = ParseAccessKind("read");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(),
              HasSubstr("--kind must be consultation or disclosure"));
}

TEST(ParseFlagsTest, OutputAndLang) {
  EXPECT_EQ(*ParseOutputFormat("json"), OutputFormat::kJson);
  EXPECT_EQ(*ParseOutputFormat("table"), OutputFormat::kTable);
  EXPECT_FALSE(ParseOutputFormat("yaml").ok());
  EXPECT_EQ(*ParseLang("cy"), Lang::kWelsh);
  EXPECT_EQ(*ParseLang("en"), Lang::kEnglish);
  EXPECT_FALSE(ParseLang("fr").ok());
}

// ------------------------------------------------------------------- text

TEST(LocalizedTest, WelshWherePresentElseEnglishMarked) {
  EXPECT_EQ(Localized(Text("Police", "Heddlu"), Lang::kWelsh), "Heddlu");
  EXPECT_EQ(Localized(Text("Police", "Heddlu"), Lang::kEnglish), "Police");
  EXPECT_EQ(Localized(Text("Police"), Lang::kWelsh), "Police [en]");
  EXPECT_EQ(Localized(Text(""), Lang::kWelsh), "");
}

TEST(FormatReflectsTest, PositionAndEffectiveTime) {
  v1::Reflects r;
  r.set_position(120);
  EXPECT_EQ(FormatReflects(r), "as at position 120");
  *r.mutable_effective_at() = Ts(Utc(2024, 7, 31, 12, 0, 5));
  EXPECT_EQ(FormatReflects(r),
            "as at position 120, effective 2024-07-31T12:00:05Z");
  // The end of a day, as a date --as-of gives (the server keeps micros).
  *r.mutable_effective_at() = Ts(Utc(2024, 8, 1) - absl::Microseconds(1));
  EXPECT_EQ(FormatReflects(r),
            "as at position 120, effective end of 2024-07-31 UTC");
}

// ----------------------------------------------------- need-to-know lines

std::string DisclosureText(const Disclosure& d) {
  std::ostringstream out;
  PrintDisclosure(out, d);
  return out.str();
}

TEST(DisclosureTest, WithheldAndWhereTheAccessWasRecorded) {
  EXPECT_EQ(DisclosureText(Disclosure()), "");
  Disclosure d;
  d.Add(0, 0);
  EXPECT_EQ(DisclosureText(d), "");
  d.Add(1, 0);
  EXPECT_EQ(DisclosureText(d),
            "1 OFFICIAL-SENSITIVE event withheld (not entitled, or no "
            "--justification)\n");
  d.Add(1, 120);
  EXPECT_EQ(DisclosureText(d),
            "2 OFFICIAL-SENSITIVE events withheld (not entitled, or no "
            "--justification)\naccess recorded at position 120\n");
  d.Add(0, 125);
  EXPECT_THAT(DisclosureText(d),
              HasSubstr("\naccess recorded at positions 120, 125\n"));
}

TEST(DisclosureTest, OfReflects) {
  v1::Reflects r;
  r.set_position(130);
  r.set_withheld(3);
  r.set_access_recorded_position(131);
  const Disclosure d = DisclosureOf(r);
  EXPECT_EQ(d.withheld, 3u);
  EXPECT_THAT(d.access_positions, ElementsAre(131u));
  r.clear_access_recorded_position();
  EXPECT_TRUE(DisclosureOf(r).access_positions.empty());
}

TEST(RawEventTest, WithheldEventSaysSoInsteadOfItsData) {
  v1::RecordedEvent e;
  e.set_position(42);
  e.set_stream("recommendation-r-1");
  e.set_revision(3);
  e.set_type("oversight.v1.ProgressUpdateSubmitted");
  *e.mutable_recorded_at() = Ts(Utc(2025, 1, 20, 9, 15, 30));
  e.set_data("printable data");
  std::ostringstream out;
  PrintEvent(out, e);
  EXPECT_THAT(out.str(), HasSubstr("printable data"));
  e.clear_data();
  e.set_withheld(true);
  std::ostringstream withheld;
  PrintEvent(withheld, e);
  EXPECT_THAT(withheld.str(),
              ContainsRegex("^42 +recommendation-r-1@3 +"
                            "oversight.v1.ProgressUpdateSubmitted +"
                            "2025-01-20 09:15:30.000 +"
                            "withheld \\(OFFICIAL-SENSITIVE\\)\n$"));
}

// ------------------------------------------------------------ status board

v1::GetStatusBoardResponse Board() {
  v1::GetStatusBoardResponse r;
  r.mutable_reflects()->set_position(120);
  r.set_review_id("stalking-2023");
  *r.mutable_title() = Text("Stalking deep dive", "Adolygiad stelcian");
  r.add_periods("2024-06");
  r.add_periods("2025-01");
  r.add_open_periods("2025-01");

  v1::StatusBoardRow* one = r.add_rows();
  one->set_review_id("stalking-2023");
  one->set_number(1);
  one->set_theme_id("training");
  one->set_owning_agency_id("dyfed-powys-police");
  one->mutable_current()->set_period("2025-01");  // not stated
  one->mutable_previous()->set_period("2024-06");
  one->mutable_previous()->set_rating(v1::RATING_AMBER);
  one->mutable_previous()->set_stated(true);
  one->set_last_update_period("2024-06");
  one->set_open_monitoring_activities(2);
  one->set_open_risks(1);

  v1::StatusBoardRow* two = r.add_rows();
  two->set_review_id("stalking-2023");
  two->set_number(12);
  two->set_theme_id("risk");
  two->set_owning_agency_id("dyfed-powys-police");
  two->mutable_current()->set_period("2025-01");
  two->mutable_current()->set_rating(v1::RATING_GREEN);
  two->mutable_current()->set_stated(true);
  two->set_closed(true);
  two->add_periods_missed("2023-06");
  two->add_periods_missed("2024-06");
  return r;
}

TEST(StatusBoardTest, HeaderTitleAndReflects) {
  std::ostringstream out;
  PrintStatusBoard(out, Board(), Lang::kEnglish);
  EXPECT_THAT(out.str(), StartsWith("Stalking deep dive (stalking-2023), "
                                    "as at position 120\n"));
  EXPECT_THAT(out.str(),
              HasSubstr("periods: 2024-06, 2025-01 (open: 2025-01)"));
  std::ostringstream cy;
  PrintStatusBoard(cy, Board(), Lang::kWelsh);
  EXPECT_THAT(cy.str(), StartsWith("Adolygiad stelcian (stalking-2023)"));
}

TEST(StatusBoardTest, WithheldAndAccessUnderTheHeader) {
  v1::GetStatusBoardResponse board = Board();
  board.mutable_reflects()->set_withheld(2);
  board.mutable_reflects()->set_access_recorded_position(121);
  std::ostringstream out;
  PrintStatusBoard(out, board, Lang::kEnglish);
  EXPECT_THAT(out.str(),
              StartsWith("Stalking deep dive (stalking-2023), as at position "
                         "120\n2 OFFICIAL-SENSITIVE events withheld (not "
                         "entitled, or no --justification)\naccess recorded "
                         "at position 121\nperiods: "));
  // Nothing withheld, nothing recorded: no such lines.
  std::ostringstream plain;
  PrintStatusBoard(plain, Board(), Lang::kEnglish);
  EXPECT_THAT(plain.str(), Not(HasSubstr("withheld")));
  EXPECT_THAT(plain.str(), Not(HasSubstr("access recorded")));
}

TEST(StatusBoardTest, Rows) {
  std::ostringstream out;
  PrintStatusBoard(out, Board(), Lang::kEnglish);
  const std::string text = out.str();
  const std::string header = LineWith(text, "THEME");
  EXPECT_THAT(header, ContainsRegex("NO +THEME +OWNER +CURRENT +PREVIOUS +"
                                    "STATE +LAST UPDATE +MISSED +MONITORING +"
                                    "RISKS"));
  const std::string one = LineWith(text, "training");
  EXPECT_THAT(one, ContainsRegex("^ *1  training +dyfed-powys-police +"
                                 "not stated 2025-01 +Amber 2024-06 +open +"
                                 "2024-06 +- +2 +1$"))
      << text;
  const std::string twelve = LineWith(text, "risk ");
  EXPECT_THAT(twelve, ContainsRegex("^12  risk +dyfed-powys-police +"
                                    "Green 2025-01 +- +closed +- +"
                                    "2023-06,2024-06 +0 +0$"))
      << text;
  // Columns line up: CURRENT starts at the same place on every line.
  EXPECT_EQ(header.find("CURRENT"), one.find("not stated"));
  EXPECT_EQ(header.find("CURRENT"), twelve.find("Green"));
}

TEST(StatusBoardTest, NoRecommendations) {
  v1::GetStatusBoardResponse r;
  r.set_review_id("empty");
  std::ostringstream out;
  PrintStatusBoard(out, r, Lang::kEnglish);
  EXPECT_THAT(out.str(), HasSubstr("periods: none"));
  EXPECT_THAT(out.str(), HasSubstr("no recommendations"));
}

TEST(TableTest, PadsByCharactersNotBytes) {
  std::ostringstream out;
  PrintTable(out, {"A", "B"}, {{"Siân", "x"}, {"abcd", "y"}});
  EXPECT_EQ(out.str(), "A     B\nSiân  x\nabcd  y\n");
}

// ---------------------------------------------------------- recommendation

TEST(RecommendationTest, SummaryTextAndUpdates) {
  v1::GetRecommendationResponse r;
  r.mutable_reflects()->set_position(90);
  v1::StatusBoardRow* s = r.mutable_summary();
  s->set_review_id("stalking-2023");
  s->set_number(3);
  s->set_owning_agency_id("dyfed-powys-police");
  *s->mutable_text() = Text("Train every officer.", "Hyfforddi pob swyddog.");
  s->mutable_current()->set_period("2025-01");
  s->mutable_current()->set_rating(v1::RATING_RED);
  s->mutable_current()->set_stated(true);
  r.add_contributing_agency_ids("paladin");

  v1::UpdateView* u = r.add_updates();
  u->set_update_id("u-1");
  u->set_period("2024-06");
  u->set_agency_id("dyfed-powys-police");
  u->set_position(40);
  *u->mutable_occurred_at() = Ts(Utc(2024, 6, 15));
  u->add_corrected_at_positions(55);
  v1::Bullet* b = u->add_bullets();
  *b->mutable_text() = Text("Course written");
  *b->add_sub_bullets() = Text("Two days");
  v1::UpdateView* w = r.add_updates();
  w->set_update_id("u-2");
  w->set_period("2025-01");
  w->set_agency_id("paladin");
  w->set_position(60);
  w->set_withdrawn(true);
  *w->mutable_withdrawal_reason() = Text("sent twice");

  v1::RatingView* rating = r.add_ratings();
  rating->set_period("2025-01");
  rating->set_rating(v1::RATING_RED);
  *rating->mutable_rationale() = Text("Nothing yet");

  std::ostringstream out;
  PrintRecommendation(out, r, Lang::kEnglish);
  const std::string text = out.str();
  EXPECT_THAT(text, StartsWith("Recommendation 3 of stalking-2023, as at "
                               "position 90\n"));
  EXPECT_THAT(text, HasSubstr("contributing: paladin"));
  EXPECT_THAT(text, HasSubstr("current Red 2025-01; previous -"));
  EXPECT_THAT(text, HasSubstr("Text:\n  Train every officer.\n"));
  EXPECT_THAT(text, HasSubstr("2024-06  u-1  from dyfed-powys-police, "
                              "occurred 2024-06-15, position 40 "
                              "[corrected at 55]\n"
                              "    - Course written\n"
                              "      - Two days\n"));
  EXPECT_THAT(text, HasSubstr("u-2  from paladin, occurred -, position 60 "
                              "[withdrawn: sent twice]"));
  EXPECT_THAT(text, HasSubstr("Ratings:\n  2025-01  Red"));
  EXPECT_THAT(text, HasSubstr("    Nothing yet\n"));
  EXPECT_THAT(text, HasSubstr("Monitoring: none"));
  EXPECT_THAT(text, HasSubstr("Meetings: none"));

  std::ostringstream cy;
  PrintRecommendation(cy, r, Lang::kWelsh);
  EXPECT_THAT(cy.str(), HasSubstr("  Hyfforddi pob swyddog.\n"));
  EXPECT_THAT(cy.str(), HasSubstr("    - Course written [en]\n"));
}

// ------------------------------------------------------------------ history

v1::HistoryEntry Entry(uint64_t position) {
  v1::HistoryEntry e;
  e.set_position(position);
  e.set_stream("review-stalking-2023");
  *e.mutable_recorded_at() = Ts(Utc(2025, 1, 20, 9, 15, 30));
  v1::DomainEvent* event = e.mutable_event();
  *event->mutable_occurred_at() = Ts(Utc(2024, 6, 15));
  event->mutable_actor()->set_agency_id("dyfed-powys-police");
  event->mutable_actor()->set_person("Siân Jones");
  return e;
}

TEST(HistoryTest, UpdateCorrectedBy) {
  v1::HistoryEntry e = Entry(40);
  e.set_event_type("oversight.v1.ProgressUpdateSubmitted");
  auto* p = e.mutable_event()->mutable_progress_update_submitted();
  p->set_review_id("stalking-2023");
  p->set_number(3);
  p->set_update_id("u-1");
  p->set_period("2024-06");
  e.add_corrected_by_positions(55);
  e.add_corrected_by_positions(61);
  EXPECT_THAT(
      HistoryRow(e),
      ElementsAre("40", "2024-06-15", "2025-01-20 09:15:30",
                  "dyfed-powys-police/Siân Jones", "ProgressUpdateSubmitted",
                  "stalking-2023 #3 update u-1 (2024-06)  "
                  "corrected by 55,61"));
}

TEST(HistoryTest, CorrectionCorrects) {
  v1::HistoryEntry e = Entry(55);
  e.set_event_type("oversight.v1.ProgressUpdateCorrected");
  e.mutable_event()->mutable_actor()->clear_person();
  auto* p = e.mutable_event()->mutable_progress_update_corrected();
  p->set_review_id("stalking-2023");
  p->set_number(3);
  p->set_update_id("u-1");
  e.set_corrects_position(40);
  const std::vector<std::string> row = HistoryRow(e);
  ASSERT_EQ(row.size(), 6u);
  EXPECT_EQ(row[3], "dyfed-powys-police");
  EXPECT_EQ(row[4], "ProgressUpdateCorrected");
  EXPECT_EQ(row[5], "stalking-2023 #3 update u-1  corrects 40");
}

TEST(HistoryTest, AnImportShowsForWhomAndWhoTypedIt) {
  v1::HistoryEntry e = Entry(41);
  e.set_event_type("oversight.v1.RatingAssigned");
  v1::Actor* actor = e.mutable_event()->mutable_actor();
  actor->set_recorded_by_agency_id("dyfed-powys-opcc");
  actor->set_recorded_by_person("OPCC importer");
  EXPECT_EQ(HistoryRow(e)[3],
            "dyfed-powys-police/Siân Jones (recorded by "
            "dyfed-powys-opcc/OPCC importer)");
  actor->clear_recorded_by_person();
  EXPECT_EQ(HistoryRow(e)[3],
            "dyfed-powys-police/Siân Jones (recorded by dyfed-powys-opcc)");
}

TEST(HistoryTest, Listing) {
  v1::ListHistoryResponse r;
  r.mutable_reflects()->set_position(99);
  *r.add_entries() = Entry(7);
  r.mutable_entries(0)->set_event_type("oversight.v1.RatingAssigned");
  auto* p = r.mutable_entries(0)->mutable_event()->mutable_rating_assigned();
  p->set_review_id("r");
  p->set_number(2);
  p->set_period("2024-06");
  p->set_rating(v1::RATING_AMBER);
  *r.add_entries() = Entry(40);
  r.mutable_entries(1)->set_event_type("oversight.v1.ProgressUpdateSubmitted");
  auto* u = r.mutable_entries(1)
                ->mutable_event()
                ->mutable_progress_update_submitted();
  u->set_review_id("r");
  u->set_number(2);
  u->set_update_id("u-1");
  u->set_period("2024-06");
  r.mutable_entries(1)->add_corrected_by_positions(55);
  std::ostringstream out;
  PrintHistory(out, r, Lang::kEnglish);
  const std::string text = out.str();
  EXPECT_THAT(text, StartsWith("history as at position 99\n\n"));
  const std::string header = LineWith(text, "POSITION");
  EXPECT_THAT(header,
              ContainsRegex("^POSITION  OCCURRED    RECORDED \\(UTC\\) +"
                            "ACTOR +TYPE +SUBJECT$"));
  const std::string rating = LineWith(text, "RatingAssigned");
  EXPECT_THAT(rating,
              ContainsRegex("^ +7  2024-06-15  2025-01-20 09:15:30  "
                            "dyfed-powys-police/Siân Jones  RatingAssigned +"
                            "r #2 2024-06: Amber$"));
  const std::string update = LineWith(text, "u-1");
  EXPECT_THAT(update, ContainsRegex("^ +40  .*ProgressUpdateSubmitted  "
                                    "r #2 update u-1 \\(2024-06\\)  "
                                    "corrected by 55$"));
  // Columns line up on the screen, "Siân" being four characters.
  EXPECT_EQ(Column(header, "SUBJECT"), Column(rating, "r #2"));
  EXPECT_EQ(Column(update, "r #2"), Column(rating, "r #2"));
  EXPECT_EQ(Column(header, "TYPE"), Column(update, "ProgressUpdate"));

  std::ostringstream empty;
  PrintHistory(empty, v1::ListHistoryResponse(), Lang::kEnglish);
  EXPECT_THAT(empty.str(), HasSubstr("no entries"));
}

TEST(HistoryTest, WithheldEntryShowsNoContent) {
  // As the server sends it: the envelope keeps occurred_at, the
  // classification and the actor's agency; no payload, no person.
  v1::HistoryEntry e = Entry(44);
  e.set_event_type("oversight.v1.ProgressUpdateSubmitted");
  e.set_withheld(true);
  e.mutable_event()->mutable_actor()->clear_person();
  e.mutable_event()->set_classification(v1::CLASSIFICATION_OFFICIAL_SENSITIVE);
  EXPECT_THAT(HistoryRow(e),
              ElementsAre("44", "2024-06-15", "2025-01-20 09:15:30",
                          "dyfed-powys-police", "ProgressUpdateSubmitted",
                          "withheld (OFFICIAL-SENSITIVE)"));
  // Even were there a payload, it would not show.
  auto* p = e.mutable_event()->mutable_progress_update_submitted();
  p->set_review_id("r");
  p->set_number(1);
  p->set_update_id("names-a-victim");
  EXPECT_EQ(HistoryRow(e)[5], "withheld (OFFICIAL-SENSITIVE)");
}

TEST(HistoryTest, ListingSaysWhatWasWithheldAndWhereTheAccessWasRecorded) {
  v1::ListHistoryResponse r;
  r.mutable_reflects()->set_position(99);
  r.mutable_reflects()->set_withheld(1);
  r.mutable_reflects()->set_access_recorded_position(101);
  *r.add_entries() = Entry(44);
  r.mutable_entries(0)->set_event_type("oversight.v1.ProgressUpdateSubmitted");
  r.mutable_entries(0)->set_withheld(true);
  std::ostringstream out;
  PrintHistory(out, r, Lang::kEnglish);
  EXPECT_THAT(out.str(),
              StartsWith("history as at position 99\n1 OFFICIAL-SENSITIVE "
                         "event withheld (not entitled, or no "
                         "--justification)\naccess recorded at position "
                         "101\n\nPOSITION"));
  EXPECT_THAT(LineWith(out.str(), "44"),
              ContainsRegex("ProgressUpdateSubmitted  withheld "
                            "\\(OFFICIAL-SENSITIVE\\)$"));
  // The pages of one listing: what they withheld and recorded, together.
  Disclosure pages;
  pages.Add(1, 101);
  pages.Add(2, 0);
  pages.Add(0, 104);
  std::ostringstream listing;
  PrintHistoryListing(listing, r, pages);
  EXPECT_THAT(listing.str(), HasSubstr("\n3 OFFICIAL-SENSITIVE events "
                                       "withheld"));
  EXPECT_THAT(listing.str(),
              HasSubstr("\naccess recorded at positions 101, 104\n"));
}

TEST(HistoryTest, Subjects) {
  v1::DomainEvent e;
  e.mutable_agency_registered()->set_agency_id("paladin");
  EXPECT_EQ(EventSubject(e), "agency paladin");
  auto* report = e.mutable_partner_report_submitted();
  report->set_programme_id("isac");
  report->set_report_id("q3");
  report->set_quarter("2024-Q3");
  EXPECT_EQ(EventSubject(e), "programme isac report q3 (2024-Q3)");
  auto* risk = e.mutable_risk_resolved();
  risk->set_review_id("r");
  risk->set_risk_id("funding-1");
  EXPECT_EQ(EventSubject(e), "r risk funding-1");
  auto* access = e.mutable_access_recorded();
  access->set_kind(v1::ACCESS_KIND_CONSULTATION);
  access->set_method("/oversight.v1.Queries/ListHistory");
  access->add_positions(44);
  access->add_positions(45);
  EXPECT_EQ(EventSubject(e), "consultation Queries/ListHistory of 44-45");
}

// ---------------------------------------------------------------- attention

TEST(AttentionTest, Rows) {
  v1::ListAttentionResponse r;
  r.mutable_reflects()->set_position(12);
  r.set_judged_on("2025-02-01");
  v1::AttentionItem* item = r.add_items();
  item->set_kind(v1::ATTENTION_KIND_UPDATE_MISSING);
  item->set_review_id("r");
  item->set_number(4);
  item->set_period("2025-01");
  item->set_due_on("2025-01-20");
  item->set_overdue(true);
  *item->mutable_detail() = Text("No update from dyfed-powys-police");
  v1::AttentionItem* risk = r.add_items();
  risk->set_kind(v1::ATTENTION_KIND_OPEN_RISK);
  risk->set_review_id("r");
  risk->set_subject_id("funding-1");
  std::ostringstream out;
  PrintAttention(out, r, Lang::kEnglish);
  EXPECT_THAT(out.str(), StartsWith("judged on 2025-02-01, as at position 12"));
  EXPECT_THAT(LineWith(out.str(), "update missing"),
              ContainsRegex("update missing +#4 +2025-01 +2025-01-20 +"
                            "OVERDUE +- +No update from dyfed-powys-police"));
  EXPECT_THAT(LineWith(out.str(), "open risk"),
              ContainsRegex("open risk +review +- +- +funding-1$"));
}

// ------------------------------------------------------------------ partner

v1::GetPartnerViewResponse Partner() {
  v1::GetPartnerViewResponse r;
  r.mutable_reflects()->set_position(140);
  r.set_agency_id("paladin");
  *r.mutable_name() = Text("Paladin");
  v1::ProgrammeView* p = r.add_programmes();
  p->set_programme_id("isac-pilot");
  *p->mutable_name() = Text("ISAC pilot");
  p->set_review_id("stalking-2023");
  p->add_related_recommendations(3);
  p->add_related_recommendations(5);
  p->set_started_on("2024-04-01");
  v1::QuarterFigures* q3 = p->add_quarters();
  q3->set_quarter("2024-Q3");
  q3->set_report_id("r-q3");
  v1::Figure* f = q3->add_figures();
  f->set_key("victims_supported");
  f->set_value(7);
  f->set_cumulative(true);
  *f->mutable_label() = Text("Victims supported since the pilot began");
  f = q3->add_figures();
  f->set_key("referrals");
  f->set_value(4);
  v1::QuarterFigures* q4 = p->add_quarters();
  q4->set_quarter("2024-Q4");
  q4->set_report_id("r-q4");
  *q4->add_narrative() = Text("A second caseworker started.");
  f = q4->add_figures();
  f->set_key("victims_supported");
  f->set_value(13);
  f->set_cumulative(true);
  *f->mutable_label() = Text("Victims supported since the pilot began");
  f = q4->add_figures();
  f->set_key("training_sessions");
  f->set_value(1234);
  v1::ContributionView* c = r.add_contributions();
  c->set_review_id("stalking-2023");
  c->set_number(5);
  c->set_owner(false);
  return r;
}

TEST(PartnerTest, FiguresByQuarter) {
  std::ostringstream out;
  PrintPartnerView(out, Partner(), Lang::kEnglish);
  const std::string text = out.str();
  EXPECT_THAT(text, StartsWith("Paladin (paladin), as at position 140\n"));
  EXPECT_THAT(text, HasSubstr("Programme isac-pilot: ISAC pilot\n"
                              "  review stalking-2023, recommendations 3, 5; "
                              "started 2024-04-01\n"));
  const std::string header = LineWith(text, "FIGURE");
  EXPECT_THAT(header, ContainsRegex("^  FIGURE +2024-Q3  2024-Q4$"));
  // Numbers right-aligned under their quarter; "-" where a quarter lacks
  // the figure; * for running totals.
  EXPECT_THAT(LineWith(text, "victims_supported *"),
              ContainsRegex("^  victims_supported \\* +7 +13$"));
  EXPECT_THAT(LineWith(text, "referrals"),
              ContainsRegex("^  referrals +4 +-$"));
  const std::string sessions = LineWith(text, "training_sessions");
  EXPECT_THAT(sessions, ContainsRegex("^  training_sessions +- +1234$"));
  EXPECT_EQ(header.size(), sessions.size());
  EXPECT_THAT(text, HasSubstr("* a running total since the programme began"));
  EXPECT_THAT(text, HasSubstr("  victims_supported: Victims supported since "
                              "the pilot began\n"));
  EXPECT_THAT(text, HasSubstr("2024-Q4 (report r-q4, position 0):\n"
                              "    A second caseworker started.\n"));
  EXPECT_THAT(LineWith(text, "stalking-2023 #5"),
              ContainsRegex("stalking-2023 #5 +contributor +open$"));
}

// --------------------------------------------------------------- access log

TEST(AccessLogTest, PositionsAsRanges) {
  google::protobuf::RepeatedField<uint64_t> p;
  EXPECT_EQ(FormatPositions(p), "-");
  for (uint64_t n : {12, 3, 7, 8, 9, 7, 20, 21}) p.Add(n);
  EXPECT_EQ(FormatPositions(p), "3,7-9,12,20-21");
}

v1::AccessLogEntry AccessEntry(uint64_t position) {
  v1::AccessLogEntry entry;
  entry.set_position(position);
  entry.set_hash("ab12");
  *entry.mutable_recorded_at() = Ts(Utc(2025, 2, 3, 10, 0, 1));
  v1::DomainEvent* e = entry.mutable_event();
  *e->mutable_occurred_at() = Ts(Utc(2025, 2, 3, 10, 0, 0));
  e->mutable_actor()->set_agency_id("dyfed-powys-opcc");
  e->mutable_actor()->set_person("Siân Jones");
  v1::AccessRecorded* a = e->mutable_access_recorded();
  a->set_kind(v1::ACCESS_KIND_CONSULTATION);
  a->set_method("/oversight.v1.Queries/ListHistory");
  a->set_query("{\"reviewId\":\"dyfed-powys-stalking-2023\",\"number\":1}");
  a->add_positions(100);
  a->add_positions(101);
  a->set_justification("Cwyn 2025/17: adolygu'r achos");
  a->set_role("reviewing-body");
  return entry;
}

TEST(AccessLogTest, Row) {
  EXPECT_THAT(
      AccessLogRow(AccessEntry(130)),
      ElementsAre("130", "2025-02-03 10:00:00", "dyfed-powys-opcc/Siân Jones",
                  "reviewing-body", "consultation", "Queries/ListHistory",
                  "100-101", "Cwyn 2025/17: adolygu'r achos", "-",
                  "{\"reviewId\":\"dyfed-powys-stalking-2023\","
                  "\"number\":1}"));
  v1::AccessLogEntry report = AccessEntry(131);
  v1::AccessRecorded* a = report.mutable_event()->mutable_access_recorded();
  a->set_kind(v1::ACCESS_KIND_DISCLOSURE);
  a->set_method("/oversight.v1.Queries/GetReport");
  a->clear_positions();
  a->clear_justification();
  a->add_recipients("Police and Crime Panel");
  a->add_recipients("HMICFRS");
  a->set_query(std::string(200, 'q'));
  const std::vector<std::string> row = AccessLogRow(report);
  ASSERT_EQ(row.size(), 10u);
  EXPECT_EQ(row[4], "disclosure");
  EXPECT_EQ(row[5], "Queries/GetReport");
  EXPECT_EQ(row[6], "-");
  EXPECT_EQ(row[7], "-");
  EXPECT_EQ(row[8], "Police and Crime Panel; HMICFRS");
  EXPECT_EQ(row[9], std::string(120, 'q') + "...");
}

TEST(AccessLogTest, Listing) {
  v1::ListAccessLogResponse r;
  r.mutable_reflects()->set_position(140);
  *r.add_entries() = AccessEntry(130);
  std::ostringstream out;
  PrintAccessLog(out, r, Lang::kEnglish);
  const std::string text = out.str();
  EXPECT_THAT(text, StartsWith("access log as at position 140\n\n"));
  const std::string header = LineWith(text, "POSITION");
  EXPECT_THAT(header, ContainsRegex("^POSITION  WHEN \\(UTC\\) +WHO +ROLE +"
                                    "KIND +METHOD +POSITIONS +JUSTIFICATION +"
                                    "RECIPIENTS +QUERY$"));
  const std::string row = LineWith(text, "Queries/ListHistory");
  EXPECT_THAT(row, ContainsRegex("^     130  2025-02-03 10:00:00  "
                                 "dyfed-powys-opcc/Siân Jones  "
                                 "reviewing-body  consultation  "
                                 "Queries/ListHistory  100-101 +"
                                 "Cwyn 2025/17: adolygu'r achos  - +"
                                 "\\{\"reviewId\""));
  EXPECT_EQ(Column(header, "JUSTIFICATION"), Column(row, "Cwyn"));

  std::ostringstream empty;
  PrintAccessLog(empty, v1::ListAccessLogResponse(), Lang::kEnglish);
  EXPECT_THAT(empty.str(), HasSubstr("no entries"));
}

// --------------------------------------------------------------------- json

TEST(JsonTest, ProtoFieldNamesOneDocument) {
  absl::StatusOr<std::string> json = ToJson(Board());
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_THAT(*json, StartsWith("{"));
  EXPECT_THAT(*json, ::testing::EndsWith("}\n"));
  EXPECT_EQ(json->find('\n'), json->size() - 1);  // one line
  EXPECT_THAT(*json, HasSubstr("\"review_id\":\"stalking-2023\""));
  EXPECT_THAT(*json, HasSubstr("\"open_periods\":[\"2025-01\"]"));
  EXPECT_THAT(*json, HasSubstr("\"owning_agency_id\":\"dyfed-powys-police\""));
  EXPECT_THAT(*json, HasSubstr("\"periods_missed\":[\"2023-06\",\"2024-06\"]"));
  EXPECT_THAT(*json, HasSubstr("\"rating\":\"RATING_GREEN\""));
  EXPECT_THAT(*json, HasSubstr("\"reflects\":{\"position\":\"120\"}"));
  EXPECT_THAT(*json, Not(HasSubstr("reviewId")));

  v1::GetStatusBoardResponse back;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(*json, &back).ok());
  EXPECT_EQ(back.rows_size(), 2);
}

}  // namespace
}  // namespace oversight::cli
