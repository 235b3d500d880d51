// Tests of tamper evidence: records are edited behind the store's back
// through RocksDB directly, and Verify and Open must name the position.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "eventstore/errors.h"
#include "eventstore/record_format.h"
#include "eventstore/rocks_event_store.h"
#include "eventstore/rocks_layout.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "tests/eventstore/test_util.h"

namespace oversight::eventstore {
namespace {

using test::Events;
using test::IsError;
using ::testing::HasSubstr;

constexpr Position kHead = 100;
constexpr Position kTampered = 37;

class TamperTest : public test::StoreTest {
 protected:
  using Edit = std::function<void(rocksdb::DB*,
                                  std::vector<rocksdb::ColumnFamilyHandle*>&)>;

  void SetUp() override {
    StoreTest::SetUp();
    for (int i = 0; i < 10; ++i) {
      AppendOk("stream-" + std::to_string(i % 3), Events(10));
    }
    ASSERT_EQ(HeadPosition(), kHead);
  }

  // Closes the store, opens its RocksDB directly with every column family
  // of rocks_layout.h, runs `edit`, flushes and closes it again.
  void EditDb(const Edit& edit) {
    store_.reset();
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (absl::string_view name : kColumnFamilyNames) {
      descriptors.emplace_back(std::string(name),
                               rocksdb::ColumnFamilyOptions());
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(rocksdb::DBOptions(), dir_.path(),
                                          descriptors, &handles, &db);
    ASSERT_TRUE(s.ok()) << s.ToString();
    edit(db, handles);
    for (rocksdb::ColumnFamilyHandle* h : handles) {
      EXPECT_TRUE(db->Flush(rocksdb::FlushOptions(), h).ok());
      EXPECT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
    }
    EXPECT_TRUE(db->Close().ok());
    delete db;
  }

  // Rewrites the stored value at `p` of the `log` column family.
  void EditValue(Position p, const std::function<void(std::string*)>& edit) {
    EditDb([&](rocksdb::DB* db,
               std::vector<rocksdb::ColumnFamilyHandle*>& handles) {
      rocksdb::ColumnFamilyHandle* log =
          handles[static_cast<int>(ColumnFamily::kLog)];
      std::string value;
      ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), log, LogKey(p), &value).ok());
      edit(&value);
      ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), log, LogKey(p), value).ok());
    });
  }

  // Flips one bit of the record's data (not of its chain hash).
  void FlipRecordByte(Position p) {
    EditValue(p, [](std::string* value) {
      // The value ends with data ("data-N") and an empty metadata's
      // length byte; flip the last byte of data.
      const size_t i = value->size() - 2;
      ASSERT_GT(i, kHashSize + kRecordFixedSize);
      (*value)[i] ^= 0x01;
    });
  }

  void FlipHashByte(Position p) {
    EditValue(p, [](std::string* value) { (*value)[5] ^= 0x80; });
  }

  // Flips a record byte and stores the hash recomputed over the edited
  // record, as a forger who did not rewrite the rest of the chain would.
  void FlipRecordByteAndRehash(Position p, const Hash& previous) {
    EditValue(p, [&](std::string* value) {
      (*value)[value->size() - 2] ^= 0x01;
      const Hash h = ChainHash(previous, value->substr(kHashSize));
      value->replace(0, kHashSize, reinterpret_cast<const char*>(h.data()),
                     kHashSize);
    });
  }

  void DeleteRecord(Position p) {
    EditDb([&](rocksdb::DB* db,
               std::vector<rocksdb::ColumnFamilyHandle*>& handles) {
      ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(),
                             handles[static_cast<int>(ColumnFamily::kLog)],
                             LogKey(p))
                      .ok());
    });
  }

  void OpenUnverified() {
    options_.verify_on_open = false;
    Open();
  }

  absl::Status OpenVerifiedStatus() {
    RocksEventStore::Options options = options_;
    options.verify_on_open = true;
    return TryOpen(options).status();
  }

  Hash StoredHash(Position p) {
    absl::StatusOr<ReadResult> r =
        store_->ReadAll(p, Direction::kForwards, 1, {});
    EXPECT_TRUE(r.ok() && r->events.size() == 1);
    return r.ok() && !r->events.empty() ? r->events[0].hash : Hash{};
  }
};

TEST_F(TamperTest, UntouchedStoreVerifiesOnOpen) {
  store_.reset();
  EXPECT_TRUE(OpenVerifiedStatus().ok());
}

TEST_F(TamperTest, FlippedRecordByteIsFirstBadInVerify) {
  FlipRecordByte(kTampered);
  OpenUnverified();
  const VerifyResult v = VerifyOk(0, 0);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_bad, kTampered);
}

TEST_F(TamperTest, FlippedRecordByteFailsOpenWithChainBroken) {
  FlipRecordByte(kTampered);
  const absl::Status s = OpenVerifiedStatus();
  EXPECT_THAT(s, IsError(absl::StatusCode::kDataLoss, kReasonChainBroken));
  EXPECT_THAT(s.message(), HasSubstr("position 37"));
}

