// A sweep of random single-byte flips over everything the store keeps: the
// keys and values of the `log` records and of the three indexes (`streams`,
// `stream_index`, `event_ids`). Each flip is made behind the store's back
// through RocksDB, then the store must find it three ways, naming the
// position: Verify over the whole log (the index scan), Verify over just
// the position concerned (the index look-ups), and opening with
// verify_on_open (every fourth random flip, and every chosen one). The flip is
// undone before the next one, and the undone store must verify with its
// original head hash.
//
// The flips are seeded, so a failure is reproducible: 200 by default;
// OVERSIGHT_TAMPER_FLIPS=N sets the count and OVERSIGHT_TAMPER_SEED=S the
// seed (both printed).

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
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

using test::Event;

uint64_t EnvOr(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  return std::strtoull(v, nullptr, 10);
}

// The column families a flip may hit, with what each entry's key and value
// are.
constexpr ColumnFamily kFlippable[] = {
    ColumnFamily::kLog, ColumnFamily::kStreams, ColumnFamily::kStreamIndex,
    ColumnFamily::kEventIds};

// One single-byte change to one entry, and what undoes it.
struct Flip {
  ColumnFamily cf = ColumnFamily::kLog;
  bool in_key = false;
  std::string key;      // The entry's key before the flip.
  std::string new_key;  // Its key after (== key for a value flip).
  std::string value;    // Its value before.
  std::string new_value;
  // For a key flip onto an existing key: that entry's value, overwritten.
  std::optional<std::string> overwritten;
  // The positions an error may name, and the one the damage is about.
  std::set<Position> positions;
  Position primary = 0;
  std::string description;
};

