// Tests of the log's value types (eventstore/types.h) and error helpers
// (eventstore/errors.h).

#include "eventstore/types.h"

#include <string>

#include "absl/container/flat_hash_set.h"
#include "eventstore/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/eventstore/test_util.h"

namespace oversight::eventstore {
namespace {

using test::IsError;

constexpr absl::string_view kLower = "0f1e2d3c-4b5a-4697-a877-665544332211";
constexpr absl::string_view kUpper = "0F1E2D3C-4B5A-4697-A877-665544332211";

class TypesTest : public ::testing::Test {
 protected:
  static absl::Status ParseStatus(absl::string_view text) {
    return EventId::Parse(text).status();
  }
  static std::string Canonical(absl::string_view text) {
    absl::StatusOr<EventId> id = EventId::Parse(text);
    return id.ok() ? id->ToString() : std::string(id.status().message());
  }
};

TEST_F(TypesTest, EventIdParsesLowercase) {
  EXPECT_EQ(Canonical(kLower), kLower);
}

TEST_F(TypesTest, EventIdParsesUppercaseToTheSameId) {
  EXPECT_EQ(*EventId::Parse(kUpper), *EventId::Parse(kLower));
}

TEST_F(TypesTest, EventIdToStringIsLowercase) {
  EXPECT_EQ(Canonical(kUpper), kLower);
}

TEST_F(TypesTest, EventIdParseStoresTheBytesInOrder) {
  EXPECT_EQ(EventId::Parse(kLower)->bytes(),
            std::string("\x0f\x1e\x2d\x3c\x4b\x5a\x46\x97\xa8\x77\x66\x55"
                        "\x44\x33\x22\x11",
                        16));
}

TEST_F(TypesTest, EventIdTooShortIsInvalidEventId) {
  EXPECT_THAT(
      ParseStatus(kLower.substr(1)),
      IsError(absl::StatusCode::kInvalidArgument, kReasonInvalidEventId));
}

TEST_F(TypesTest, EventIdTooLongIsInvalidEventId) {
  EXPECT_THAT(
      ParseStatus(std::string(kLower) + "0"),
      IsError(absl::StatusCode::kInvalidArgument, kReasonInvalidEventId));
}

TEST_F(TypesTest, EventIdEmptyIsInvalidEventId) {
  EXPECT_THAT(ParseStatus(""), IsError(absl::StatusCode::kInvalidArgument,
                                       kReasonInvalidEventId));
}

TEST_F(TypesTest, EventIdNonHexDigitIsInvalidEventId) {
  EXPECT_THAT(
      ParseStatus("0f1e2d3c-4b5a-4697-a877-66554433221g"),
      IsError(absl::StatusCode::kInvalidArgument, kReasonInvalidEventId));
}

TEST_F(TypesTest, EventIdMisplacedDashIsInvalidEventId) {
  EXPECT_THAT(
      ParseStatus("0f1e2d3-c4b5a-4697-a877-665544332211"),
      IsError(absl::StatusCode::kInvalidArgument, kReasonInvalidEventId));
}

TEST_F(TypesTest, EventIdMissingDashesAreInvalidEventId) {
  EXPECT_THAT(
      ParseStatus("0f1e2d3c04b5a046970a8770665544332211"),
      IsError(absl::StatusCode::kInvalidArgument, kReasonInvalidEventId));
}

TEST_F(TypesTest, EventIdBracedFormIsInvalidEventId) {
  EXPECT_THAT(
      ParseStatus("{0f1e2d3c-4b5a-4697-a877-6655443322}"),
      IsError(absl::StatusCode::kInvalidArgument, kReasonInvalidEventId));
}

TEST_F(TypesTest, EventIdNilUuidIsInvalidEventId) {
  EXPECT_THAT(
      ParseStatus("00000000-0000-0000-0000-000000000000"),
      IsError(absl::StatusCode::kInvalidArgument, kReasonInvalidEventId));
}

TEST_F(TypesTest, DefaultEventIdIsNil) { EXPECT_TRUE(EventId().IsNil()); }

TEST_F(TypesTest, EventIdRandomRoundTripsThroughToString) {
  const EventId id = EventId::Random();
  EXPECT_EQ(*EventId::Parse(id.ToString()), id);
}

TEST_F(TypesTest, EventIdRandomIsVersion4WithRfc4122Variant) {
  const std::string text = EventId::Random().ToString();
  EXPECT_EQ(text[14], '4');
  EXPECT_THAT(std::string("89ab"), ::testing::HasSubstr(text.substr(19, 1)));
}

TEST_F(TypesTest, RandomEventIdsDiffer) {
  absl::flat_hash_set<EventId> ids;
  for (int i = 0; i < 1000; ++i) ids.insert(EventId::Random());
  EXPECT_EQ(ids.size(), 1000u);
}

TEST_F(TypesTest, EventIdFromBytesRoundTripsBytes) {
  const EventId id = EventId::Random();
  EXPECT_EQ(EventId::FromBytes(id.bytes()), id);
}

TEST_F(TypesTest, HashToHexIsLowercaseAndSixtyFourChars) {
  Hash h = kGenesisHash;
  h[0] = 0xab;
  h[31] = 0x0f;
  EXPECT_EQ(HashToHex(h), "ab" + std::string(60, '0') + "0f");
}

TEST_F(TypesTest, FilterMatchesOnStreamPrefixAndTypes) {
  EventFilter filter;
  filter.stream_prefix = "review-";
  filter.event_types = {"a", "b"};
  EXPECT_TRUE(filter.Matches("review-1", "b"));
  EXPECT_FALSE(filter.Matches("review-1", "c"));
  EXPECT_FALSE(filter.Matches("other-1", "a"));
  EXPECT_FALSE(filter.Matches("review", "a"));
}

TEST_F(TypesTest, EmptyFilterMatchesEverything) {
  EXPECT_TRUE(EventFilter().Empty());
  EXPECT_TRUE(EventFilter().Matches("any", "thing"));
}

TEST_F(TypesTest, WrongExpectedRevisionCarriesCurrentRevision) {
  const absl::Status s =
      WrongExpectedRevision("s", ExpectedRevision::Exact(1), Revision{7});
  EXPECT_THAT(
      s, IsError(absl::StatusCode::kAborted, kReasonWrongExpectedRevision));
  EXPECT_EQ(CurrentRevisionOf(s), std::optional<std::optional<Revision>>(7));
}

TEST_F(TypesTest, WrongExpectedRevisionCarriesNoStream) {
  const absl::Status s = WrongExpectedRevision(
      "s", ExpectedRevision::StreamExists(), std::nullopt);
  // Engaged, holding "no stream".
  EXPECT_EQ(CurrentRevisionOf(s),
            std::optional<std::optional<Revision>>(std::optional<Revision>()));
}

TEST_F(TypesTest, OtherStatusesCarryNoCurrentRevision) {
  EXPECT_EQ(CurrentRevisionOf(absl::AbortedError("x")), std::nullopt);
}

}  // namespace
}  // namespace oversight::eventstore
