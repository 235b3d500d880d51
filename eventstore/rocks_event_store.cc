// RocksEventStore: opening, verifying and closing. Reads are in
// rocks_reads.cc, the write path (group commit) in group_commit.cc.

#include "eventstore/rocks_event_store.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>

#include "absl/strings/str_cat.h"
#include "eventstore/errors.h"
#include "eventstore/index_check.h"
#include "eventstore/limits.h"
#include "eventstore/rocks_layout.h"
#include "eventstore/rocks_status.h"
#include "rocksdb/convenience.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/memtablerep.h"
#include "rocksdb/options.h"
#include "rocksdb/slice_transform.h"
#include "rocksdb/table.h"

namespace oversight::eventstore {
RocksEventStore::RocksEventStore(const std::string& dir, const Options& options)
    : dir_(dir), options_(options) {}

absl::StatusOr<std::unique_ptr<RocksEventStore>> RocksEventStore::Open(
    const std::string& dir, const Options& options) {
  std::unique_ptr<RocksEventStore> store(new RocksEventStore(dir, options));
  if (absl::Status s = store->OpenDb(); !s.ok()) return s;
  if (absl::Status s = store->LoadHead(); !s.ok()) return s;
  const Position head = store->Head().position;
  if (options.verify_on_open && head > 0) {
    absl::StatusOr<VerifyResult> v = store->Verify(1, head);
    if (!v.ok()) return v.status();
    if (!v->ok) {
      return WithReason(
          absl::DataLossError(absl::StrCat("event log in ", dir,
                                           " fails verification at position ",
                                           v->first_bad, ": ", v->problem)),
          kReasonChainBroken);
    }
  }
  store->hub_ = std::make_shared<LiveHub>(head);
  store->writer_ = std::thread([s = store.get()] { s->WriterLoop(); });
  return store;
}

// Event ids are random 16-byte keys, only ever looked up whole. In a skip
// list each insert walks a dozen or more cache-missing levels (the keys of
// the other column families arrive in order); with the stream index it
// doubled the cost of a write. A hash table of short sorted lists, keyed
// by the whole id, inserts and finds in one or two steps
// (docs/benchmarks.md, "The event-id memtable"). Scans of this column
// family (verification) must set ReadOptions::total_order_seek. Buckets:
// one per 256 bytes of memtable, so a full one averages about five
// entries a bucket.
void UseEventIdMemtable(rocksdb::ColumnFamilyOptions* options) {
  options->prefix_extractor.reset(
      rocksdb::NewFixedPrefixTransform(kEventIdKeySize));
  options->memtable_factory.reset(
      rocksdb::NewHashLinkListRepFactory(std::clamp<size_t>(
          options->write_buffer_size / 256, 1024, size_t{1} << 20)));
}

namespace {

// RocksDB's options for the store: `env` is the Env to use, or null.
void DbOptions(const RocksEventStore::Options& options, rocksdb::Env* env,
               rocksdb::DBOptions* db_options,
               std::vector<rocksdb::ColumnFamilyDescriptor>* descriptors) {
  db_options->create_if_missing = options.create_if_missing;
  db_options->create_missing_column_families = options.create_if_missing;
  db_options->max_background_jobs = 2;
  db_options->keep_log_file_num = 5;
  if (env != nullptr) db_options->env = env;
  // After a failed write the writer reopens the database itself
  // (ReopenDb); RocksDB's own retries in the background would only race
  // with that, and make closing wait for them.
  db_options->max_bgerror_resume_count = 0;
  // The event-id index keeps its memtable in a hash table (below), which
  // takes inserts from one thread at a time. All appends come from the
  // writer thread; the few other writes (snapshots, the format tag) are
  // queued behind its groups by RocksDB as before.
  db_options->allow_concurrent_memtable_write = false;

  const std::vector<rocksdb::CompressionType> supported =
      rocksdb::GetSupportedCompressions();
  const bool lz4 = std::find(supported.begin(), supported.end(),
                             rocksdb::kLZ4Compression) != supported.end();
  for (absl::string_view name : kColumnFamilyNames) {
    rocksdb::ColumnFamilyOptions cf_options;
    cf_options.write_buffer_size = options.write_buffer_size;
    rocksdb::BlockBasedTableOptions table;
    // Point look-ups of event ids and stream heads are mostly for keys
    // that exist only in the memtable or not at all: bloom filters keep
    // those from touching data blocks.
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    if (name == ColumnFamilyName(ColumnFamily::kLog)) {
      // A rebuild of the read models reads the whole log in order: larger
      // blocks mean fewer block reads, checksums and cache look-ups per
      // event (docs/benchmarks.md).
      table.block_size = 16 << 10;
    }
    cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    // LZ4 decompresses about twice as fast as snappy, RocksDB's default,
    // for a similar size; files written with snappy stay readable.
    if (lz4) cf_options.compression = rocksdb::kLZ4Compression;
    // The writer looks up every new event id before appending it, and
    // almost all are absent: a memtable bloom filter answers those without
    // a skip-list search.
    cf_options.memtable_whole_key_filtering = true;
    cf_options.memtable_prefix_bloom_size_ratio = 0.05;
    if (name == ColumnFamilyName(ColumnFamily::kEventIds)) {
      UseEventIdMemtable(&cf_options);
    }
    descriptors->emplace_back(std::string(name), cf_options);
  }
}

}  // namespace

absl::Status RocksEventStore::OpenDb() {
  if (options_.file_system != nullptr && composite_env_ == nullptr) {
    composite_env_ = rocksdb::NewCompositeEnv(options_.file_system);
  }
  rocksdb::DBOptions db_options;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  DbOptions(options_,
            composite_env_ != nullptr ? composite_env_.get() : options_.env,
            &db_options, &descriptors);
  handles_.clear();  // A failed open may have left some.
  rocksdb::Status s =
      rocksdb::DB::Open(db_options, dir_, descriptors, &handles_, &db_);
  if (!s.ok()) return FromRocks(s, absl::StrCat("opening ", dir_));

  std::string tag;
  s = db_->Get(rocksdb::ReadOptions(), cf(ColumnFamily::kDefault),
               std::string(kFormatKey), &tag);
  if (s.IsNotFound()) {
    rocksdb::WriteOptions w;
    w.sync = true;
    s = db_->Put(w, cf(ColumnFamily::kDefault), std::string(kFormatKey),
                 std::string(kFormatTag));
    return FromRocks(s, "writing format tag");
  }
  if (!s.ok()) return FromRocks(s, "reading format tag");
  if (tag != kFormatTag) {
    return absl::FailedPreconditionError(absl::StrCat(
        dir_, " holds format \"", tag, "\", expected \"", kFormatTag, "\""));
  }
  return absl::OkStatus();
}

absl::Status RocksEventStore::LoadHead() {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), cf(ColumnFamily::kLog)));
  it->SeekToLast();
  ChainHead head;
  if (it->Valid()) {
    absl::StatusOr<RecordedEvent> last = DecodeStoredValue(
        absl::string_view(it->value().data(), it->value().size()));
    if (!last.ok()) {
      // Name the position, as verification would.
      const Position p =
          it->key().size() == 8 ? GetFixed64BE(it->key().data()) : 0;
      return WithReason(absl::DataLossError(absl::StrCat(
                            "event log in ", dir_,
                            " has an unreadable last record at position ", p,
                            ": ", last.status().message())),
                        kReasonRecordCorrupt);
    }
    if (it->key().size() != 8 ||
        GetFixed64BE(it->key().data()) != last->position) {
      const std::string key = it->key().size() == 8
                                  ? absl::StrCat(GetFixed64BE(it->key().data()))
                                  : absl::StrCat(it->key().size(), "-byte key");
      return WithReason(
          absl::DataLossError(absl::StrCat(
              "event log in ", dir_, " has a last record at position ", key,
              " that claims position ", last->position)),
          kReasonRecordCorrupt);
    }
    head.position = last->position;
    head.hash = last->hash;
    head.recorded_at = last->recorded_at;
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading head");
  absl::MutexLock lock(&head_mu_);
  head_ = head;
  visible_head_.store(head.position);
  return absl::OkStatus();
}