// A RocksDB session on the store's directory, with every column family.
class RawDb {
 public:
  explicit RawDb(const std::string& dir) {
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (absl::string_view name : kColumnFamilyNames) {
      descriptors.emplace_back(std::string(name),
                               rocksdb::ColumnFamilyOptions());
    }
    rocksdb::Status s = rocksdb::DB::Open(rocksdb::DBOptions(), dir,
                                          descriptors, &handles_, &db_);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  ~RawDb() {
    if (db_ == nullptr) return;
    for (rocksdb::ColumnFamilyHandle* h : handles_) {
      EXPECT_TRUE(db_->DestroyColumnFamilyHandle(h).ok());
    }
    EXPECT_TRUE(db_->Close().ok());
    delete db_;
  }
  bool ok() const { return db_ != nullptr; }
  rocksdb::ColumnFamilyHandle* cf(ColumnFamily which) {
    return handles_[static_cast<int>(which)];
  }
  std::map<std::string, std::string> All(ColumnFamily which) {
    std::map<std::string, std::string> all;
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), cf(which)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      all.emplace(it->key().ToString(), it->value().ToString());
    }
    EXPECT_TRUE(it->status().ok()) << it->status().ToString();
    return all;
  }
  void Put(ColumnFamily which, const std::string& key,
           const std::string& value) {
    rocksdb::Status s =
        db_->Put(rocksdb::WriteOptions(), cf(which), key, value);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  void Delete(ColumnFamily which, const std::string& key) {
    rocksdb::Status s = db_->Delete(rocksdb::WriteOptions(), cf(which), key);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

 private:
  rocksdb::DB* db_ = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

// Whether `message` says "position N" for one of `positions`.
bool NamesPosition(absl::string_view message,
                   const std::set<Position>& positions) {
  for (Position p : positions) {
    const std::string needle = absl::StrCat("position ", p);
    for (size_t at = message.find(needle); at != absl::string_view::npos;
         at = message.find(needle, at + 1)) {
      const size_t end = at + needle.size();
      if (end == message.size() || !absl::ascii_isdigit(message[end])) {
        return true;
      }
    }
  }
  return false;
}

class TamperSweepTest : public test::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    // A few hundred events over several streams whose names differ in one
    // byte (so a flipped stream name can land on another stream), in
    // appends of 1 to 8 events, some with metadata; every tenth event's id
    // differs from the one before it in one byte only (so a flipped id can
    // land on another id).
    std::mt19937_64 rng(7);
    EventId previous = EventId::Random();
    int n = 0;
    while (HeadPosition() < 300) {
      const std::string stream = absl::StrCat("stream-", rng() % 6);
      std::vector<ProposedEvent> events;
      const size_t count = 1 + rng() % 8;
      for (size_t i = 0; i < count; ++i, ++n) {
        ProposedEvent e = Event("test.Happened", absl::StrCat("data-", n),
                                n % 3 == 0 ? absl::StrCat("cause=", n) : "");
        if (n % 10 == 9) {
          std::string bytes(previous.bytes());
          bytes[15] ^= 0x01;
          e.id = EventId::FromBytes(bytes);
        }
        previous = e.id;
        events.push_back(std::move(e));
      }
      AppendOk(stream, std::move(events));
    }
    head_ = store_->Head();
    store_.reset();
    RawDb db(dir_.path());
    ASSERT_TRUE(db.ok());
    for (ColumnFamily which : kFlippable) {
      entries_[static_cast<int>(which)] = db.All(which);
    }
  }

  const std::map<std::string, std::string>& Entries(ColumnFamily which) {
    return entries_[static_cast<int>(which)];
  }
  std::optional<std::string> Pristine(ColumnFamily which,
                                      const std::string& key) {
    auto it = Entries(which).find(key);
    if (it == Entries(which).end()) return std::nullopt;
    return it->second;
  }
  // The position of the last event of a stream, from the pristine index.
  Position LastPosition(const std::string& stream) {
    std::optional<std::string> last = Pristine(ColumnFamily::kStreams, stream);
    if (!last.has_value()) return 0;
    std::optional<std::string> at =
        Pristine(ColumnFamily::kStreamIndex,
                 StreamIndexKey(stream, GetFixed64BE(last->data())));
    return at.has_value() ? GetFixed64BE(at->data()) : 0;
  }

  // Describes the flip of byte `byte` of the key or value of the entry at
  // `key` by XOR with `mask`, with the positions an error may name.
  Flip MakeFlip(ColumnFamily which, const std::string& key, bool in_key,
                size_t byte, uint8_t mask) {
    Flip f;
    f.cf = which;
    f.in_key = in_key;
    f.key = key;
    f.value = *Pristine(which, key);
    f.new_key = key;
    f.new_value = f.value;
    std::string& target = in_key ? f.new_key : f.new_value;
    target[byte] = static_cast<char>(target[byte] ^ mask);
    if (in_key) f.overwritten = Pristine(which, f.new_key);
    // What each entry is about: a record's position, or a stream's last.
    auto about = [&](const std::string& k,
                     const std::string& v) -> std::optional<Position> {
      switch (which) {
        case ColumnFamily::kLog:
          return k.size() == 8 ? GetFixed64BE(k.data()) : 0;
        case ColumnFamily::kStreams:
          return LastPosition(k);
        default:
          return v.size() == 8 ? GetFixed64BE(v.data()) : 0;
      }
    };
    f.primary = *about(f.key, f.value);
    f.positions.insert(f.primary);
    // The entry as it now stands may name its new position too, and an
    // entry it overwrote the position that one was about.
    f.positions.insert(*about(f.new_key, f.new_value));
    if (f.overwritten.has_value()) {
      f.positions.insert(*about(f.new_key, *f.overwritten));
    }
    f.positions.erase(0);
    f.description = absl::StrCat(
        ColumnFamilyName(which), " ", in_key ? "key" : "value", " of entry ",
        absl::BytesToHexString(key), ": byte ", byte, " ^= 0x", absl::Hex(mask),
        f.overwritten.has_value() ? " (collides)" : "", "; may name positions ",
        absl::StrJoin(f.positions, ","));
    return f;
  }

  void Apply(RawDb& db, const Flip& f) {
    if (f.in_key) db.Delete(f.cf, f.key);
    db.Put(f.cf, f.new_key, f.new_value);
  }
  void Undo(RawDb& db, const Flip& f) {
    if (f.in_key) {
      if (f.overwritten.has_value()) {
        db.Put(f.cf, f.new_key, *f.overwritten);
      } else {
        db.Delete(f.cf, f.new_key);
      }
    }
    db.Put(f.cf, f.key, f.value);
  }

  // With `f` applied: every way of verifying must find it and name one of
  // its positions.
  void ExpectDetected(const Flip& f, bool open_verified) {
    SCOPED_TRACE(f.description);
    RocksEventStore::Options options = options_;
    options.verify_on_open = false;
    {
      absl::StatusOr<std::unique_ptr<RocksEventStore>> store = TryOpen(options);
      if (!store.ok()) {
        // Only a damaged last record is found before verifying.
        EXPECT_EQ(store.status().code(), absl::StatusCode::kDataLoss)
            << store.status();
        EXPECT_TRUE(NamesPosition(store.status().message(), f.positions))
            << store.status();
      } else {
        absl::StatusOr<VerifyResult> whole = (*store)->Verify(0, 0);
        ASSERT_TRUE(whole.ok()) << whole.status();
        EXPECT_FALSE(whole->ok)
            << "undetected; head hash " << HashToHex(whole->head_hash);
        EXPECT_THAT(f.positions, ::testing::Contains(whole->first_bad))
            << whole->problem;
        EXPECT_FALSE(whole->problem.empty());
        if (f.cf != ColumnFamily::kLog) {
          EXPECT_THAT(whole->problem,
                      ::testing::HasSubstr(ColumnFamilyName(f.cf)))
              << "first_bad " << whole->first_bad;
        }
        const Position head = (*store)->Head().position;
        if (f.primary >= 1 && f.primary <= head) {
          absl::StatusOr<VerifyResult> one =
              (*store)->Verify(f.primary, f.primary);
          ASSERT_TRUE(one.ok()) << one.status();
          EXPECT_FALSE(one->ok) << "undetected by Verify(" << f.primary << ", "
                                << f.primary << ")";
          EXPECT_EQ(one->first_bad, f.primary) << one->problem;
        }
      }
    }
    if (!open_verified) return;
    options.verify_on_open = true;
    absl::StatusOr<std::unique_ptr<RocksEventStore>> verified =
        TryOpen(options);
    ASSERT_FALSE(verified.ok()) << "opened with verify_on_open";
    EXPECT_EQ(verified.status().code(), absl::StatusCode::kDataLoss)
        << verified.status();
    EXPECT_TRUE(NamesPosition(verified.status().message(), f.positions))
        << verified.status();
  }

  // The store as built: verifies on open, with its original head.
  void ExpectPristine() {
    RocksEventStore::Options options = options_;
    options.verify_on_open = true;
    absl::StatusOr<std::unique_ptr<RocksEventStore>> store = TryOpen(options);
    ASSERT_TRUE(store.ok()) << store.status();
    EXPECT_EQ((*store)->Head().position, head_.position);
    absl::StatusOr<VerifyResult> v = (*store)->Verify(0, 0);
    ASSERT_TRUE(v.ok()) << v.status();
    EXPECT_TRUE(v->ok) << v->first_bad << ": " << v->problem;
    EXPECT_EQ(HashToHex(v->head_hash), HashToHex(head_.hash));
  }

  // Applies each flip, checks it is detected, and undoes it (in the same
  // RocksDB session as the next flip, as opening RocksDB is what costs).
  // Opening with verify_on_open runs the same Verify as the whole-log
  // check, so it is tried on every `open_verified_every`th flip only.
  void Sweep(const std::vector<Flip>& flips, size_t open_verified_every = 1) {
    const Flip* pending = nullptr;
    auto undo_pending = [&] {
      if (pending == nullptr) return;
      RawDb db(dir_.path());
      ASSERT_TRUE(db.ok());
      Undo(db, *pending);
      pending = nullptr;
    };
    for (size_t i = 0; i < flips.size(); ++i) {
      SCOPED_TRACE(absl::StrCat("flip ", i));
      {
        RawDb db(dir_.path());
        ASSERT_TRUE(db.ok());
        if (pending != nullptr) Undo(db, *pending);
        Apply(db, flips[i]);
        pending = &flips[i];
      }
      ExpectDetected(flips[i], i % open_verified_every == 0);
      if (i % 50 == 49) {
        undo_pending();
        ExpectPristine();
      }
      if (::testing::Test::HasFatalFailure()) return;
    }
    undo_pending();
    ExpectPristine();
  }

  ChainHead head_;
  std::map<std::string, std::string> entries_[kNumColumnFamilies];
};

