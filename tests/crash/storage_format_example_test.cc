// The worked example of docs/storage-format.md, produced by the real code
// and pinned here: three appends (two to "review-1", then one to
// "recommendation-1"), their record bytes, chain hashes, every RocksDB
// key/value they leave behind, and what Verify says when a byte is flipped
// or the tail of the chain is rewritten.
//
// The hex strings below are copied verbatim into the document. If this test
// fails because the format changed on purpose, update both together (the
// failure message prints the new bytes).

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "eventstore/errors.h"
#include "eventstore/record_format.h"
#include "eventstore/rocks_event_store.h"
#include "eventstore/rocks_layout.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "tests/testing/temp_dir.h"

namespace oversight::eventstore {
namespace {

// ---- The example, as in docs/storage-format.md ("Worked example"). ----

// Three appends, one event each, each its own commit group: review-1
// (expecting no stream), review-1 again (expecting revision 0), then
// recommendation-1 (expecting no stream). The example's clock reads
// 2025-01-15T09:00:00Z for the first two and a quarter of a second later for
// the third.
absl::Time ClockAt(int append) {
  const absl::Time t0 = absl::FromCivil(absl::CivilSecond(2025, 1, 15, 9, 0, 0),
                                        absl::UTCTimeZone());
  return append < 2 ? t0 : t0 + absl::Milliseconds(250);
}

constexpr absl::string_view kStreams[3] = {"review-1", "review-1",
                                           "recommendation-1"};

ExpectedRevision ExpectedFor(int append) {
  return append == 1 ? ExpectedRevision::Exact(0)
                     : ExpectedRevision::NoStream();
}

ProposedEvent Proposed(absl::string_view id, absl::string_view type,
                       absl::string_view data, absl::string_view metadata) {
  ProposedEvent e;
  e.id = *EventId::Parse(id);
  e.type = std::string(type);
  e.data = std::string(data);
  e.metadata = std::string(metadata);
  return e;
}

ProposedEvent ProposedFor(int append) {
  switch (append) {
    case 0:
      return Proposed("0194ad1e-7c00-7000-8000-000000000001",
                      "oversight.v1.ReviewOpened", "title=Q1 audit", "");
    case 1:
      return Proposed("0194ad1e-7c00-7000-8000-000000000002",
                      "oversight.v1.ReviewerAssigned", "reviewer=ana", "");
    default:
      return Proposed("0194ad1e-7d00-7000-8000-000000000003",
                      "oversight.v1.RecommendationIssued", "text=publish logs",
                      "cause=2");
  }
}

// The three events as recorded (positions 1, 2, 3).
std::vector<RecordedEvent> ExampleEvents() {
  const Revision revisions[3] = {0, 1, 0};
  std::vector<RecordedEvent> events;
  for (int i = 0; i < 3; ++i) {
    const ProposedEvent p = ProposedFor(i);
    RecordedEvent e;
    e.position = static_cast<Position>(i + 1);
    e.stream = std::string(kStreams[i]);
    e.revision = revisions[i];
    e.id = p.id;
    e.type = p.type;
    e.data = p.data;
    e.metadata = p.metadata;
    e.recorded_at = ClockAt(i);
    events.push_back(std::move(e));
  }
  return events;
}

// ---- The pinned bytes (also in docs/storage-format.md). ----

// clang-format off
const char* const kRecordHex[3] = {
    // position 1: review-1, revision 0
    "01"                                  // version
    "0000000000000001"                    // position 1
    "0000000000000000"                    // revision 0
    "00062bbae7046400"                    // 2025-01-15T09:00:00Z, in us
    "0194ad1e7c0070008000000000000001"    // event id
    "08" "7265766965772d31"               // stream "review-1"
    "19" "6f76657273696768742e76312e5265766965774f70656e6564"
                                          // type "oversight.v1.ReviewOpened"
    "0e" "7469746c653d5131206175646974"   // data "title=Q1 audit"
    "00",                                 // metadata ""

    // position 2: review-1, revision 1
    "01"                                  // version
    "0000000000000002"                    // position 2
    "0000000000000001"                    // revision 1
    "00062bbae7046400"                    // 2025-01-15T09:00:00Z, in us
    "0194ad1e7c0070008000000000000002"    // event id
    "08" "7265766965772d31"               // stream "review-1"
    "1d" "6f76657273696768742e76312e526576696577657241737369676e6564"
                                          // type "oversight.v1.ReviewerAssigned"
    "0c" "72657669657765723d616e61"       // data "reviewer=ana"
    "00",                                 // metadata ""

    // position 3: recommendation-1, revision 0
    "01"                                  // version
    "0000000000000003"                    // position 3
    "0000000000000000"                    // revision 0
    "00062bbae7083490"                    // 2025-01-15T09:00:00.25Z, in us
    "0194ad1e7d0070008000000000000003"    // event id
    "10" "7265636f6d6d656e646174696f6e2d31"
                                          // stream "recommendation-1"
    "21" "6f76657273696768742e76312e5265636f6d6d656e646174696f6e497373756564"
                                          // type "oversight.v1.RecommendationIssued"
    "11" "746578743d7075626c697368206c6f6773"
                                          // data "text=publish logs"
    "07" "63617573653d32",                // metadata "cause=2"
};
// clang-format on

// chain_hash(p) = SHA-256(chain_hash(p - 1) || record(p)), from 32 zeros.
const char* const kChainHashHex[3] = {
    "768b37ddae6d4386a75d5e396e3ad3333373d535a9f2625ec015f048f3421221",
    "7473f076cbc06b7174f0cec9cc6d2e47b9543dd9ef0b10fb33cd0ee3815f47b8",
    "f875ef79d598faed0f9ff3c4f18b8eb5fdabb9d7766fe491c31a171a7fb3c570",
};

// Verify's "computed" hash at position 2 after its data "reviewer=ana"
// becomes "reviewer=anc"; and the head hash after that change with chain
// hashes 2 and 3 rewritten to match.
constexpr absl::string_view kFlippedComputedHex =
    "49f6fd82806f70db5eb4c6142609808c1b99914304e22d5ab7eb5f75cec6e171";
constexpr absl::string_view kRewrittenHeadHex =
    "d228d6350ea264fb4f43578f43c3d49e6c53d21b49ca5b2669f82769249bfabb";

// Every key/value pair in the other column families after the three appends,
// as "cf key_hex value_hex", in RocksDB order within each family.
const char* const kIndexEntries[] = {
    "default 666f726d6174 6f76657273696768742d6576656e7473746f72652f31",
    "streams 7265636f6d6d656e646174696f6e2d31 0000000000000000",
    "streams 7265766965772d31 0000000000000001",
    "stream_index 7265636f6d6d656e646174696f6e2d31000000000000000000 "
    "0000000000000003",
    "stream_index 7265766965772d31000000000000000000 0000000000000001",
    "stream_index 7265766965772d31000000000000000001 0000000000000002",
    "event_ids 0194ad1e7c0070008000000000000001 0000000000000001",
    "event_ids 0194ad1e7c0070008000000000000002 0000000000000002",
    "event_ids 0194ad1e7d0070008000000000000003 0000000000000003",
};

// ---- Helpers. ----

std::string Hex(absl::string_view bytes) {
  return absl::BytesToHexString(bytes);
}

std::string RecordHex(const RecordedEvent& e) {
  std::string record;
  EncodeRecord(e, &record);
  return Hex(record);
}

// Raw access to the store's RocksDB, for inspection and tampering.
class RawDb {
 public:
  explicit RawDb(const std::string& dir) {
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (absl::string_view name : kColumnFamilyNames) {
      cfs.emplace_back(std::string(name), rocksdb::ColumnFamilyOptions());
    }
    rocksdb::Status s =
        rocksdb::DB::Open(rocksdb::Options(), dir, cfs, &handles_, &db_);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  ~RawDb() {
    if (db_ == nullptr) return;
    for (auto* h : handles_)
      db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    db_->Close().PermitUncheckedError();
    delete db_;
  }

  std::vector<std::pair<std::string, std::string>> Scan(ColumnFamily cf) {
    std::vector<std::pair<std::string, std::string>> out;
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), handle(cf)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      out.emplace_back(it->key().ToString(), it->value().ToString());
    }
    EXPECT_TRUE(it->status().ok()) << it->status().ToString();
    return out;
  }
  std::string Get(ColumnFamily cf, const std::string& key) {
    std::string value;
    rocksdb::Status s =
        db_->Get(rocksdb::ReadOptions(), handle(cf), key, &value);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return value;
  }
  void Put(ColumnFamily cf, const std::string& key, const std::string& value) {
    rocksdb::WriteOptions w;
    w.sync = true;
    rocksdb::Status s = db_->Put(w, handle(cf), key, value);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }

 private:
  rocksdb::ColumnFamilyHandle* handle(ColumnFamily cf) {
    return handles_[static_cast<int>(cf)];
  }
  rocksdb::DB* db_ = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

// Writes the example through a real RocksEventStore, with its clock fixed.
void WriteExample(const std::string& dir) {
  std::atomic<int64_t> now_us{0};
  RocksEventStore::Options options;
  options.clock = [&now_us] { return absl::FromUnixMicros(now_us.load()); };
  auto store = RocksEventStore::Open(dir, options);
  ASSERT_TRUE(store.ok()) << store.status();
  for (int i = 0; i < 3; ++i) {
    now_us = absl::ToUnixMicros(ClockAt(i));
    auto r = (*store)->Append(std::string(kStreams[i]), ExpectedFor(i),
                              {ProposedFor(i)});
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->first_position, static_cast<Position>(i + 1));
  }
  EXPECT_EQ((*store)->stats().groups, 3u);
  EXPECT_EQ((*store)->Head().position, 3u);
  EXPECT_EQ(HashToHex((*store)->Head().hash), kChainHashHex[2]);
  (*store)->Close();
}

absl::StatusOr<VerifyResult> VerifyAll(const std::string& dir) {
  RocksEventStore::Options options;
  options.verify_on_open = false;
  auto store = RocksEventStore::Open(dir, options);
  if (!store.ok()) return store.status();
  return (*store)->Verify(0, 0);
}

// ---- Tests. ----

TEST(StorageFormatExample, RecordBytesAndChainHashes) {
  const std::vector<RecordedEvent> events = ExampleEvents();
  Hash previous = kGenesisHash;
  for (size_t i = 0; i < events.size(); ++i) {
    std::string record;
    EncodeRecord(events[i], &record);
    const Hash hash = ChainHash(previous, record);
    EXPECT_EQ(Hex(record), kRecordHex[i]) << "record of position " << i + 1;
    EXPECT_EQ(HashToHex(hash), kChainHashHex[i])
        << "chain hash of position " << i + 1;
    // The record decodes back to the event.
    absl::StatusOr<RecordedEvent> back = DecodeRecord(record);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(RecordHex(*back), Hex(record));
    previous = hash;
  }
}

TEST(StorageFormatExample, StoreWritesExactlyTheseKeysAndValues) {
  testing::TempDir tmp;
  WriteExample(tmp.path());
  RawDb db(tmp.path());

  const auto log = db.Scan(ColumnFamily::kLog);
  ASSERT_EQ(log.size(), 3u);
  for (size_t i = 0; i < log.size(); ++i) {
    EXPECT_EQ(Hex(log[i].first), Hex(LogKey(i + 1)));
    EXPECT_EQ(Hex(log[i].second), absl::StrCat(kChainHashHex[i], kRecordHex[i]))
        << "stored value of position " << i + 1;
  }

  std::vector<std::string> entries;
  for (ColumnFamily cf :
       {ColumnFamily::kDefault, ColumnFamily::kStreams,
        ColumnFamily::kStreamIndex, ColumnFamily::kEventIds}) {
    for (const auto& [key, value] : db.Scan(cf)) {
      entries.push_back(
          absl::StrCat(ColumnFamilyName(cf), " ", Hex(key), " ", Hex(value)));
    }
  }
  std::vector<std::string> want(std::begin(kIndexEntries),
                                std::end(kIndexEntries));
  EXPECT_EQ(entries, want);
}

// One flipped bit in a stored record: Verify names that position, and
// Open (verify_on_open) refuses the store.
TEST(StorageFormatExample, FlippedByteIsReportedAtItsPosition) {
  testing::TempDir tmp;
  WriteExample(tmp.path());
  {
    RawDb db(tmp.path());
    std::string value = db.Get(ColumnFamily::kLog, LogKey(2));
    // The last byte of "reviewer=ana": 'a' becomes 'c'.
    const size_t offset = value.size() - 2;  // Before the empty metadata.
    ASSERT_EQ(value[offset], 'a');
    value[offset] = 'c';
    db.Put(ColumnFamily::kLog, LogKey(2), value);
  }
  absl::StatusOr<VerifyResult> v = VerifyAll(tmp.path());
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_FALSE(v->ok);
  EXPECT_EQ(v->first_bad, 2u);
  EXPECT_EQ(v->problem,
            absl::StrCat("chain hash mismatch: stored ", kChainHashHex[1],
                         ", computed ", kFlippedComputedHex));
  std::printf("Verify(0, 0): ok=%d first_bad=%llu problem=%s\n", v->ok,
              static_cast<unsigned long long>(v->first_bad),
              v->problem.c_str());

  // Verifying only position 3 starts from the stored hash of position 2,
  // which is intact: the damage is outside the range and goes unseen.
  {
    RocksEventStore::Options options;
    options.verify_on_open = false;
    auto store = RocksEventStore::Open(tmp.path(), options);
    ASSERT_TRUE(store.ok());
    absl::StatusOr<VerifyResult> tail = (*store)->Verify(3, 3);
    ASSERT_TRUE(tail.ok());
    EXPECT_TRUE(tail->ok);
  }

  auto opened = RocksEventStore::Open(tmp.path(), RocksEventStore::Options());
  EXPECT_TRUE(absl::IsDataLoss(opened.status())) << opened.status();
  EXPECT_EQ(ReasonOf(opened.status()), std::string(kReasonChainBroken));
  std::printf("Open: %s\n", opened.status().ToString().c_str());
}

// Rewriting a record *and* every later chain hash leaves a chain that
// verifies on its own; only a head hash published before the rewrite
// exposes it.
TEST(StorageFormatExample, RewrittenTailIsOnlyCaughtByAPublishedHead) {
  testing::TempDir tmp;
  WriteExample(tmp.path());
  const std::string published_head = kChainHashHex[2];
  {
    RawDb db(tmp.path());
    Hash previous;
    std::string value1 = db.Get(ColumnFamily::kLog, LogKey(1));
    std::copy(value1.begin(), value1.begin() + kHashSize, previous.begin());
    for (Position p : {Position{2}, Position{3}}) {
      std::string value = db.Get(ColumnFamily::kLog, LogKey(p));
      std::string record = value.substr(kHashSize);
      if (p == 2) record[record.size() - 2] = 'c';  // reviewer=anc
      previous = ChainHash(previous, record);
      db.Put(ColumnFamily::kLog, LogKey(p),
             std::string(reinterpret_cast<const char*>(previous.data()),
                         kHashSize) +
                 record);
    }
  }
  absl::StatusOr<VerifyResult> v = VerifyAll(tmp.path());
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_TRUE(v->ok) << v->problem;
  EXPECT_NE(HashToHex(v->head_hash), published_head);
  EXPECT_EQ(HashToHex(v->head_hash), kRewrittenHeadHex);
  std::printf("after rewrite: Verify ok=%d head_hash=%s (published %s)\n",
              v->ok, HashToHex(v->head_hash).c_str(), published_head.c_str());
}

// The document quotes exactly these bytes: the hex fields of each record's
// annotated dump, every chain hash, the flip's and the rewrite's hashes, and
// every index entry.
std::string ReadDocument() {
  std::ifstream in(std::string(OVERSIGHT_SOURCE_DIR) +
                   "/docs/storage-format.md");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool IsHex(absl::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return absl::ascii_isxdigit(c) && !absl::ascii_isupper(c);
  });
}