absl::Status RocksEventStore::OpenDbReadOnly() {
  rocksdb::DBOptions db_options;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  DbOptions(options_,
            composite_env_ != nullptr ? composite_env_.get() : options_.env,
            &db_options, &descriptors);
  handles_.clear();
  rocksdb::Status s = rocksdb::DB::OpenForReadOnly(
      db_options, dir_, descriptors, &handles_, &db_);
  return FromRocks(s, absl::StrCat("opening ", dir_, " read-only"));
}

absl::Status RocksEventStore::ReopenDb() {
  const ChainHead before = Head();
  {
    absl::MutexLock lock(&db_mu_);
    CloseDb();
    if (absl::Status s = OpenDb(); !s.ok()) {
      // Still failing (a full disk): keep serving reads from a read-only
      // open, and try again before the next write.
      CloseDb();
      OpenDbReadOnly().IgnoreError();
      return s;
    }
    if (absl::Status s = LoadHead(); !s.ok()) return s;
  }
  needs_reopen_ = false;
  revision_cache_.clear();
  // The failed write may have reached the WAL whole, and then the reopen
  // has just recovered it: those records are stored now, though their
  // callers were told UNAVAILABLE (a retry with the same event ids
  // returns them). Hand them to live subscribers like any commit.
  const Position head = Head().position;
  if (head <= before.position) return absl::OkStatus();
  CommittedGroup recovered;
  for (Position p = before.position + 1; p <= head; ++p) {
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(ColumnFamily::kLog),
                                 LogKey(p), &value);
    if (!s.ok()) return FromRocks(s, "reading a recovered record");
    absl::StatusOr<RecordedEvent> e = DecodeStoredValue(value);
    if (!e.ok()) return e.status();
    recovered.events.push_back(
        std::make_shared<const RecordedEvent>(*std::move(e)));
  }
  recovered.last_position = head;
  stat_events_.fetch_add(recovered.events.size(), std::memory_order_relaxed);
  hub_->Publish(recovered);
  return absl::OkStatus();
}

