// RocksEventStore's reads: one stream through its index, or the whole log
// in position order. Both show only acknowledged events and stop a page at
// kMaxReadBytes as well as at the count asked for.

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "eventstore/errors.h"
#include "eventstore/limits.h"
#include "eventstore/rocks_event_store.h"
#include "eventstore/rocks_layout.h"
#include "eventstore/rocks_status.h"
#include "rocksdb/db.h"

namespace oversight::eventstore {
namespace {

size_t ClampCount(size_t max_count) {
  if (max_count == 0) return kDefaultReadCount;
  return std::min(max_count, kMaxReadCount);
}

}  // namespace

absl::StatusOr<ReadResult> RocksEventStore::ReadStream(absl::string_view stream,
                                                       Revision from,
                                                       Direction direction,
                                                       size_t max_count) {
  if (absl::Status s = ValidateStreamName(stream); !s.ok()) return s;
  max_count = ClampCount(max_count);
  absl::ReaderMutexLock db_lock(&db_mu_);
  if (db_ == nullptr) return StoreClosedError();
  // Read before the snapshot: everything up to `head` is in it. Index
  // entries past `head` belong to a commit whose appenders have not been
  // answered yet, and are not shown.
  const Position head = visible_head_.load(std::memory_order_acquire);
  rocksdb::ReadOptions ro;
  // One snapshot so the stream head and the index agree.
  const rocksdb::Snapshot* snapshot = db_->GetSnapshot();
  ro.snapshot = snapshot;
  struct Release {
    rocksdb::DB* db;
    const rocksdb::Snapshot* s;
    ~Release() { db->ReleaseSnapshot(s); }
  } release{db_, snapshot};

  std::string last_value;
  rocksdb::Status s =
      db_->Get(ro, cf(ColumnFamily::kStreams),
               rocksdb::Slice(stream.data(), stream.size()), &last_value);
  if (s.IsNotFound()) {
    return WithReason(absl::NotFoundError(absl::StrCat("stream \"", stream,
                                                       "\" does not exist")),
                      kReasonStreamNotFound);
  }
  if (!s.ok()) return FromRocks(s, "reading stream head");
  const Revision last = GetFixed64BE(last_value.data());

  ReadResult result;
  std::vector<Position> positions;
  const std::string prefix = StreamIndexPrefix(stream);
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(ro, cf(ColumnFamily::kStreamIndex)));
  Revision start = from;
  if (direction == Direction::kForwards) {
    if (from > last) {
      result.end_reached = true;
      result.next = last + 1;
      return result;
    }
    it->Seek(StreamIndexKey(stream, start));
  } else {
    start = std::min(from, last);
    it->SeekForPrev(StreamIndexKey(stream, start));
  }
  Revision next_revision = start;
  std::vector<Revision> revisions;
  bool reached_unacknowledged = false;
  for (; it->Valid() && positions.size() < max_count;
       direction == Direction::kForwards ? it->Next() : it->Prev()) {
    rocksdb::Slice key = it->key();
    if (key.size() != prefix.size() + 8 ||
        std::memcmp(key.data(), prefix.data(), prefix.size()) != 0) {
      break;
    }
    if (it->value().size() != 8) {
      return WithReason(
          absl::DataLossError(absl::StrCat("stream \"", stream,
                                           "\" has a malformed index "
                                           "entry")),
          kReasonRecordCorrupt);
    }
    const Position p = GetFixed64BE(it->value().data());
    const Revision rev = GetFixed64BE(key.data() + prefix.size());
    if (p > head) {
      // A stream's positions grow with its revisions: forwards, nothing
      // after this is acknowledged either; backwards, skip to older ones.
      if (direction == Direction::kForwards) {
        reached_unacknowledged = true;
        break;
      }
      continue;
    }
    positions.push_back(p);
    revisions.push_back(rev);
    next_revision = rev;
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading stream");

  size_t bytes = 0;
  for (size_t i = 0; i < positions.size(); ++i) {
    const Position p = positions[i];
    std::string value;
    s = db_->Get(ro, cf(ColumnFamily::kLog), LogKey(p), &value);
    if (!s.ok() && !s.IsNotFound()) return FromRocks(s, "reading stream");
    if (!s.ok()) {
      return WithReason(absl::DataLossError(absl::StrCat(
                            "stream \"", stream, "\" indexes position ", p,
                            " which cannot be read: ", s.ToString())),
                        kReasonRecordCorrupt);
    }
    absl::StatusOr<RecordedEvent> e = DecodeStoredValue(value);
    if (!e.ok()) return e.status();
    // The index is not covered by the hash chain: never return a record
    // other than the one it claims to point at.
    if (e->stream != stream || e->revision != revisions[i] ||
        e->position != p) {
      return WithReason(
          absl::DataLossError(absl::StrCat(
              "stream \"", stream, "\" revision ", revisions[i],
              " is indexed at position ", p, ", which holds stream \"",
              e->stream, "\" revision ", e->revision)),
          kReasonRecordCorrupt);
    }
    if (!result.events.empty() && bytes + value.size() > kMaxReadBytes) {
      // The page is full in bytes: continue from this revision.
      result.end_reached = false;
      result.next = revisions[i];
      return result;
    }
    bytes += value.size();
    result.events.push_back(*std::move(e));
  }
  if (direction == Direction::kForwards) {
    result.end_reached =
        positions.empty() || reached_unacknowledged || next_revision >= last;
    result.next = positions.empty() ? start : next_revision + 1;
  } else {
    result.end_reached = positions.empty() || next_revision == 0;
    result.next = next_revision == 0 ? 0 : next_revision - 1;
  }
  return result;
}

absl::StatusOr<ReadResult> RocksEventStore::ReadAll(Position from,
                                                    Direction direction,
                                                    size_t max_count,
                                                    const EventFilter& filter) {
  max_count = ClampCount(max_count);
  if (absl::Status s = ValidateFilter(filter); !s.ok()) return s;
  absl::ReaderMutexLock db_lock(&db_mu_);
  if (db_ == nullptr) return StoreClosedError();
  // Never show more than has been acknowledged.
  const Position head = visible_head_.load(std::memory_order_acquire);
  ReadResult result;
  if (from == 0) from = 1;
  if (direction == Direction::kForwards && from > head) {
    result.end_reached = true;
    result.next = from;
    return result;
  }
  if (direction == Direction::kBackwards) from = std::min(from, head);
  if (direction == Direction::kBackwards && from == 0) {
    result.end_reached = true;
    return result;
  }
  rocksdb::ReadOptions ro;
  const std::string upper = LogKey(head + 1);
  rocksdb::Slice upper_slice(upper);
  ro.iterate_upper_bound = &upper_slice;
  if (!filter.Empty()) ro.readahead_size = 2 << 20;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(ro, cf(ColumnFamily::kLog)));
  it->Seek(LogKey(from));
  // Bound the work of one call: a selective filter over a long log returns
  // a short (or empty) page with `next` to continue from.
  const size_t max_scan = filter.Empty() ? max_count : max_count * 64 + 4096;
  size_t scanned = 0;
  size_t bytes = 0;
  Position expected = from;
  Position last_scanned = 0;
  for (; it->Valid() && result.events.size() < max_count && scanned < max_scan;
       direction == Direction::kForwards ? it->Next() : it->Prev()) {
    if (it->key().size() != 8) {
      return WithReason(absl::DataLossError(absl::StrCat(
                            "malformed log key after position ", last_scanned)),
                        kReasonRecordCorrupt);
    }
    const Position p = GetFixed64BE(it->key().data());
    if (p != expected) {
      return WithReason(
          absl::DataLossError(absl::StrCat("log has no record at position ",
                                           expected, " (found ", p, ")")),
          kReasonChainBroken);
    }
    absl::string_view value(it->value().data(), it->value().size());
    bool matches = true;
    if (!filter.Empty()) {
      if (value.size() < kHashSize) {
        return DecodeStoredValue(value).status();
      }
      auto peek = PeekStreamAndType(value.substr(kHashSize));
      if (!peek.ok()) return peek.status();
      matches = filter.Matches(peek->first, peek->second);
    }
    // The page is full in bytes: this record starts the next one.
    if (matches && !result.events.empty() &&
        bytes + value.size() > kMaxReadBytes) {
      break;
    }
    expected = direction == Direction::kForwards ? p + 1 : p - 1;
    last_scanned = p;
    ++scanned;
    if (!matches) continue;
    absl::StatusOr<RecordedEvent> e = DecodeStoredValue(value);
    if (!e.ok()) return e.status();
    bytes += value.size();
    result.events.push_back(*std::move(e));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading log");
  if (direction == Direction::kForwards) {
    result.next = scanned == 0 ? from : last_scanned + 1;
    result.end_reached = result.next > head;
  } else {
    result.next = scanned == 0 ? from : last_scanned - 1;
    result.end_reached = result.next == 0;
  }
  return result;
}

absl::StatusOr<Position> RocksEventStore::Scan(
    Position from,
    absl::FunctionRef<absl::Status(const RecordedEvent&)> visit) {
  absl::ReaderMutexLock db_lock(&db_mu_);
  if (db_ == nullptr) return StoreClosedError();
  if (from == 0) from = 1;
  const Position head = visible_head_.load(std::memory_order_acquire);
  if (from > head) return from - 1;
  rocksdb::ReadOptions ro;
  const std::string upper = LogKey(head + 1);
  rocksdb::Slice upper_slice(upper);
  ro.iterate_upper_bound = &upper_slice;
  ro.readahead_size = 4 << 20;
  // A long scan would only evict what readers keep warm.
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(ro, cf(ColumnFamily::kLog)));
  RecordedEvent event;
  Position expected = from;
  for (it->Seek(LogKey(from)); it->Valid(); it->Next()) {
    if (it->key().size() != 8) {
      return WithReason(absl::DataLossError(absl::StrCat(
                            "malformed log key after position ", expected - 1)),
                        kReasonRecordCorrupt);
    }
    const Position p = GetFixed64BE(it->key().data());
    if (p != expected) {
      return WithReason(
          absl::DataLossError(absl::StrCat("log has no record at position ",
                                           expected, " (found ", p, ")")),
          kReasonChainBroken);
    }
    if (absl::Status s = DecodeStoredValueInto(
            absl::string_view(it->value().data(), it->value().size()), &event);
        !s.ok()) {
      return s;
    }
    if (absl::Status s = visit(event); !s.ok()) return s;
    ++expected;
  }
  if (!it->status().ok()) return FromRocks(it->status(), "scanning the log");
  if (expected != head + 1) {
    return WithReason(absl::DataLossError(absl::StrCat(
                          "log has no record at position ", expected)),
                      kReasonChainBroken);
  }
  return head;
}