// The leading hex words of `line`, concatenated ("08 7265... stream" ->
// "087265...").
std::string LeadingHex(absl::string_view line) {
  std::string out;
  for (absl::string_view word : absl::StrSplit(line, ' ', absl::SkipEmpty())) {
    if (!IsHex(word)) break;
    absl::StrAppend(&out, word);
  }
  return out;
}

// The first fenced block after `heading`.
std::vector<std::string> BlockAfter(const std::string& doc,
                                    absl::string_view heading) {
  std::vector<std::string> block;
  const size_t at = doc.find(std::string(heading));
  if (at == std::string::npos) return block;
  const size_t open = doc.find("```\n", at);
  const size_t close = doc.find("\n```", open + 4);
  if (open == std::string::npos || close == std::string::npos) return block;
  return absl::StrSplit(doc.substr(open + 4, close - open - 4), '\n');
}

TEST(StorageFormatExample, DocumentQuotesTheseBytes) {
  const std::string doc = ReadDocument();
  ASSERT_FALSE(doc.empty()) << "cannot read docs/storage-format.md";
  for (int i = 0; i < 3; ++i) {
    // The annotated dump: hex words up to the blank line before the hash.
    std::string dumped;
    for (const std::string& line :
         BlockAfter(doc, absl::StrCat("### Position ", i + 1, " "))) {
      if (line.empty()) break;
      dumped += LeadingHex(line);
    }
    EXPECT_EQ(dumped, kRecordHex[i])
        << "docs/storage-format.md, ### Position " << i + 1;
    EXPECT_TRUE(absl::StrContains(doc, kChainHashHex[i])) << kChainHashHex[i];
  }
  EXPECT_TRUE(absl::StrContains(doc, kFlippedComputedHex));
  EXPECT_TRUE(absl::StrContains(doc, kRewrittenHeadHex));

  // "### The whole store": the value of position 1, then the index entries.
  std::string value1;
  for (const std::string& line : BlockAfter(doc, "### The whole store")) {
    value1 += LeadingHex(line);
  }
  EXPECT_EQ(value1, absl::StrCat(kChainHashHex[0], kRecordHex[0]));
  const size_t tables = doc.find("and the other column families hold");
  ASSERT_NE(tables, std::string::npos);
  std::vector<std::string> quoted;
  for (const std::string& line : BlockAfter(doc.substr(tables), "hold")) {
    std::vector<absl::string_view> words =
        absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (words.empty() || IsHex(words[0]) || words[0][0] == '"') continue;
    quoted.push_back(
        absl::StrCat(words[0], " ", LeadingHex(line.substr(words[0].size()))));
  }
  std::vector<std::string> want;
  for (absl::string_view entry : kIndexEntries) {
    std::vector<absl::string_view> f = absl::StrSplit(entry, ' ');
    want.push_back(absl::StrCat(f[0], " ", f[1], f[2]));
  }
  EXPECT_EQ(quoted, want);
}

// Prints the example's bytes, for updating this file and the document.
TEST(StorageFormatExample, PrintForDocument) {
  const std::vector<RecordedEvent> events = ExampleEvents();
  Hash previous = kGenesisHash;
  for (const RecordedEvent& e : events) {
    std::string record;
    EncodeRecord(e, &record);
    previous = ChainHash(previous, record);
    std::printf("position %llu (%zu bytes)\n  record %s\n  hash   %s\n",
                static_cast<unsigned long long>(e.position), record.size(),
                Hex(record).c_str(), HashToHex(previous).c_str());
  }
  testing::TempDir tmp;
  WriteExample(tmp.path());
  RawDb db(tmp.path());
  for (ColumnFamily cf :
       {ColumnFamily::kDefault, ColumnFamily::kStreams,
        ColumnFamily::kStreamIndex, ColumnFamily::kEventIds}) {
    for (const auto& [key, value] : db.Scan(cf)) {
      std::printf("  \"%s %s %s\",\n",
                  std::string(ColumnFamilyName(cf)).c_str(), Hex(key).c_str(),
                  Hex(value).c_str());
    }
  }
}

}  // namespace
}  // namespace oversight::eventstore
