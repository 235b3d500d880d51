#include "bench/raw_rocks.h"

#include "absl/strings/str_cat.h"
#include "bench/harness.h"
#include "eventstore/record_format.h"
#include "eventstore/rocks_layout.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/iterator.h"
#include "rocksdb/options.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"

namespace oversight::bench {

namespace es = ::oversight::eventstore;

namespace {
constexpr int kDistinctValues = 64;
}  // namespace

absl::StatusOr<RawShape> ParseRawShape(const std::string& name) {
  if (name == "oversight") return RawShape::kOversight;
  if (name == "single_put") return RawShape::kSinglePut;
  return absl::InvalidArgumentError(
      absl::StrCat("--raw_shape must be oversight or single_put, got ", name));
}

const char* RawShapeName(RawShape shape) {
  return shape == RawShape::kOversight ? "oversight" : "single_put";
}

size_t RecordValueBytes(size_t data_bytes, const std::string& stream,
                        const std::string& type) {
  es::RecordedEvent e;
  e.position = 1;
  e.stream = stream;
  e.type = type;
  e.data.assign(data_bytes, 'x');
  std::string record;
  es::EncodeRecord(e, &record);
  return es::kHashSize + record.size();
}

RawStore::RawStore(RawShape shape, size_t value_bytes) : shape_(shape) {
  for (int i = 0; i < kDistinctValues; ++i) {
    values_.push_back(RandomBytes(value_bytes, 1000 + i));
  }
}

absl::StatusOr<std::unique_ptr<RawStore>> RawStore::Open(const std::string& dir,
                                                         RawShape shape,
                                                         size_t value_bytes) {
  std::unique_ptr<RawStore> store(new RawStore(shape, value_bytes));
  // Mirrors RocksEventStore::OpenDb (eventstore/rocks_event_store.cc).
  rocksdb::Options options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.max_background_jobs = 2;
  options.keep_log_file_num = 5;
  options.allow_concurrent_memtable_write = false;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (absl::string_view name : es::kColumnFamilyNames) {
    rocksdb::ColumnFamilyOptions cf_options;
    cf_options.write_buffer_size = size_t{64} << 20;
    rocksdb::BlockBasedTableOptions table;
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    if (name == es::ColumnFamilyName(es::ColumnFamily::kEventIds)) {
      es::UseEventIdMemtable(&cf_options);  // As the store does.
    }
    descriptors.emplace_back(std::string(name), cf_options);
  }
  rocksdb::Status s = rocksdb::DB::Open(options, dir, descriptors,
                                        &store->handles_, &store->db_);
  if (!s.ok()) {
    return absl::UnavailableError(
        absl::StrCat("opening RocksDB in ", dir, ": ", s.ToString()));
  }
  return store;
}

RawStore::~RawStore() {
  if (db_ == nullptr) return;
  for (rocksdb::ColumnFamilyHandle* h : handles_) {
    db_->DestroyColumnFamilyHandle(h);
  }
  db_->Close().PermitUncheckedError();
  delete db_;
}

RawStore::Writer RawStore::NewWriter(const std::string& stream, uint64_t seed) {
  return Writer(this, stream, seed);
}

RawStore::Writer::Writer(RawStore* store, std::string stream, uint64_t seed)
    : store_(store), stream_(std::move(stream)), rng_(seed) {}

absl::Status RawStore::Writer::Write(int events) {
  auto cf = [this](es::ColumnFamily which) {
    return store_->handles_[static_cast<int>(which)];
  };
  rocksdb::WriteBatch batch;
  const uint64_t first = store_->next_position_.fetch_add(events);
  for (int i = 0; i < events; ++i) {
    const uint64_t position = first + i;
    const std::string& value = store_->values_[rng_() % store_->values_.size()];
    batch.Put(cf(es::ColumnFamily::kLog), es::LogKey(position), value);
    if (store_->shape_ == RawShape::kOversight) {
      batch.Put(cf(es::ColumnFamily::kStreamIndex),
                es::StreamIndexKey(stream_, revision_),
                es::Fixed64Value(position));
      uint64_t id[2] = {rng_(), rng_()};
      batch.Put(cf(es::ColumnFamily::kEventIds),
                rocksdb::Slice(reinterpret_cast<const char*>(id), 16),
                es::Fixed64Value(position));
    }
    ++revision_;
  }
  if (store_->shape_ == RawShape::kOversight) {
    batch.Put(cf(es::ColumnFamily::kStreams), stream_,
              es::Fixed64Value(revision_ - 1));
  }
  rocksdb::WriteOptions wo;
  wo.sync = true;
  rocksdb::Status s = store_->db_->Write(wo, &batch);
  if (!s.ok()) return absl::UnavailableError(s.ToString());
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> RawStore::ScanLog(uint64_t* bytes) {
  rocksdb::ReadOptions ro;
  ro.readahead_size = 4 << 20;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(ro, handles_[static_cast<int>(es::ColumnFamily::kLog)]));
  uint64_t count = 0, total = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ++count;
    total += it->value().size();
  }
  if (!it->status().ok())
    return absl::UnavailableError(it->status().ToString());
  if (bytes != nullptr) *bytes = total;
  return count;
}

}  // namespace oversight::bench