absl::StatusOr<RecordedEvent> RocksEventStore::ReadEvent(const EventId& id) {
  absl::ReaderMutexLock db_lock(&db_mu_);
  if (db_ == nullptr) return StoreClosedError();
  const Position head = visible_head_.load(std::memory_order_acquire);
  auto not_found = [&] {
    return WithReason(
        absl::NotFoundError(absl::StrCat("no event with id ", id.ToString())),
        kReasonEventNotFound);
  };
  std::string value;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), cf(ColumnFamily::kEventIds),
               rocksdb::Slice(id.bytes().data(), id.bytes().size()), &value);
  if (s.IsNotFound()) return not_found();
  if (!s.ok()) return FromRocks(s, "reading event id index");
  if (value.size() != 8) {
    return WithReason(
        absl::DataLossError(
            absl::StrCat("malformed event id index entry for ", id.ToString())),
        kReasonRecordCorrupt);
  }
  const Position position = GetFixed64BE(value.data());
  // Written by a commit whose appenders have not been answered yet.
  if (position > head) return not_found();
  std::string record;
  s = db_->Get(rocksdb::ReadOptions(), cf(ColumnFamily::kLog), LogKey(position),
               &record);
  if (s.IsNotFound()) {
    return WithReason(absl::DataLossError(absl::StrCat(
                          "event id ", id.ToString(), " points at position ",
                          position, ", which has no record")),
                      kReasonChainBroken);
  }
  if (!s.ok()) return FromRocks(s, "reading log");
  absl::StatusOr<RecordedEvent> e = DecodeStoredValue(record);
  if (!e.ok()) return e.status();
  // The index is outside the chain: check it points at the right record.
  if (e->id != id) {
    return WithReason(
        absl::DataLossError(absl::StrCat("event id index for ", id.ToString(),
                                         " points at position ", position,
                                         ", which holds another event")),
        kReasonRecordCorrupt);
  }
  return e;
}

}  // namespace oversight::eventstore
