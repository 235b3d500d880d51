// Tests of request validation (ValidateAppend, ValidateStreamName): every
// malformed append is refused with INVALID_ARGUMENT and its reason, and
// nothing is written.

#include <string>
#include <vector>

#include "eventstore/errors.h"
#include "eventstore/event_log.h"
#include "eventstore/limits.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/eventstore/test_util.h"

namespace oversight::eventstore {
namespace {

using test::Event;
using test::Events;
using test::IsError;

constexpr auto kInvalid = absl::StatusCode::kInvalidArgument;

class ValidateTest : public test::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    // One event already stored, so that "nothing written" is observable
    // as an unchanged head.
    AppendOk("seed", {Event()});
  }

  // Appends `events` to `stream` with ExpectedRevision::Any().
  absl::Status Try(absl::string_view stream,
                   std::vector<ProposedEvent> events) {
    return AppendStatus(stream, ExpectedRevision::Any(), std::move(events));
  }

  static ProposedEvent EventWithType(std::string type) {
    return Event(std::move(type));
  }

  static ProposedEvent EventWithData(size_t bytes) {
    return Event("test.Happened", std::string(bytes, 'd'));
  }

  static ProposedEvent EventWithMetadata(size_t bytes) {
    return Event("test.Happened", "", std::string(bytes, 'm'));
  }
};

TEST_F(ValidateTest, EmptyStreamNameIsInvalidStreamName) {
  EXPECT_THAT(Try("", {Event()}), IsError(kInvalid, kReasonInvalidStreamName));
  EXPECT_EQ(HeadPosition(), 1u);
}

TEST_F(ValidateTest, StreamNameOver256BytesIsInvalidStreamName) {
  EXPECT_THAT(Try(std::string(257, 's'), {Event()}),
              IsError(kInvalid, kReasonInvalidStreamName));
  EXPECT_EQ(HeadPosition(), 1u);
}

TEST_F(ValidateTest, StreamNameOf256BytesIsAccepted) {
  EXPECT_TRUE(ValidateStreamName(std::string(256, 's')).ok());
}

TEST_F(ValidateTest, InvalidUtf8StreamNameIsInvalidStreamName) {
  EXPECT_THAT(Try("bad\xff", {Event()}),
              IsError(kInvalid, kReasonInvalidStreamName));
  EXPECT_EQ(HeadPosition(), 1u);
}

TEST_F(ValidateTest, OverlongUtf8IsInvalidStreamName) {
  EXPECT_THAT(ValidateStreamName("\xc0\xaf"),
              IsError(kInvalid, kReasonInvalidStreamName));
}

TEST_F(ValidateTest, Utf16SurrogateIsInvalidStreamName) {
  EXPECT_THAT(ValidateStreamName("\xed\xa0\x80"),
              IsError(kInvalid, kReasonInvalidStreamName));
}

TEST_F(ValidateTest, TruncatedUtf8SequenceIsInvalidStreamName) {
  EXPECT_THAT(ValidateStreamName("euro\xe2\x82"),
              IsError(kInvalid, kReasonInvalidStreamName));
}

TEST_F(ValidateTest, ControlCharacterInStreamNameIsInvalidStreamName) {
  EXPECT_THAT(Try("line\nbreak", {Event()}),
              IsError(kInvalid, kReasonInvalidStreamName));
  EXPECT_EQ(HeadPosition(), 1u);
}

TEST_F(ValidateTest, NulInStreamNameIsInvalidStreamName) {
  EXPECT_THAT(ValidateStreamName(std::string("a\0b", 3)),
              IsError(kInvalid, kReasonInvalidStreamName));
}

TEST_F(ValidateTest, DelAndC1ControlsAreInvalidStreamName) {
  EXPECT_THAT(ValidateStreamName("a\x7f"),
              IsError(kInvalid, kReasonInvalidStreamName));
  EXPECT_THAT(ValidateStreamName("a\xc2\x85"),
              IsError(kInvalid, kReasonInvalidStreamName));
}

TEST_F(ValidateTest, NonAsciiUtf8StreamNameIsAccepted) {
  EXPECT_TRUE(ValidateStreamName("r\xc3\xa9sum\xc3\xa9-\xf0\x9f\x93\x9c").ok());
}

TEST_F(ValidateTest, NilEventIdIsMissingEventId) {
  ProposedEvent e = Event();
  e.id = EventId();
  EXPECT_THAT(Try("s", {Event(), e}), IsError(kInvalid, kReasonMissingEventId));
  EXPECT_EQ(HeadPosition(), 1u);
}