void RocksEventStore::CloseDb() {
  if (db_ == nullptr) return;
  for (rocksdb::ColumnFamilyHandle* h : handles_) {
    db_->DestroyColumnFamilyHandle(h);
  }
  handles_.clear();
  db_->Close().PermitUncheckedError();
  delete db_;
  db_ = nullptr;
}

RocksEventStore::~RocksEventStore() { Close(); }

void RocksEventStore::Close() {
  {
    absl::MutexLock lock(&close_mu_);
    if (closed_) return;
    closed_ = true;
  }
  {
    absl::MutexLock lock(&queue_mu_);
    closing_ = true;
  }
  if (writer_.joinable()) writer_.join();
  if (hub_) hub_->Close();
  absl::MutexLock lock(&db_mu_);
  CloseDb();
}

rocksdb::ColumnFamilyHandle* RocksEventStore::cf(ColumnFamily which) const {
  return handles_[static_cast<int>(which)];
}

ChainHead RocksEventStore::Head() const {
  absl::MutexLock lock(&head_mu_);
  return head_;
}

RocksEventStore::Stats RocksEventStore::stats() const {
  return Stats{stat_groups_.load(), stat_events_.load(), stat_appends_.load()};
}

absl::StatusOr<VerifyResult> RocksEventStore::Verify(Position from,
                                                     Position to) {
  absl::ReaderMutexLock db_lock(&db_mu_);
  if (db_ == nullptr) return StoreClosedError();
  const Position head = visible_head_.load(std::memory_order_acquire);
  if (from == 0) from = 1;
  if (to == 0) to = head;
  VerifyResult result;
  result.from = from;
  result.to = to;
  if (head == 0 && from == 1 && to == 0) return result;  // Empty log.
  if (from > to || to > head) {
    return WithReason(absl::InvalidArgumentError(
                          absl::StrCat("cannot verify positions ", from, " to ",
                                       to, "; the head is ", head)),
                      kReasonInvalidRange);
  }
  Hash previous = kGenesisHash;
  // One snapshot for the log and the indexes, taken after reading the
  // head, so every record up to `to` is in it and appends meanwhile are not.
  std::unique_ptr<const rocksdb::Snapshot,
                  std::function<void(const rocksdb::Snapshot*)>>
      snapshot(db_->GetSnapshot(), [db = db_](const rocksdb::Snapshot* s) {
        db->ReleaseSnapshot(s);
      });
  rocksdb::ReadOptions ro;
  ro.readahead_size = 2 << 20;
  ro.verify_checksums = true;
  ro.snapshot = snapshot.get();
  // The last position in the snapshot: index entries may point up to it.
  Position last = to;
  {
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(ro, cf(ColumnFamily::kLog)));
    it->SeekToLast();
    if (it->Valid() && it->key().size() == 8) {
      last = std::max(last, GetFixed64BE(it->key().data()));
    }
  }
  internal::IndexCheck index_check(
      db_,
      {cf(ColumnFamily::kLog), cf(ColumnFamily::kStreams),
       cf(ColumnFamily::kStreamIndex), cf(ColumnFamily::kEventIds)},
      snapshot.get(), from, to, last);
  if (from > 1) {
    std::string value;
    rocksdb::Status s =
        db_->Get(ro, cf(ColumnFamily::kLog), LogKey(from - 1), &value);
    if (!s.ok() && !s.IsNotFound() && !s.IsCorruption()) {
      return FromRocks(s, "reading the record before the range");
    }
    if (!s.ok() || value.size() < kHashSize) {
      result.ok = false;
      result.first_bad = from - 1;
      result.problem = "record missing or unreadable";
      return result;
    }
    std::memcpy(previous.data(), value.data(), kHashSize);
  }
  const std::string upper = LogKey(to + 1);
  rocksdb::Slice upper_slice(upper);
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(ro, cf(ColumnFamily::kLog)));
  Position expected = from;
  auto fail = [&](Position p, std::string problem) {
    result.ok = false;
    result.first_bad = p;
    result.problem = std::move(problem);
    return result;
  };
  for (it->Seek(LogKey(from)); it->Valid(); it->Next()) {
    if (it->key().size() != 8) return fail(expected, "malformed log key");
    const Position p = GetFixed64BE(it->key().data());
    if (p != expected) return fail(expected, "record missing");
    absl::string_view value(it->value().data(), it->value().size());
    if (value.size() < kHashSize + kRecordMinSize) {
      return fail(p, "record truncated");
    }
    absl::string_view record = value.substr(kHashSize);
    const Hash computed = ChainHash(previous, record);
    if (std::memcmp(computed.data(), value.data(), kHashSize) != 0) {
      Hash stored;
      std::memcpy(stored.data(), value.data(), kHashSize);
      return fail(
          p, absl::StrCat("chain hash mismatch: stored ", HashToHex(stored),
                          ", computed ", HashToHex(computed)));
    }
    absl::StatusOr<RecordedEvent> decoded = DecodeRecord(record);
    if (!decoded.ok()) return fail(p, std::string(decoded.status().message()));
    if (decoded->position != p) {
      return fail(p,
                  absl::StrCat("record claims position ", decoded->position));
    }
    if (absl::Status s = index_check.AddRecord(*decoded); !s.ok()) return s;
    previous = computed;
    ++expected;
  }
  if (!it->status().ok()) {
    if (it->status().IsCorruption()) {
      return fail(expected, it->status().ToString());
    }
    return FromRocks(it->status(), "verifying log");
  }
  if (expected != to + 1) return fail(expected, "record missing");
  // The chain holds: now the indexes, against the records just read.
  absl::StatusOr<std::optional<internal::IndexProblem>> index_problem =
      index_check.Finish();
  if (!index_problem.ok()) return index_problem.status();
  if (index_problem->has_value()) {
    return fail((*index_problem)->position,
                std::move((*index_problem)->problem));
  }
  result.head_hash = previous;
  return result;
}

std::unique_ptr<Subscription> RocksEventStore::Subscribe(Position from,
                                                         EventFilter filter) {
  return std::make_unique<Subscription>(this, hub_, from, std::move(filter),
                                        options_.subscriber_max_buffered);
}

}  // namespace oversight::eventstore
