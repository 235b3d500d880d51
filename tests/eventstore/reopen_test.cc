// Tests of closing and reopening a store: positions, revisions, the hash
// chain and idempotency continue exactly where they stopped.

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "eventstore/errors.h"
#include "eventstore/record_format.h"
#include "eventstore/rocks_event_store.h"
#include "eventstore/rocks_layout.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/convenience.h"
#include "rocksdb/memtablerep.h"
#include "rocksdb/options.h"
#include "rocksdb/slice_transform.h"
#include "rocksdb/utilities/options_util.h"
#include "tests/eventstore/test_util.h"

namespace oversight::eventstore {
namespace {

using test::Event;
using test::Events;
using test::IsError;
using test::PositionsOf;
using test::Range;
using test::RevisionsOf;

class ReopenTest : public test::StoreTest {
 protected:
  // A few hundred events over several streams, enough with the 64 KiB
  // memtable for RocksDB to flush to table files.
  void AppendHistory() {
    for (int i = 0; i < 30; ++i) {
      AppendOk("stream-" + std::to_string(i % 3), Events(10));
    }
  }

  // The chain hash of `event` recomputed from its record and `previous`.
  static Hash Rechain(const Hash& previous, const RecordedEvent& event) {
    std::string record;
    EncodeRecord(event, &record);
    return ChainHash(previous, record);
  }

