// Tests of Verify over ranges of an intact log.

#include <string>

#include "eventstore/errors.h"
#include "eventstore/rocks_event_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/eventstore/test_util.h"

namespace oversight::eventstore {
namespace {

using test::Events;
using test::IsError;

class VerifyTest : public test::StoreTest {
 protected:
  void AppendHistory(int batches) {
    for (int i = 0; i < batches; ++i) {
      AppendOk("stream-" + std::to_string(i % 4), Events(10));
    }
  }

  absl::Status VerifyStatus(Position from, Position to) {
    return store_->Verify(from, to).status();
  }

  std::string StoredHashHex(Position p) {
    absl::StatusOr<ReadResult> r =
        store_->ReadAll(p, Direction::kForwards, 1, {});
    return r.ok() && r->events.size() == 1 ? HashToHex(r->events[0].hash)
                                           : "unreadable";
  }
};

TEST_F(VerifyTest, EmptyLogVerifies) {
  const VerifyResult v = VerifyOk(0, 0);
  EXPECT_TRUE(v.ok);
  EXPECT_EQ(HashToHex(v.head_hash), HashToHex(kGenesisHash));
}

TEST_F(VerifyTest, RangeOnEmptyLogIsInvalidRange) {
  EXPECT_THAT(VerifyStatus(1, 1),
              IsError(absl::StatusCode::kInvalidArgument, kReasonInvalidRange));
}

TEST_F(VerifyTest, WholeLogVerifiesToTheHeadHash) {
  AppendHistory(20);
  const VerifyResult v = VerifyOk(0, 0);
  EXPECT_TRUE(v.ok) << v.problem;
  EXPECT_EQ(v.from, 1u);
  EXPECT_EQ(v.to, 200u);
  EXPECT_EQ(HashToHex(v.head_hash), HashToHex(store_->Head().hash));
}

TEST_F(VerifyTest, SubRangeVerifiesToTheHashAtItsEnd) {
  AppendHistory(20);
  const VerifyResult v = VerifyOk(50, 120);
  EXPECT_TRUE(v.ok) << v.problem;
  EXPECT_EQ(HashToHex(v.head_hash), StoredHashHex(120));
}

TEST_F(VerifyTest, SinglePositionRangesVerify) {
  AppendHistory(20);
  EXPECT_TRUE(VerifyOk(1, 1).ok);
  EXPECT_TRUE(VerifyOk(77, 77).ok);
  EXPECT_TRUE(VerifyOk(200, 200).ok);
}

TEST_F(VerifyTest, RangeUpToTheHeadVerifies) {
  AppendHistory(3);
  EXPECT_TRUE(VerifyOk(2, 30).ok);
}

TEST_F(VerifyTest, FromAfterToIsInvalidRange) {
  AppendHistory(3);
  EXPECT_THAT(VerifyStatus(10, 9),
              IsError(absl::StatusCode::kInvalidArgument, kReasonInvalidRange));
}

TEST_F(VerifyTest, ToPastHeadIsInvalidRange) {
  AppendHistory(3);
  EXPECT_THAT(VerifyStatus(1, 31),
              IsError(absl::StatusCode::kInvalidArgument, kReasonInvalidRange));
}

TEST_F(VerifyTest, FromPastHeadIsInvalidRange) {
  AppendHistory(3);
  EXPECT_THAT(VerifyStatus(31, 0),
              IsError(absl::StatusCode::kInvalidArgument, kReasonInvalidRange));
}

TEST_F(VerifyTest, FromPastHeadOfEmptyLogIsInvalidRange) {
  EXPECT_THAT(VerifyStatus(5, 0),
              IsError(absl::StatusCode::kInvalidArgument, kReasonInvalidRange));
}

TEST_F(VerifyTest, VerifyAfterCloseIsStoreClosed) {
  AppendHistory(1);
  store_->Close();
  EXPECT_THAT(VerifyStatus(0, 0),
              IsError(absl::StatusCode::kUnavailable, kReasonStoreClosed));
}

}  // namespace
}  // namespace oversight::eventstore