TEST_F(ValidateTest, RepeatedEventIdIsDuplicateEventIdInBatch) {
  ProposedEvent e = Event();
  EXPECT_THAT(Try("s", {e, Event(), e}),
              IsError(kInvalid, kReasonDuplicateEventIdInBatch));
  EXPECT_EQ(HeadPosition(), 1u);
}

TEST_F(ValidateTest, EmptyEventTypeIsInvalidEventType) {
  EXPECT_THAT(Try("s", {EventWithType("")}),
              IsError(kInvalid, kReasonInvalidEventType));
  EXPECT_EQ(HeadPosition(), 1u);
}

TEST_F(ValidateTest, EventTypeOver256BytesIsInvalidEventType) {
  EXPECT_THAT(Try("s", {EventWithType(std::string(257, 't'))}),
              IsError(kInvalid, kReasonInvalidEventType));
  EXPECT_EQ(HeadPosition(), 1u);
}

TEST_F(ValidateTest, ControlCharacterInEventTypeIsInvalidEventType) {
  EXPECT_THAT(Try("s", {EventWithType("a\tb")}),
              IsError(kInvalid, kReasonInvalidEventType));
  EXPECT_EQ(HeadPosition(), 1u);
}

TEST_F(ValidateTest, DataOver1MiBIsEventTooLarge) {
  EXPECT_THAT(Try("s", {EventWithData(kMaxEventDataBytes + 1)}),
              IsError(kInvalid, kReasonEventTooLarge));
  EXPECT_EQ(HeadPosition(), 1u);
}

TEST_F(ValidateTest, MetadataOver1MiBIsEventTooLarge) {
  EXPECT_THAT(Try("s", {EventWithMetadata(kMaxEventMetadataBytes + 1)}),
              IsError(kInvalid, kReasonEventTooLarge));
  EXPECT_EQ(HeadPosition(), 1u);
}

TEST_F(ValidateTest, DataOfExactly1MiBIsStored) {
  EXPECT_EQ(AppendOk("s", {EventWithData(kMaxEventDataBytes)}).first_position,
            2u);
}

TEST_F(ValidateTest, BatchOver4MiBIsBatchTooLarge) {
  std::vector<ProposedEvent> events;
  for (int i = 0; i < 4; ++i) events.push_back(EventWithData(1 << 20));
  events.push_back(EventWithMetadata(1));
  EXPECT_THAT(Try("s", std::move(events)),
              IsError(kInvalid, kReasonBatchTooLarge));
  EXPECT_EQ(HeadPosition(), 1u);
}

TEST_F(ValidateTest, BatchOfExactly4MiBIsAccepted) {
  std::vector<ProposedEvent> events;
  for (int i = 0; i < 4; ++i) events.push_back(EventWithData(1 << 20));
  EXPECT_TRUE(ValidateAppend("s", events).ok());
}

TEST_F(ValidateTest, MoreThan1000EventsIsTooManyEvents) {
  EXPECT_THAT(Try("s", Events(kMaxBatchEvents + 1)),
              IsError(kInvalid, kReasonTooManyEvents));
  EXPECT_EQ(HeadPosition(), 1u);
}

TEST_F(ValidateTest, Exactly1000EventsAreStored) {
  EXPECT_EQ(AppendOk("s", Events(kMaxBatchEvents)).last_position, 1001u);
}

TEST_F(ValidateTest, NoEventsIsEmptyBatch) {
  EXPECT_THAT(Try("s", {}), IsError(kInvalid, kReasonEmptyBatch));
  EXPECT_EQ(HeadPosition(), 1u);
}

TEST_F(ValidateTest, RejectedAppendCreatesNoStream) {
  ASSERT_FALSE(Try("s", {EventWithType("")}).ok());
  EXPECT_THAT(ReadStreamStatus("s"),
              IsError(absl::StatusCode::kNotFound, kReasonStreamNotFound));
}

TEST_F(ValidateTest, ReadingAnInvalidStreamNameIsInvalidStreamName) {
  EXPECT_THAT(ReadStreamStatus(""),
              IsError(kInvalid, kReasonInvalidStreamName));
}

TEST_F(ValidateTest, WellFormedAppendPassesValidation) {
  EXPECT_TRUE(ValidateAppend("review-1", {Event(), Event()}).ok());
}

}  // namespace
}  // namespace oversight::eventstore