  RecordedEvent EventAt(Position p) {
    absl::StatusOr<ReadResult> r =
        store_->ReadAll(p, Direction::kForwards, 1, {});
    EXPECT_TRUE(r.ok() && r->events.size() == 1);
    return r.ok() && !r->events.empty() ? r->events[0] : RecordedEvent{};
  }
};

TEST_F(ReopenTest, HeadIsTheSameAfterReopen) {
  AppendHistory();
  const ChainHead before = store_->Head();
  Reopen();
  const ChainHead after = store_->Head();
  EXPECT_EQ(after.position, before.position);
  EXPECT_EQ(HashToHex(after.hash), HashToHex(before.hash));
  EXPECT_EQ(after.recorded_at, before.recorded_at);
}

TEST_F(ReopenTest, PositionsContinueAfterReopen) {
  AppendHistory();
  Reopen();
  EXPECT_EQ(AppendOk("new", {Event()}).first_position, 301u);
  EXPECT_EQ(PositionsOf(ReadAllEvents()), Range(1, 301));
}

TEST_F(ReopenTest, RevisionsContinueAfterReopen) {
  AppendHistory();
  Reopen();
  EXPECT_EQ(AppendOk("stream-1", ExpectedRevision::Exact(99), {Event()})
                .first_revision,
            100u);
  EXPECT_EQ(RevisionsOf(ReadStreamEvents("stream-1")).size(), 101u);
}

TEST_F(ReopenTest, FirstAppendAfterReopenChainsToTheOldHead) {
  AppendHistory();
  const Hash old_head = store_->Head().hash;
  Reopen();
  AppendOk("new", {Event()});
  EXPECT_EQ(HashToHex(EventAt(301).hash),
            HashToHex(Rechain(old_head, EventAt(301))));
}

TEST_F(ReopenTest, WholeChainVerifiesAfterReopenAndMoreAppends) {
  AppendHistory();
  Reopen();
  AppendHistory();
  const VerifyResult v = VerifyOk(0, 0);
  EXPECT_TRUE(v.ok) << v.problem;
  EXPECT_EQ(v.to, 600u);
  EXPECT_EQ(HashToHex(v.head_hash), HashToHex(store_->Head().hash));
}

TEST_F(ReopenTest, EveryStoredHashChainsFromGenesis) {
  AppendHistory();
  Reopen();
  Hash previous = kGenesisHash;
  int broken = 0;
  for (const RecordedEvent& e : ReadAllEvents()) {
    if (Rechain(previous, e) != e.hash) ++broken;
    previous = e.hash;
  }
  EXPECT_EQ(broken, 0);
  EXPECT_EQ(HashToHex(previous), HashToHex(store_->Head().hash));
}

TEST_F(ReopenTest, RetryAfterReopenIsDeduplicated) {
  const std::vector<ProposedEvent> batch = Events(3);
  const AppendResult first = AppendOk("s", ExpectedRevision::NoStream(), batch);
  Reopen();
  const AppendResult retry = AppendOk("s", ExpectedRevision::NoStream(), batch);
  EXPECT_TRUE(retry.deduplicated);
  EXPECT_EQ(retry.first_position, first.first_position);
  EXPECT_EQ(HeadPosition(), 3u);
}

TEST_F(ReopenTest, EventIdReuseIsDetectedAfterReopen) {
  ProposedEvent e = Event("test.Happened", "one");
  AppendOk("s", {e});
  Reopen();
  e.data = "two";
  EXPECT_THAT(AppendStatus("s", ExpectedRevision::Any(), {e}),
              IsError(absl::StatusCode::kAlreadyExists, kReasonEventIdReused));
}

// The event-id index keeps its memtable in a hash table (DbOptions in
// UseEventIdMemtable): random ids in a skip list made the index inserts
// the largest cost of a write. The OPTIONS file RocksDB writes on open
// says what the store asked for.
TEST_F(ReopenTest, EventIdIndexKeepsItsMemtableInAHashTable) {
  AppendOk("s", Events(3));
  store_.reset();
  rocksdb::DBOptions db_options;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  rocksdb::Status s = rocksdb::LoadLatestOptions(
      rocksdb::ConfigOptions(), dir_.path(), &db_options, &descriptors);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_FALSE(db_options.allow_concurrent_memtable_write);
  int seen = 0;
  for (const rocksdb::ColumnFamilyDescriptor& d : descriptors) {
    const rocksdb::ColumnFamilyOptions& o = d.options;
    ASSERT_NE(o.memtable_factory, nullptr) << d.name;
    if (d.name == ColumnFamilyName(ColumnFamily::kEventIds)) {
      ++seen;
      EXPECT_STREQ(o.memtable_factory->Name(), "HashLinkListRepFactory");
      ASSERT_NE(o.prefix_extractor, nullptr);
      EXPECT_EQ(o.prefix_extractor->AsString(),
                absl::StrCat("rocksdb.FixedPrefix.", kEventIdKeySize));
    } else {
      // Every other column family is scanned in order: a skip list.
      EXPECT_STREQ(o.memtable_factory->Name(), "SkipListFactory") << d.name;
      EXPECT_EQ(o.prefix_extractor, nullptr) << d.name;
    }
  }
  EXPECT_EQ(seen, 1);
}

// Ids in table files and in the hash memtable are all found: by retries
// (deduplicated), by reuse with other content (refused) and by
// verification, which scans the index in order.
TEST_F(ReopenTest, EventIdsAreFoundInTablesAndInTheHashMemtable) {
  const std::vector<ProposedEvent> early = Events(5);
  AppendOk("early", ExpectedRevision::NoStream(), early);
  AppendHistory();  // Enough to flush `early`'s ids to a table file.
  Reopen();
  const std::vector<ProposedEvent> late = Events(5);
  AppendOk("late", ExpectedRevision::NoStream(), late);  // In the memtable.
  const Position head = HeadPosition();

  EXPECT_TRUE(
      AppendOk("early", ExpectedRevision::NoStream(), early).deduplicated);
  EXPECT_TRUE(
      AppendOk("late", ExpectedRevision::NoStream(), late).deduplicated);
  ProposedEvent reused = late[2];
  reused.data = "other content";
  EXPECT_THAT(AppendStatus("elsewhere", ExpectedRevision::Any(), {reused}),
              IsError(absl::StatusCode::kAlreadyExists, kReasonEventIdReused));
  EXPECT_EQ(HeadPosition(), head);

  absl::StatusOr<VerifyResult> v = store_->Verify(1, head);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_TRUE(v->ok) << v->first_bad << ": " << v->problem;
}

TEST_F(ReopenTest, ReopenWithoutVerificationLoadsTheSameHead) {
  AppendHistory();
  const ChainHead before = store_->Head();
  options_.verify_on_open = false;
  Reopen();
  EXPECT_EQ(store_->Head().position, before.position);
  EXPECT_EQ(HashToHex(store_->Head().hash), HashToHex(before.hash));
}

TEST_F(ReopenTest, EmptyStoreReopensEmpty) {
  Reopen();
  EXPECT_EQ(HeadPosition(), 0u);
  EXPECT_EQ(HashToHex(store_->Head().hash), HashToHex(kGenesisHash));
  EXPECT_EQ(AppendOk("s", {Event()}).first_position, 1u);
}

TEST_F(ReopenTest, MissingStoreWithoutCreateIsUnavailable) {
  oversight::testing::TempDir other;
  RocksEventStore::Options options = options_;
  options.create_if_missing = false;
  EXPECT_EQ(RocksEventStore::Open(other.Sub("none"), options).status().code(),
            absl::StatusCode::kUnavailable);
}

TEST_F(ReopenTest, SecondOpenOfAnOpenStoreIsUnavailable) {
  EXPECT_EQ(TryOpen(options_).status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace oversight::eventstore
