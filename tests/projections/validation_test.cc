// The shape checks of projections/validation.h, independent of any state.

#include "projections/validation.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/projections/memory_source.h"

namespace oversight::projections {
namespace {

using testutil::MakeBullet;
using testutil::TestNow;
using testutil::Text;
using testutil::Timestamp;
constexpr absl::StatusCode kInvalid = absl::StatusCode::kInvalidArgument;

std::string Repeat(absl::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out.append(s.data(), s.size());
  return out;
}

// ------------------------------------------------------------- ScanUtf8

struct Scan {
  bool valid;
  size_t chars;
  bool control;
};
Scan ScanOf(absl::string_view text) {
  Scan s{false, 99, false};
  s.valid = ScanUtf8(text, &s.chars, &s.control);
  return s;
}

TEST(ScanUtf8Test, AsciiCountsBytes) {
  const Scan s = ScanOf("hello");
  EXPECT_TRUE(s.valid);
  EXPECT_EQ(s.chars, 5u);
  EXPECT_FALSE(s.control);
}

TEST(ScanUtf8Test, EmptyIsValidWithNoChars) {
  const Scan s = ScanOf("");
  EXPECT_TRUE(s.valid);
  EXPECT_EQ(s.chars, 0u);
}

TEST(ScanUtf8Test, MultibyteCountsCodePoints) {
  // "ŵ" (2 bytes), "€" (3 bytes), U+1F600 (4 bytes).
  const Scan s = ScanOf("\xC5\xB5\xE2\x82\xAC\xF0\x9F\x98\x80");
  EXPECT_TRUE(s.valid);
  EXPECT_EQ(s.chars, 3u);
  EXPECT_FALSE(s.control);
}

TEST(ScanUtf8Test, WelshTextIsValid) {
  const Scan s =
      ScanOf("Adolygiad o stelcio ac aflonyddu \xE2\x80\x93 Dyfed-Powys");
  EXPECT_TRUE(s.valid);
  EXPECT_FALSE(s.control);
}

TEST(ScanUtf8Test, HighestCodePointIsValid) {
  EXPECT_TRUE(ScanOf("\xF4\x8F\xBF\xBF").valid);  // U+10FFFF
}

TEST(ScanUtf8Test, OverlongFormsAreInvalid) {
  EXPECT_FALSE(ScanOf("\xC0\xAF").valid);  // '/' in 2 bytes
  EXPECT_FALSE(ScanOf("\xC1\xBF").valid);
  EXPECT_FALSE(ScanOf("\xE0\x80\xAF").valid);      // '/' in 3 bytes
  EXPECT_FALSE(ScanOf("\xF0\x80\x80\xAF").valid);  // '/' in 4 bytes
  EXPECT_FALSE(ScanOf("\xC0\x80").valid);          // NUL in 2 bytes
}

TEST(ScanUtf8Test, SurrogatesAreInvalid) {
  EXPECT_FALSE(ScanOf("\xED\xA0\x80").valid);  // U+D800
  EXPECT_FALSE(ScanOf("\xED\xBF\xBF").valid);  // U+DFFF
  EXPECT_TRUE(ScanOf("\xED\x9F\xBF").valid);   // U+D7FF, just below
}

TEST(ScanUtf8Test, BeyondUnicodeIsInvalid) {
  EXPECT_FALSE(ScanOf("\xF4\x90\x80\x80").valid);  // U+110000
  EXPECT_FALSE(ScanOf("\xF8\x88\x80\x80\x80").valid);
  EXPECT_FALSE(ScanOf("\xFF").valid);
}

TEST(ScanUtf8Test, TruncatedSequencesAreInvalid) {
  EXPECT_FALSE(ScanOf("\xE2\x82").valid);
  EXPECT_FALSE(ScanOf("abc\xC5").valid);
  EXPECT_FALSE(ScanOf("\xF0\x9F\x98").valid);
}

TEST(ScanUtf8Test, StrayContinuationAndBadContinuationAreInvalid) {
  EXPECT_FALSE(ScanOf("\x80").valid);
  EXPECT_FALSE(ScanOf("\xC5"
                      "a")
                   .valid);
  EXPECT_FALSE(ScanOf("\xE2\x82"
                      "a")
                   .valid);
}

TEST(ScanUtf8Test, ControlCharactersAreFlaggedButValid) {
  for (absl::string_view text :
       {absl::string_view("a\x01"
                          "b"),
        absl::string_view("\x1B[0m"), absl::string_view("a\rb"),
        absl::string_view("del\x7F"),
        absl::string_view("c1\xC2\x85"),  // U+0085, a C1 control
        absl::string_view("nul\0x", 5)}) {
    const Scan s = ScanOf(text);
    EXPECT_TRUE(s.valid) << absl::CHexEscape(text);
    EXPECT_TRUE(s.control) << absl::CHexEscape(text);
  }
}

TEST(ScanUtf8Test, NewlineAndTabAreNotControl) {
  const Scan s = ScanOf("line one\n\tline two");
  EXPECT_TRUE(s.valid);
  EXPECT_FALSE(s.control);
  EXPECT_FALSE(ScanOf("\xC2\xA0").control);  // U+00A0, just past C1
}

// --------------------------------------------------------------- ids

TEST(CheckIdTest, AcceptsLowercaseDigitsAndHyphens) {
  EXPECT_OK(CheckId("f", "dyfed-powys-police"));
  EXPECT_OK(CheckId("f", "0pcc"));
  EXPECT_OK(CheckId("f", std::string(64, 'a')));
}

TEST(CheckIdTest, EmptyIsMissingField) {
  EXPECT_ERROR(CheckId("f", ""), kInvalid, "MISSING_FIELD");
}

TEST(CheckIdTest, RefusesOtherCharactersAndLength) {
  EXPECT_ERROR(CheckId("f", std::string(65, 'a')), kInvalid, "INVALID_ID");
  EXPECT_ERROR(CheckId("f", "Police"), kInvalid, "INVALID_ID");
  EXPECT_ERROR(CheckId("f", "-police"), kInvalid, "INVALID_ID");
  EXPECT_ERROR(CheckId("f", "dyfed_powys"), kInvalid, "INVALID_ID");
  EXPECT_ERROR(CheckId("f", "a b"), kInvalid, "INVALID_ID");
  EXPECT_ERROR(CheckId("f", "a.b"), kInvalid, "INVALID_ID");
}

TEST(CheckIdTest, MessageNamesTheField) {
  const absl::Status s = CheckId("review.review_id", "Bad");
  EXPECT_NE(s.message().find("review.review_id"), absl::string_view::npos) << s;
}

TEST(CheckEntityIdTest, AcceptsItsAlphabetUpTo128) {
  EXPECT_OK(CheckEntityId("f", "Update_1.a:b-C"));
  EXPECT_OK(CheckEntityId("f", std::string(128, 'Z')));
}

TEST(CheckEntityIdTest, RefusesOtherCharactersAndLength) {
  EXPECT_ERROR(CheckEntityId("f", ""), kInvalid, "MISSING_FIELD");
  EXPECT_ERROR(CheckEntityId("f", std::string(129, 'a')), kInvalid,
               "INVALID_ID");
  EXPECT_ERROR(CheckEntityId("f", "a b"), kInvalid, "INVALID_ID");
  EXPECT_ERROR(CheckEntityId("f", "a/b"), kInvalid, "INVALID_ID");
  EXPECT_ERROR(CheckEntityId("f", "caf\xC3\xA9"), kInvalid, "INVALID_ID");
}

TEST(CheckRequestIdTest, EmptyIsMissingFieldAndBadIsInvalidRequestId) {
  EXPECT_OK(CheckRequestId("import:2025-06-01.0001"));
  EXPECT_ERROR(CheckRequestId(""), kInvalid, "MISSING_FIELD");
  EXPECT_ERROR(CheckRequestId("bad id!"), kInvalid, "INVALID_REQUEST_ID");
  EXPECT_ERROR(CheckRequestId(std::string(129, 'r')), kInvalid,
               "INVALID_REQUEST_ID");
}

// ------------------------------------------------------------- dates

TEST(CheckDateTest, FullMonthAndYearFormsGiveTheirFirstDay) {
  absl::StatusOr<absl::CivilDay> full = CheckDate("f", "2025-06-17");
  ASSERT_OK(full);
  EXPECT_EQ(*full, absl::CivilDay(2025, 6, 17));
  absl::StatusOr<absl::CivilDay> month = CheckDate("f", "2025-06");
  ASSERT_OK(month);
  EXPECT_EQ(*month, absl::CivilDay(2025, 6, 1));
  absl::StatusOr<absl::CivilDay> year = CheckDate("f", "2025");
  ASSERT_OK(year);
  EXPECT_EQ(*year, absl::CivilDay(2025, 1, 1));
}

TEST(CheckDateTest, EmptyIsMissingField) {
  EXPECT_ERROR(CheckDate("f", ""), kInvalid, "MISSING_FIELD");
}

TEST(CheckDateTest, RefusesDaysThatDoNotExist) {
  EXPECT_ERROR(CheckDate("f", "2025-02-30"), kInvalid, "INVALID_DATE");
  EXPECT_ERROR(CheckDate("f", "2023-02-29"), kInvalid, "INVALID_DATE");
  EXPECT_ERROR(CheckDate("f", "2025-04-31"), kInvalid, "INVALID_DATE");
  EXPECT_ERROR(CheckDate("f", "2025-06-00"), kInvalid, "INVALID_DATE");
  EXPECT_ERROR(CheckDate("f", "2025-13"), kInvalid, "INVALID_DATE");
  EXPECT_ERROR(CheckDate("f", "2025-00"), kInvalid, "INVALID_DATE");
}

TEST(CheckDateTest, LeapDayOfALeapYearIsAccepted) {
  absl::StatusOr<absl::CivilDay> day = CheckDate("f", "2024-02-29");
  ASSERT_OK(day);
  EXPECT_EQ(*day, absl::CivilDay(2024, 2, 29));
  EXPECT_OK(CheckDate("f", "2000-02-29"));
  EXPECT_ERROR(CheckDate("f", "1900-02-29"), kInvalid, "INVALID_DATE");
}

TEST(CheckDateTest, RefusesBadSeparatorsAndShapes) {
  for (absl::string_view bad :
       {"2025/06/01", "2025.06", "2025-6-01", "2025-06-1", "20250601",
        "25-06-01", "2025-06-01T00:00", " 2025", "+025-06-01", "2025-0a",
        "2025-06-+1", "abcd"}) {
    EXPECT_ERROR(CheckDate("f", bad), kInvalid, "INVALID_DATE") << bad;
  }
}

TEST(CheckDateTest, RefusesYearsOutOfRange) {
  EXPECT_ERROR(CheckDate("f", "1899-12-31"), kInvalid, "INVALID_DATE");
  EXPECT_ERROR(CheckDate("f", "3000"), kInvalid, "INVALID_DATE");
  EXPECT_OK(CheckDate("f", "1900"));
  EXPECT_OK(CheckDate("f", "2999-12-31"));
}

TEST(CheckFullDateTest, OnlyTheFullFormIsAccepted) {
  EXPECT_OK(CheckFullDate("f", "2025-06-01"));
  EXPECT_ERROR(CheckFullDate("f", "2025-06"), kInvalid, "INVALID_DATE");
  EXPECT_ERROR(CheckFullDate("f", "2025"), kInvalid, "INVALID_DATE");
  EXPECT_ERROR(CheckFullDate("f", "2025-02-30"), kInvalid, "INVALID_DATE");
}

TEST(CheckPastDateTest, TodayIsAcceptedTomorrowIsInTheFuture) {
  const absl::Time now = TestNow();  // 2025-06-01T12:00Z
  EXPECT_OK(CheckPastDate("f", "2025-06-01", now));
  EXPECT_OK(CheckPastDate("f", "2025-06", now));
  EXPECT_OK(CheckPastDate("f", "2024", now));
  EXPECT_ERROR(CheckPastDate("f", "2025-06-02", now), kInvalid,
               "DATE_IN_FUTURE");
  EXPECT_ERROR(CheckPastDate("f", "2025-07", now), kInvalid, "DATE_IN_FUTURE");
  EXPECT_ERROR(CheckPastDate("f", "2026", now), kInvalid, "DATE_IN_FUTURE");
  EXPECT_ERROR(CheckPastDate("f", "2025-13-01", now), kInvalid, "INVALID_DATE");
}

// --------------------------------------------------- periods, quarters

TEST(CheckPeriodTest, AcceptsYearMonth) {
  EXPECT_OK(CheckPeriod("f", "2025-01"));
  EXPECT_OK(CheckPeriod("f", "1999-12"));
}

TEST(CheckPeriodTest, RefusesOtherForms) {
  EXPECT_ERROR(CheckPeriod("f", ""), kInvalid, "MISSING_FIELD");
  for (absl::string_view bad : {"2025", "2025-1", "2025-01-01", "2025-13",
                                "2025-00", "2025/01", "1899-12", "Jan-25"}) {
    EXPECT_ERROR(CheckPeriod("f", bad), kInvalid, "INVALID_PERIOD") << bad;
  }
}

TEST(CheckQuarterTest, AcceptsOneToFour) {
  for (absl::string_view q : {"2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"}) {
    EXPECT_OK(CheckQuarter("f", q)) << q;
  }
}

TEST(CheckQuarterTest, RefusesOtherForms) {
  EXPECT_ERROR(CheckQuarter("f", ""), kInvalid, "MISSING_FIELD");
  for (absl::string_view bad : {"2024-Q5", "2024-Q0", "2024Q1", "2024-q1",
                                "2024-Q12", "1899-Q1", "2024-01", "24-Q1"}) {
    EXPECT_ERROR(CheckQuarter("f", bad), kInvalid, "INVALID_QUARTER") << bad;
  }
}

// ---------------------------------------------------------- links

TEST(CheckUrlTest, AcceptsHttpAndHttps) {
  EXPECT_OK(
      CheckUrl("f", "https://www.dyfedpowys-pcc.org.uk/report.pdf", true));
  EXPECT_OK(CheckUrl("f", "http://example.org/a%20b?x=1#y", true));
  EXPECT_OK(
      CheckUrl("f", "https://e.org/" + std::string(2048 - 14, 'a'), true));
}

TEST(CheckUrlTest, EmptyDependsOnRequired) {
  EXPECT_OK(CheckUrl("f", "", false));
  EXPECT_ERROR(CheckUrl("f", "", true), kInvalid, "MISSING_FIELD");
}

TEST(CheckUrlTest, RefusesOtherSchemesSpacesAndLength) {
  for (absl::string_view bad :
       {"ftp://example.org/x", "https://", "example.org", "javascript:alert(1)",
        "https://example.org/a b", "https://example.org/caf\xC3\xA9",
        "https://example.org/\x01", "HTTPS://example.org"}) {
    EXPECT_ERROR(CheckUrl("f", bad, true), kInvalid, "INVALID_URL") << bad;
  }
  EXPECT_ERROR(
      CheckUrl("f", "https://e.org/" + std::string(2048 - 13, 'a'), true),
      kInvalid, "INVALID_URL");
}

TEST(CheckSha256Test, EmptyOrSixtyFourLowercaseHex) {
  EXPECT_OK(CheckSha256("f", ""));
  EXPECT_OK(CheckSha256("f", Repeat("0123456789abcdef", 4)));
  EXPECT_ERROR(CheckSha256("f", Repeat("0123456789ABCDEF", 4)), kInvalid,
               "INVALID_SHA256");
  EXPECT_ERROR(CheckSha256("f", std::string(63, 'a')), kInvalid,
               "INVALID_SHA256");
  EXPECT_ERROR(CheckSha256("f", std::string(65, 'a')), kInvalid,
               "INVALID_SHA256");
  EXPECT_ERROR(CheckSha256("f", std::string(64, 'g')), kInvalid,
               "INVALID_SHA256");
}

TEST(CheckLinkTest, NeedsTitleAndUrl) {
  v1::Link link;
  *link.mutable_title() = Text("Report");
  link.set_url("https://example.org/r.pdf");
  EXPECT_OK(CheckLink("f", link));
  v1::Link untitled = link;
  untitled.clear_title();
  EXPECT_ERROR(CheckLink("f", untitled), kInvalid, "MISSING_FIELD");
  v1::Link no_url = link;
  no_url.clear_url();
  EXPECT_ERROR(CheckLink("f", no_url), kInvalid, "MISSING_FIELD");
  v1::Link bad_hash = link;
  bad_hash.set_sha256("abc");
  EXPECT_ERROR(CheckLink("f", bad_hash), kInvalid, "INVALID_SHA256");
}

// --------------------------------------------------------- bullets, text

google::protobuf::RepeatedPtrField<v1::Bullet> Bullets(int bullets,
                                                       int subs_each = 0) {
  google::protobuf::RepeatedPtrField<v1::Bullet> out;
  for (int i = 0; i < bullets; ++i) *out.Add() = MakeBullet("x", subs_each);
  return out;
}

TEST(CheckBulletsTest, FiftyInAllAreAccepted) {
  EXPECT_OK(CheckBullets("f", Bullets(50)));
  EXPECT_OK(CheckBullets("f", Bullets(10, 4)));  // 10 + 40
}

TEST(CheckBulletsTest, FiftyOneCountingSubBulletsAreTooMany) {
  EXPECT_ERROR(CheckBullets("f", Bullets(51)), kInvalid, "TOO_MANY_BULLETS");
  EXPECT_ERROR(CheckBullets("f", Bullets(1, 50)), kInvalid, "TOO_MANY_BULLETS");
  google::protobuf::RepeatedPtrField<v1::Bullet> b = Bullets(10, 4);
  b[0].add_sub_bullets()->set_en("one more");  // 51 in all
  EXPECT_ERROR(CheckBullets("f", b), kInvalid, "TOO_MANY_BULLETS");
}

TEST(CheckBulletsTest, NoneIsMissingField) {
  EXPECT_ERROR(CheckBullets("f", Bullets(0)), kInvalid, "MISSING_FIELD");
}

TEST(CheckBulletsTest, BlankBulletIsMissingField) {
  google::protobuf::RepeatedPtrField<v1::Bullet> b = Bullets(2);
  b[1].mutable_text()->set_en("   ");
  EXPECT_ERROR(CheckBullets("f", b), kInvalid, "MISSING_FIELD");
}

TEST(CheckBulletsTest, BulletOf4001CharsIsTooLong) {
  google::protobuf::RepeatedPtrField<v1::Bullet> b = Bullets(1);
  b[0].mutable_text()->set_en(std::string(4001, 'a'));
  EXPECT_ERROR(CheckBullets("f", b), kInvalid, "TEXT_TOO_LONG");
  b[0].mutable_text()->set_en(std::string(4000, 'a'));
  EXPECT_OK(CheckBullets("f", b));
}

TEST(CheckBulletsTest, SubBulletOf4001CharsIsTooLong) {
  google::protobuf::RepeatedPtrField<v1::Bullet> b = Bullets(1, 2);
  b[0].mutable_sub_bullets(1)->set_en(std::string(4001, 'a'));
  EXPECT_ERROR(CheckBullets("f", b), kInvalid, "TEXT_TOO_LONG");
}

TEST(CheckBulletsTest, LimitCountsCodePointsNotBytes) {
  google::protobuf::RepeatedPtrField<v1::Bullet> b = Bullets(1);
  b[0].mutable_text()->set_en(Repeat("\xC5\xB5", 4000));  // 8,000 bytes
  EXPECT_OK(CheckBullets("f", b));
  b[0].mutable_text()->set_cy(Repeat("\xE2\x82\xAC", 4000));  // 12,000 bytes
  EXPECT_OK(CheckBullets("f", b));
  b[0].mutable_text()->set_en(Repeat("\xC5\xB5", 4001));
  EXPECT_ERROR(CheckBullets("f", b), kInvalid, "TEXT_TOO_LONG");
}

TEST(CheckBulletsTest, InvalidUtf8IsInvalidText) {
  google::protobuf::RepeatedPtrField<v1::Bullet> b = Bullets(1);
  b[0].mutable_text()->set_en("bad \xC0\xAF");
  EXPECT_ERROR(CheckBullets("f", b), kInvalid, "INVALID_TEXT");
}

TEST(CheckPlainTextTest, ControlCharactersAreInvalidText) {
  EXPECT_ERROR(CheckPlainText("f",
                              "a\x07"
                              "b",
                              10, true),
               kInvalid, "INVALID_TEXT");
  EXPECT_OK(CheckPlainText("f", "a\nb\tc", 10, true));
}

TEST(CheckPlainTextTest, RequiredBlankIsMissingAndOptionalEmptyIsFine) {
  EXPECT_ERROR(CheckPlainText("f", " \n\t", 10, true), kInvalid,
               "MISSING_FIELD");
  EXPECT_OK(CheckPlainText("f", "", 10, false));
  EXPECT_ERROR(CheckPlainText("f", "abcdefghijk", 10, false), kInvalid,
               "TEXT_TOO_LONG");
}

TEST(CheckTextTest, WelshWithoutEnglishIsRefused) {
  EXPECT_ERROR(CheckText("f", Text("", "Adolygiad"), 100, false), kInvalid,
               "MISSING_FIELD");
  EXPECT_ERROR(CheckText("f", Text("", "Adolygiad"), 100, true), kInvalid,
               "MISSING_FIELD");
}

TEST(CheckTextTest, EnglishAloneOrWithWelshOrNothingOptional) {
  EXPECT_OK(CheckText("f", Text("Review"), 100, true));
  EXPECT_OK(CheckText("f", Text("Review", "Adolygiad"), 100, true));
  EXPECT_OK(CheckText("f", Text(""), 100, false));
  EXPECT_ERROR(CheckText("f", Text(""), 100, true), kInvalid, "MISSING_FIELD");
}

TEST(CheckTextTest, WelshIsCheckedToo) {
  EXPECT_ERROR(CheckText("f", Text("Review", "bad \xED\xA0\x80"), 100, true),
               kInvalid, "INVALID_TEXT");
  EXPECT_ERROR(CheckText("f", Text("Review", std::string(101, 'w')), 100, true),
               kInvalid, "TEXT_TOO_LONG");
}

TEST(CheckParagraphsTest, RequiredAndMaximum) {
  google::protobuf::RepeatedPtrField<v1::LocalizedText> p;
  EXPECT_ERROR(CheckParagraphs("f", p, 2, true), kInvalid, "MISSING_FIELD");
  EXPECT_OK(CheckParagraphs("f", p, 2, false));
  for (int i = 0; i < 3; ++i) *p.Add() = Text("para");
  EXPECT_ERROR(CheckParagraphs("f", p, 2, true), kInvalid, "TOO_MANY_ITEMS");
}

// ------------------------------------------------- numbers and enums

TEST(CheckRecommendationNumberTest, OneTo9999) {
  EXPECT_OK(CheckRecommendationNumber("f", 1));
  EXPECT_OK(CheckRecommendationNumber("f", 9999));
  EXPECT_ERROR(CheckRecommendationNumber("f", 0), kInvalid, "INVALID_NUMBER");
  EXPECT_ERROR(CheckRecommendationNumber("f", -1), kInvalid, "INVALID_NUMBER");
  EXPECT_ERROR(CheckRecommendationNumber("f", 10000), kInvalid,
               "INVALID_NUMBER");
}

TEST(CheckRecommendationNumbersTest, DuplicatesAreRefused) {
  google::protobuf::RepeatedField<int32_t> n;
  n.Add(1);
  n.Add(2);
  EXPECT_OK(CheckRecommendationNumbers("f", n));
  n.Add(1);
  EXPECT_ERROR(CheckRecommendationNumbers("f", n), kInvalid, "DUPLICATE_VALUE");
}

TEST(CheckEnumTest, UnspecifiedAndUnknownAreRefused) {
  EXPECT_OK(CheckEnum("f", v1::RATING_GREEN, v1::Rating_IsValid));
  EXPECT_ERROR(CheckEnum("f", 0, v1::Rating_IsValid), kInvalid,
               "INVALID_ENUM_VALUE");
  EXPECT_ERROR(CheckEnum("f", 99, v1::Rating_IsValid), kInvalid,
               "INVALID_ENUM_VALUE");
}

// ------------------------------------------------------- occurred_at

TEST(CheckOccurredAtTest, UnsetMeansNow) {
  absl::StatusOr<absl::Time> t =
      CheckOccurredAt(false, google::protobuf::Timestamp(), TestNow());
  ASSERT_OK(t);
  EXPECT_EQ(*t, TestNow());
}

TEST(CheckOccurredAtTest, PastIsKeptExactly) {
  const absl::Time past =
      TestNow() - absl::Hours(24 * 400) + absl::Nanoseconds(7);
  absl::StatusOr<absl::Time> t =
      CheckOccurredAt(true, Timestamp(past), TestNow());
  ASSERT_OK(t);
  EXPECT_EQ(*t, past);
}

TEST(CheckOccurredAtTest, ThirtySecondsAheadIsClockSkew) {
  const absl::Time ahead = TestNow() + absl::Seconds(30);
  absl::StatusOr<absl::Time> t =
      CheckOccurredAt(true, Timestamp(ahead), TestNow());
  ASSERT_OK(t);
  EXPECT_EQ(*t, ahead);
  EXPECT_OK(
      CheckOccurredAt(true, Timestamp(TestNow() + kMaxClockSkew), TestNow()));
}

TEST(CheckOccurredAtTest, TwoMinutesAheadIsInTheFuture) {
  EXPECT_ERROR(
      CheckOccurredAt(true, Timestamp(TestNow() + absl::Minutes(2)), TestNow()),
      kInvalid, "OCCURRED_IN_FUTURE");
  EXPECT_ERROR(
      CheckOccurredAt(
          true, Timestamp(TestNow() + kMaxClockSkew + absl::Nanoseconds(1)),
          TestNow()),
      kInvalid, "OCCURRED_IN_FUTURE");
}

TEST(CheckOccurredAtTest, NanosOutOfRangeAreRefused) {
  google::protobuf::Timestamp ts = Timestamp(TestNow() - absl::Hours(1));
  ts.set_nanos(-1);
  EXPECT_ERROR(CheckOccurredAt(true, ts, TestNow()), kInvalid,
               "INVALID_TIMESTAMP");
  ts.set_nanos(1000000000);
  EXPECT_ERROR(CheckOccurredAt(true, ts, TestNow()), kInvalid,
               "INVALID_TIMESTAMP");
  ts.set_nanos(999999999);
  EXPECT_OK(CheckOccurredAt(true, ts, TestNow()));
}

TEST(CheckOccurredAtTest, SecondsOutOfTimestampRangeAreRefused) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(-62135596801);  // before 0001-01-01
  EXPECT_ERROR(CheckOccurredAt(true, ts, TestNow()), kInvalid,
               "INVALID_TIMESTAMP");
  ts.set_seconds(-62135596800);
  EXPECT_OK(CheckOccurredAt(true, ts, TestNow()));
}

TEST(CheckPlainTextTest, UnicodeSpacesAloneAreBlank) {
  // No-break space, em space, zero-width space, ideographic space.
  for (const char* blank :
       {"\u00A0", "\u2003", "\u200B", "\u3000", " \u00A0\n\t"}) {
    EXPECT_ERROR(CheckPlainText("f", blank, 100, true), kInvalid,
                 "MISSING_FIELD")
        << blank;
  }
  EXPECT_TRUE(CheckPlainText("f", "\u00A0x", 100, true).ok());
}

TEST(CheckPlainTextTest, BidirectionalControlsAreInvalidText) {
  for (const char* text : {"abc\u202Edef", "x\u2066y\u2069", "\u202Aq"}) {
    EXPECT_ERROR(CheckPlainText("f", text, 100, false), kInvalid,
                 "INVALID_TEXT")
        << text;
  }
  // Other format characters used in ordinary text are fine.
  EXPECT_TRUE(CheckPlainText("f", "Siân\u200Dx", 100, true).ok());
}

}  // namespace
}  // namespace oversight::projections
