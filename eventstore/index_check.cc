// The index half of RocksEventStore::Verify (index_check.h).

#include "eventstore/index_check.h"

#include <memory>

#include "absl/hash/hash.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "eventstore/record_format.h"
#include "eventstore/rocks_layout.h"
#include "eventstore/rocks_status.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"

namespace oversight::eventstore::internal {
namespace {

absl::string_view View(const rocksdb::Slice& s) {
  return absl::string_view(s.data(), s.size());
}

std::string Quoted(absl::string_view stream) {
  return absl::StrCat("\"", absl::CHexEscape(stream), "\"");
}

// A `stream_index` key split into stream and revision; false when it is
// not a stream name, one 0x00 and 8 bytes.
bool ParseStreamIndexKey(absl::string_view key, absl::string_view* stream,
                         Revision* revision) {
  const size_t sep = key.find('\0');
  if (sep == absl::string_view::npos || sep == 0 || key.size() - sep != 9) {
    return false;
  }
  *stream = key.substr(0, sep);
  *revision = GetFixed64BE(key.data() + sep + 1);
  return true;
}

std::string DescribeStreamIndexKey(absl::string_view key) {
  absl::string_view stream;
  Revision revision;
  if (ParseStreamIndexKey(key, &stream, &revision)) {
    return absl::StrCat("stream ", Quoted(stream), " revision ", revision);
  }
  return absl::StrCat("malformed key ", absl::BytesToHexString(key));
}

std::string DescribeEventIdKey(absl::string_view key) {
  if (key.size() == 16) {
    return absl::StrCat("event id ", EventId::FromBytes(key).ToString());
  }
  return absl::StrCat("malformed key ", absl::BytesToHexString(key));
}

}  // namespace

void IndexCheck::Sum::Add(absl::string_view key, absl::string_view value) {
  hash += absl::HashOf(key, value);
  ++count;
}

IndexCheck::IndexCheck(rocksdb::DB* db, Families families,
                       const rocksdb::Snapshot* snapshot, Position from,
                       Position to, Position last)
    : db_(db),
      cf_(families),
      snapshot_(snapshot),
      from_(from),
      to_(to),
      last_(last),
      scan_((to - from + 1) * kScanRatio >= last) {}

void IndexCheck::Note(Rank rank, Position position, std::string problem) {
  if (position == 0) rank = kNoPosition;
  std::optional<IndexProblem>& best = best_[rank];
  if (!best.has_value() || position < best->position) {
    best = IndexProblem{position, std::move(problem)};
  }
}

absl::Status IndexCheck::AddRecord(const RecordedEvent& event) {
  if (!scan_) {
    auto [it, inserted] = streams_.try_emplace(
        event.stream, std::make_pair(event.revision, event.position));
    if (!inserted && event.revision >= it->second.first) {
      it->second = {event.revision, event.position};
    }
    return CheckRecordEntries(event, true, true);
  }
  const std::string position = Fixed64Value(event.position);
  key_buf_.assign(event.stream);
  key_buf_.push_back('\0');
  PutFixed64BE(&key_buf_, event.revision);
  implied_stream_index_.Add(key_buf_, position);
  implied_event_ids_.Add(event.id.bytes(), position);
  return absl::OkStatus();
}

absl::Status IndexCheck::CheckRecordEntries(const RecordedEvent& event,
                                            bool stream_index, bool event_ids) {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot_;
  ro.verify_checksums = true;
  const Position p = event.position;
  auto check = [&](rocksdb::ColumnFamilyHandle* cf, absl::string_view name,
                   const std::string& key,
                   const std::string& what) -> absl::Status {
    std::string value;
    rocksdb::Status s = db_->Get(ro, cf, key, &value);
    if (s.IsNotFound()) {
      Note(kRecord, p, absl::StrCat(name, ": no entry for ", what));
    } else if (s.IsCorruption()) {
      Note(kRecord, p,
           absl::StrCat(name, ": entry for ", what, ": ", s.ToString()));
    } else if (!s.ok()) {
      return FromRocks(s, absl::StrCat("verifying ", name));
    } else if (value.size() != 8) {
      Note(kRecord, p,
           absl::StrCat(name, ": entry for ", what, " has a malformed value (",
                        value.size(), " bytes)"));
    } else if (GetFixed64BE(value.data()) != p) {
      Note(kRecord, p,
           absl::StrCat(name, ": entry for ", what, " holds position ",
                        GetFixed64BE(value.data()), ", not ", p));
    }
    return absl::OkStatus();
  };
  if (stream_index) {
    absl::Status s = check(cf_.stream_index, "stream_index",
                           StreamIndexKey(event.stream, event.revision),
                           absl::StrCat("stream ", Quoted(event.stream),
                                        " revision ", event.revision));
    if (!s.ok()) return s;
  }
  if (event_ids) {
    return check(cf_.event_ids, "event_ids", std::string(event.id.bytes()),
                 absl::StrCat("event id ", event.id.ToString()));
  }
  return absl::OkStatus();
}

absl::Status IndexCheck::CheckStreamsByLookUp() {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot_;
  ro.verify_checksums = true;
  for (const auto& [stream, last] : streams_) {
    const auto [revision, position] = last;
    std::string value;
    rocksdb::Status s = db_->Get(ro, cf_.streams, stream, &value);
    if (!s.ok() && !s.IsNotFound() && !s.IsCorruption()) {
      return FromRocks(s, "verifying streams");
    }
    if (!s.ok() || value.size() != 8) {
      Note(kRecord, position,
           absl::StrCat("streams: no readable entry for stream ",
                        Quoted(stream), ", which has revision ", revision,
                        " at position ", position));
      continue;
    }
    const Revision claimed = GetFixed64BE(value.data());
    if (claimed == revision) continue;
    if (claimed < revision) {
      Note(kRecord, position,
           absl::StrCat("streams: stream ", Quoted(stream),
                        " has last revision ", claimed, ", but revision ",
                        revision, " is at position ", position));
      continue;
    }
    // The stream's last event lies past the range: it must be indexed
    // there, and not before this range's end.
    s = db_->Get(ro, cf_.stream_index, StreamIndexKey(stream, claimed), &value);
    if (!s.ok() && !s.IsNotFound() && !s.IsCorruption()) {
      return FromRocks(s, "verifying streams");
    }
    const Position at =
        s.ok() && value.size() == 8 ? GetFixed64BE(value.data()) : 0;
    if (at <= to_ || at > last_) {
      Note(kRecord, position,
           absl::StrCat("streams: stream ", Quoted(stream),
                        " has last revision ", claimed,
                        ", which is not an event after position ", to_));
    }
  }
  return absl::OkStatus();
}

absl::Status IndexCheck::ScanStreamIndex() {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot_;
  ro.verify_checksums = true;
  ro.readahead_size = 2 << 20;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> index(
      db_->NewIterator(ro, cf_.stream_index));
  std::unique_ptr<rocksdb::Iterator> streams(db_->NewIterator(ro, cf_.streams));
  streams->SeekToFirst();

  // The stream whose entries are being read, and its last entry so far.
  std::string stream;
  bool in_stream = false;
  Revision next_revision = 0;
  Position last_position = 0;

  auto orphan_streams_before = [&](const std::string* stream_name) {
    while (streams->Valid() &&
           (stream_name == nullptr ||
            View(streams->key()) < absl::string_view(*stream_name))) {
      Note(kNoPosition, 0,
           absl::StrCat("streams: entry for stream ",
                        Quoted(View(streams->key())),
                        ", which has no stream_index entries"));
      streams->Next();
    }
  };
  // At the end of a stream's entries, its `streams` entry must hold the
  // revision of its last one.
  auto end_stream = [&] {
    orphan_streams_before(&stream);
    const Revision last_revision = next_revision - 1;
    if (!streams->Valid() || View(streams->key()) != stream) {
      Note(kStructure, last_position,
           absl::StrCat("streams: no entry for stream ", Quoted(stream),
                        ", whose last event is revision ", last_revision,
                        " at position ", last_position));
      return;
    }
    const absl::string_view value = View(streams->value());
    if (value.size() != 8) {
      Note(kStructure, last_position,
           absl::StrCat("streams: entry for stream ", Quoted(stream),
                        " has a malformed value (", value.size(), " bytes)"));
    } else if (GetFixed64BE(value.data()) != last_revision) {
      Note(kStructure, last_position,
           absl::StrCat("streams: stream ", Quoted(stream),
                        " has last revision ", GetFixed64BE(value.data()),
                        ", but its last event is revision ", last_revision,
                        " at position ", last_position));
    }
    streams->Next();
  };

  for (index->SeekToFirst(); index->Valid(); index->Next()) {
    const absl::string_view key = View(index->key());
    const absl::string_view value = View(index->value());
    const bool value_ok = value.size() == 8;
    const Position p = value_ok ? GetFixed64BE(value.data()) : 0;
    if (value_ok && (p == 0 || p > last_)) {
      Note(kStructure, p,
           absl::StrCat("stream_index: entry for ", DescribeStreamIndexKey(key),
                        " points to position ", p,
                        ", past the end of the log at ", last_));
    } else if (value_ok && InRange(p)) {
      found_stream_index_.Add(key, value);
    }
    if (!value_ok) {
      Note(kNoPosition, 0,
           absl::StrCat("stream_index: entry for ", DescribeStreamIndexKey(key),
                        " has a malformed value (", value.size(), " bytes)"));
    }
    absl::string_view entry_stream;
    Revision revision;
    if (!ParseStreamIndexKey(key, &entry_stream, &revision)) {
      Note(kStructure, p,
           absl::StrCat("stream_index: ", DescribeStreamIndexKey(key),
                        " holding position ", p));
      continue;
    }
    if (!in_stream || entry_stream != stream) {
      if (in_stream) end_stream();
      stream.assign(entry_stream.data(), entry_stream.size());
      in_stream = true;
      next_revision = 0;
      last_position = 0;
    }
    if (revision != next_revision) {
      Note(kStructure, p,
           absl::StrCat("stream_index: stream ", Quoted(stream), " revision ",
                        revision, " at position ", p, " follows ",
                        next_revision == 0
                            ? std::string("no earlier revision")
                            : absl::StrCat("revision ", next_revision - 1)));
    } else if (value_ok && next_revision > 0 && p <= last_position) {
      Note(kStructure, p,
           absl::StrCat("stream_index: stream ", Quoted(stream), " revision ",
                        revision, " at position ", p, " is not after revision ",
                        revision - 1, " at position ", last_position));
    }
    next_revision = revision + 1;
    if (value_ok) last_position = p;
  }
  if (!index->status().ok()) {
    if (!index->status().IsCorruption()) {
      return FromRocks(index->status(), "verifying stream_index");
    }
    Note(kNoPosition, 0,
         absl::StrCat("stream_index: ", index->status().ToString()));
  }
  if (in_stream) end_stream();
  orphan_streams_before(nullptr);
  if (!streams->status().ok()) {
    if (!streams->status().IsCorruption()) {
      return FromRocks(streams->status(), "verifying streams");
    }
    Note(kNoPosition, 0,
         absl::StrCat("streams: ", streams->status().ToString()));
  }
  return absl::OkStatus();
}

absl::Status IndexCheck::ScanEventIds() {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot_;
  ro.verify_checksums = true;
  ro.readahead_size = 2 << 20;
  ro.fill_cache = false;
  // event_ids has a prefix extractor (its hash memtable): without this an
  // iterator would only walk one prefix.
  ro.total_order_seek = true;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf_.event_ids));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const absl::string_view key = View(it->key());
    const absl::string_view value = View(it->value());
    if (value.size() != 8) {
      Note(kNoPosition, 0,
           absl::StrCat("event_ids: entry for ", DescribeEventIdKey(key),
                        " has a malformed value (", value.size(), " bytes)"));
      continue;
    }
    const Position p = GetFixed64BE(value.data());
    if (p == 0 || p > last_) {
      Note(kStructure, p,
           absl::StrCat("event_ids: entry for ", DescribeEventIdKey(key),
                        " points to position ", p,
                        ", past the end of the log at ", last_));
      continue;
    }
    if (key.size() != 16) {
      Note(kStructure, p,
           absl::StrCat("event_ids: ", DescribeEventIdKey(key),
                        " holding position ", p));
    }
    if (InRange(p)) found_event_ids_.Add(key, value);
  }
  if (!it->status().ok()) {
    if (!it->status().IsCorruption()) {
      return FromRocks(it->status(), "verifying event_ids");
    }
    Note(kNoPosition, 0, absl::StrCat("event_ids: ", it->status().ToString()));
  }
  return absl::OkStatus();
}