TEST_F(TamperTest, RangeBeforeTamperedRecordStillVerifies) {
  FlipRecordByte(kTampered);
  OpenUnverified();
  EXPECT_TRUE(VerifyOk(1, kTampered - 1).ok);
}

TEST_F(TamperTest, RangeStartingAtTamperedRecordFailsThere) {
  FlipRecordByte(kTampered);
  OpenUnverified();
  EXPECT_EQ(VerifyOk(kTampered, kHead).first_bad, kTampered);
}

TEST_F(TamperTest, FlippedLastRecordIsFirstBad) {
  FlipRecordByte(kHead);
  OpenUnverified();
  EXPECT_EQ(VerifyOk(0, 0).first_bad, kHead);
}

TEST_F(TamperTest, FlippedHashByteIsFirstBadInVerify) {
  FlipHashByte(kTampered);
  OpenUnverified();
  const VerifyResult v = VerifyOk(0, 0);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_bad, kTampered);
}

TEST_F(TamperTest, FlippedHashByteFailsOpenNamingThePosition) {
  FlipHashByte(kTampered);
  const absl::Status s = OpenVerifiedStatus();
  EXPECT_THAT(s, IsError(absl::StatusCode::kDataLoss, kReasonChainBroken));
  EXPECT_THAT(s.message(), HasSubstr("position 37"));
}

TEST_F(TamperTest, RehashedRecordBreaksTheChainAtTheNextPosition) {
  const Hash previous = StoredHash(kTampered - 1);
  FlipRecordByteAndRehash(kTampered, previous);
  OpenUnverified();
  EXPECT_EQ(VerifyOk(0, 0).first_bad, kTampered + 1);
}

TEST_F(TamperTest, DeletedRecordIsNamedAsMissing) {
  DeleteRecord(kTampered);
  OpenUnverified();
  const VerifyResult v = VerifyOk(0, 0);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_bad, kTampered);
  EXPECT_THAT(v.problem, HasSubstr("missing"));
}

TEST_F(TamperTest, DeletedRecordFailsOpenNamingThePosition) {
  DeleteRecord(kTampered);
  const absl::Status s = OpenVerifiedStatus();
  EXPECT_THAT(s, IsError(absl::StatusCode::kDataLoss, kReasonChainBroken));
  EXPECT_THAT(s.message(), HasSubstr("position 37"));
}

TEST_F(TamperTest, VerifyFromAfterDeletedRecordNamesIt) {
  DeleteRecord(kTampered);
  OpenUnverified();
  EXPECT_EQ(VerifyOk(kTampered + 1, kHead).first_bad, kTampered);
}

TEST_F(TamperTest, ReadingAcrossDeletedRecordIsDataLoss) {
  DeleteRecord(kTampered);
  OpenUnverified();
  EXPECT_EQ(store_->ReadAll(1, Direction::kForwards, 1000, {}).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST_F(TamperTest, UndecodableLastRecordFailsOpenNamingThePosition) {
  EditValue(kHead, [](std::string* value) { value->push_back('x'); });
  const absl::Status s = OpenVerifiedStatus();
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("position 100"));
}

// The stream index is not covered by the chain: a stream read must check
// that the record an index entry points at is the one it claims.
TEST_F(TamperTest, MisdirectedStreamIndexEntryIsDataLossOnRead) {
  EditDb([](rocksdb::DB* db,
            std::vector<rocksdb::ColumnFamilyHandle*>& handles) {
    // stream-0 revision 0 is at position 1; point it at position 11, which
    // belongs to stream-1.
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(),
                        handles[static_cast<int>(ColumnFamily::kStreamIndex)],
                        StreamIndexKey("stream-0", 0), Fixed64Value(11))
                    .ok());
  });
  OpenUnverified();
  const absl::Status s =
      store_->ReadStream("stream-0", 0, Direction::kForwards, 10).status();
  EXPECT_THAT(s, IsError(absl::StatusCode::kDataLoss, kReasonRecordCorrupt));
  EXPECT_THAT(s.message(), HasSubstr("position 11"));
  // The chain holds, but verification checks the index against the
  // records too and names the record whose entry was redirected.
  const VerifyResult v = VerifyOk(0, 0);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_bad, 1u);
  EXPECT_THAT(v.problem, HasSubstr("stream_index"));
  EXPECT_THAT(v.problem, HasSubstr("\"stream-0\" revision 0"));
}

TEST_F(TamperTest, OtherFormatTagIsFailedPrecondition) {
  EditDb(
      [](rocksdb::DB* db, std::vector<rocksdb::ColumnFamilyHandle*>& handles) {
        ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), handles[0],
                            std::string(kFormatKey), "something-else/9")
                        .ok());
      });
  EXPECT_EQ(TryOpen(options_).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace oversight::eventstore