TEST_F(TamperSweepTest, EveryRandomSingleByteFlipIsDetectedNamingItsPosition) {
  const uint64_t count = EnvOr("OVERSIGHT_TAMPER_FLIPS", 200);
  const uint64_t seed = EnvOr("OVERSIGHT_TAMPER_SEED", 20250108);
  std::printf(
      "tamper sweep: %llu flips, seed %llu (OVERSIGHT_TAMPER_FLIPS, "
      "OVERSIGHT_TAMPER_SEED)\n",
      static_cast<unsigned long long>(count),
      static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  std::vector<Flip> flips;
  std::map<std::string, int> kinds;
  for (uint64_t i = 0; i < count; ++i) {
    // A column family, then key or value, then an entry, a byte and a
    // non-zero mask, each uniformly.
    const ColumnFamily which = kFlippable[rng() % 4];
    const bool in_key = rng() % 2 == 0;
    const std::map<std::string, std::string>& entries = Entries(which);
    auto it = entries.begin();
    std::advance(it, rng() % entries.size());
    const std::string& target = in_key ? it->first : it->second;
    const size_t byte = rng() % target.size();
    const uint8_t mask = static_cast<uint8_t>(1 + rng() % 255);
    flips.push_back(MakeFlip(which, it->first, in_key, byte, mask));
    ++kinds[absl::StrCat(ColumnFamilyName(which), in_key ? " key" : " value",
                         flips.back().overwritten ? " (collides)" : "")];
  }
  for (const auto& [kind, n] : kinds) {
    std::printf("  %3d flips of %s\n", n, kind.c_str());
  }
  if (count >= 100) {
    for (ColumnFamily which : kFlippable) {
      for (const char* part : {" key", " value"}) {
        EXPECT_GT(kinds[absl::StrCat(ColumnFamilyName(which), part)], 0)
            << ColumnFamilyName(which) << part << " never flipped";
      }
    }
  }
  Sweep(flips, /*open_verified_every=*/4);
}

// Flips chosen to land on another entry's key, or to make a key
// undecodable: each must be found, not crash or pass.
TEST_F(TamperSweepTest, CollidingAndUndecodableKeysAreDetected) {
  std::vector<Flip> flips;
  // log: position 6 becomes position 7, overwriting it.
  flips.push_back(MakeFlip(ColumnFamily::kLog, LogKey(6), true, 7, 0x01));
  // log: the last record moves far past the head.
  flips.push_back(
      MakeFlip(ColumnFamily::kLog, LogKey(head_.position), true, 0, 0x80));
  // streams: "stream-1" becomes "stream-0" (collides) and "stream-1" +
  // 0x80 (a stream with no events).
  flips.push_back(MakeFlip(ColumnFamily::kStreams, "stream-1", true, 7, 0x01));
  flips.push_back(MakeFlip(ColumnFamily::kStreams, "stream-1", true, 7, 0x80));
  // stream_index: stream-2 revision 1 becomes stream-3 revision 1
  // (collides), revision 0 (collides), and loses its 0x00 separator.
  const std::string key = StreamIndexKey("stream-2", 1);
  flips.push_back(MakeFlip(ColumnFamily::kStreamIndex, key, true, 7, 0x01));
  flips.push_back(MakeFlip(ColumnFamily::kStreamIndex, key, true, 16, 0x01));
  flips.push_back(MakeFlip(ColumnFamily::kStreamIndex, key, true, 8, 0x41));
  // event_ids: an id one byte away from another lands on it.
  int collisions = 0;
  for (const auto& [id, value] : Entries(ColumnFamily::kEventIds)) {
    std::string other = id;
    other[15] ^= 0x01;
    if (Pristine(ColumnFamily::kEventIds, other).has_value()) {
      flips.push_back(MakeFlip(ColumnFamily::kEventIds, id, true, 15, 0x01));
      if (++collisions == 3) break;
    }
  }
  ASSERT_EQ(collisions, 3);
  EXPECT_TRUE(flips[0].overwritten.has_value());
  EXPECT_TRUE(flips[2].overwritten.has_value());
  EXPECT_FALSE(flips[3].overwritten.has_value());
  EXPECT_TRUE(flips[4].overwritten.has_value());
  EXPECT_TRUE(flips[5].overwritten.has_value());
  EXPECT_TRUE(flips.back().overwritten.has_value());
  Sweep(flips);
}

}  // namespace
}  // namespace oversight::eventstore