// The sums differ: look up the entries of every record of the range.
absl::Status IndexCheck::LookUpRecords(bool stream_index, bool event_ids) {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot_;
  ro.verify_checksums = true;
  ro.readahead_size = 2 << 20;
  const std::string upper = LogKey(to_ + 1);
  rocksdb::Slice upper_slice(upper);
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf_.log));
  for (it->Seek(LogKey(from_)); it->Valid(); it->Next()) {
    absl::StatusOr<RecordedEvent> event = DecodeStoredValue(View(it->value()));
    if (!event.ok()) continue;  // The chain check has passed it.
    if (absl::Status s = CheckRecordEntries(*event, stream_index, event_ids);
        !s.ok()) {
      return s;
    }
  }
  return FromRocks(it->status(), "verifying log");
}

// The sums differ: read the record of every entry pointing into the range.
absl::Status IndexCheck::LookUpEntries(bool stream_index, bool event_ids) {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot_;
  ro.verify_checksums = true;
  ro.total_order_seek = true;  // As in ScanEventIds.
  auto check = [&](rocksdb::ColumnFamilyHandle* cf, absl::string_view name,
                   bool by_stream) -> absl::Status {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const absl::string_view key = View(it->key());
      const absl::string_view value = View(it->value());
      if (value.size() != 8) continue;
      const Position p = GetFixed64BE(value.data());
      if (!InRange(p)) continue;
      std::string stored;
      rocksdb::Status s = db_->Get(ro, cf_.log, LogKey(p), &stored);
      if (!s.ok() && !s.IsNotFound() && !s.IsCorruption()) {
        return FromRocks(s, "verifying log");
      }
      absl::StatusOr<RecordedEvent> event =
          s.ok() ? DecodeStoredValue(stored)
                 : absl::StatusOr<RecordedEvent>(absl::DataLossError(""));
      if (!event.ok()) continue;  // The chain check has passed it.
      const std::string expected =
          by_stream ? StreamIndexKey(event->stream, event->revision)
                    : std::string(event->id.bytes());
      if (key == expected) continue;
      Note(kRecord, p,
           absl::StrCat(name, ": entry for ",
                        by_stream ? DescribeStreamIndexKey(key)
                                  : DescribeEventIdKey(key),
                        " points to position ", p, ", whose record is ",
                        by_stream ? DescribeStreamIndexKey(expected)
                                  : DescribeEventIdKey(expected)));
    }
    return FromRocks(it->status(), absl::StrCat("verifying ", name));
  };
  if (stream_index) {
    if (absl::Status s = check(cf_.stream_index, "stream_index", true);
        !s.ok()) {
      return s;
    }
  }
  if (event_ids) return check(cf_.event_ids, "event_ids", false);
  return absl::OkStatus();
}

absl::StatusOr<std::optional<IndexProblem>> IndexCheck::Finish() {
  if (scan_) {
    if (absl::Status s = ScanStreamIndex(); !s.ok()) return s;
    if (absl::Status s = ScanEventIds(); !s.ok()) return s;
    const bool stream_index = !(implied_stream_index_ == found_stream_index_);
    const bool event_ids = !(implied_event_ids_ == found_event_ids_);
    if (stream_index || event_ids) {
      if (absl::Status s = LookUpRecords(stream_index, event_ids); !s.ok()) {
        return s;
      }
      if (absl::Status s = LookUpEntries(stream_index, event_ids); !s.ok()) {
        return s;
      }
      if (!best_[kRecord].has_value()) {
        // Cannot happen unless the sums collide in the other direction;
        // say so rather than pass.
        Note(kNoPosition, 0,
             absl::StrCat(stream_index ? "stream_index" : "event_ids",
                          ": the entries pointing to positions ", from_, " to ",
                          to_, " are not those their records imply"));
      }
    }
  } else {
    if (absl::Status s = CheckStreamsByLookUp(); !s.ok()) return s;
  }
  for (std::optional<IndexProblem>& best : best_) {
    if (best.has_value()) return std::move(best);
  }
  return std::optional<IndexProblem>();
}

}  // namespace oversight::eventstore::internal
