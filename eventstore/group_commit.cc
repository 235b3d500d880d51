// The write path of RocksEventStore: appends are queued, and one writer
// thread commits them in groups, one synced RocksDB write per group.
//
// For each append in a group, in arrival order, the writer:
//   1. looks up its event ids (in the group so far, then on disk): all
//      stored with the same content -> the original positions, nothing
//      written; some stored -> ALREADY_EXISTS;
//   2. checks the expected revision against the stream's revision as left
//      by the appends before it -> ABORTED on mismatch;
//   3. assigns the next positions and revisions, encodes each record,
//      chains its hash to the previous record's, and adds the record, its
//      stream-index entry, its event-id entry and the stream head to the
//      group's WriteBatch.
// Then it writes the batch with sync, and only after that publishes the new
// head, hands the records to live subscribers and calls back the callers.
// If the write fails, every append that wrote (or depended on one that
// wrote) fails with UNAVAILABLE and the head does not move; before the
// next group the writer reopens the database (ReopenDb), so a failed write
// or sync does not leave appends failing until a restart.

#include <pthread.h>

#include <cstring>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "eventstore/errors.h"
#include "eventstore/limits.h"
#include "eventstore/rocks_event_store.h"
#include "eventstore/rocks_layout.h"
#include "eventstore/rocks_status.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

namespace oversight::eventstore {

namespace {

// Whether `expected` holds for a stream whose last revision is `current`
// (nullopt: no such stream).
bool ExpectationHolds(const ExpectedRevision& expected,
                      std::optional<Revision> current) {
  switch (expected.kind()) {
    case ExpectedRevision::Kind::kAny:
      return true;
    case ExpectedRevision::Kind::kNoStream:
      return !current.has_value();
    case ExpectedRevision::Kind::kStreamExists:
      return current.has_value();
    case ExpectedRevision::Kind::kExact:
      return current.has_value() && *current == expected.revision();
  }
  return false;
}

bool SameContent(const RecordedEvent& stored, absl::string_view stream,
                 const ProposedEvent& proposed) {
  return stored.stream == stream && stored.type == proposed.type &&
         stored.data == proposed.data && stored.metadata == proposed.metadata;
}

}  // namespace

void RocksEventStore::AppendAsync(std::string stream, ExpectedRevision expected,
                                  std::vector<ProposedEvent> events,
                                  AppendCallback done) {
  if (absl::Status s = ValidateAppend(stream, events); !s.ok()) {
    std::move(done)(std::move(s));
    return;
  }
  auto pending = std::make_unique<PendingAppend>();
  for (const ProposedEvent& e : events) {
    pending->bytes += e.data.size() + e.metadata.size() + e.type.size();
  }
  pending->stream = std::move(stream);
  pending->expected = expected;
  pending->events = std::move(events);
  pending->done = std::move(done);
  absl::Status refused;
  {
    absl::MutexLock lock(&queue_mu_);
    if (closing_) {
      refused = StoreClosedError();
    } else if (queued_bytes_ + pending->bytes > kMaxQueuedAppendBytes) {
      refused = WithReason(
          absl::UnavailableError(absl::StrCat(
              "over ", kMaxQueuedAppendBytes >> 20,
              " MiB of appends are waiting for the disk; retry shortly")),
          kReasonOverloaded);
    } else {
      queued_bytes_ += pending->bytes;
      queue_.push_back(std::move(pending));
      return;
    }
  }
  std::move(pending->done)(std::move(refused));
}

void RocksEventStore::WriterLoop() {
  pthread_setname_np(pthread_self(), "oversight-wal");
  std::vector<std::unique_ptr<PendingAppend>> group;
  for (;;) {
    {
      absl::MutexLock lock(&queue_mu_);
      queue_mu_.Await(absl::Condition(
          +[](RocksEventStore* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->queue_mu_) {
            return !s->queue_.empty() || s->closing_;
          },
          this));
      if (queue_.empty()) return;  // Closing, and everything is done.
      size_t events = 0, bytes = 0;
      while (!queue_.empty()) {
        const PendingAppend& next = *queue_.front();
        if (!group.empty() &&
            (events + next.events.size() > options_.max_group_events ||
             bytes + next.bytes > options_.max_group_bytes)) {
          break;
        }
        events += next.events.size();
        bytes += next.bytes;
        queued_bytes_ -= next.bytes;
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    CommitGroup(group);
    group.clear();
  }
}

absl::Time RocksEventStore::Now() const {
  return options_.clock ? options_.clock() : absl::Now();
}

void RocksEventStore::CommitGroup(
    std::vector<std::unique_ptr<PendingAppend>>& group) {
  if (needs_reopen_) {
    if (absl::Status s = ReopenDb(); !s.ok()) {
      const absl::Status failure = WithReason(
          absl::UnavailableError(absl::StrCat(
              "storage failed and could not be reopened: ", s.message())),
          kReasonStorageUnavailable);
      stat_appends_.fetch_add(group.size(), std::memory_order_relaxed);
      for (auto& req : group) std::move(req->done)(failure);
      return;
    }
  }
  const ChainHead start = Head();
  // Recording time of the whole group; never earlier than the last one.
  // Records store whole microseconds, so truncate here: the head and the
  // events handed to live subscribers must equal what a read returns.
  const absl::Time now = absl::FromUnixMicros(
      absl::ToUnixMicros(std::max(Now(), start.recorded_at)));
  Position next_position = start.position + 1;
  Hash previous = start.hash;

  // State left by the appends of this group so far.
  absl::flat_hash_map<std::string, Revision> group_revisions;
  absl::flat_hash_map<EventId, const RecordedEvent*> group_ids;
  std::vector<SharedEvent> written;

  struct Outcome {
    absl::StatusOr<AppendResult> result;
    bool depends_on_write = false;
  };
  std::vector<Outcome> outcomes(group.size());
  rocksdb::WriteBatch batch;
  rocksdb::ReadOptions ro;

  // Sets *from_group when the answer comes from an append earlier in this
  // group, whose fate (and so this one's) depends on the group's write.
  auto current_revision =
      [&](const std::string& stream,
          bool* from_group) -> absl::StatusOr<std::optional<Revision>> {
    if (auto it = group_revisions.find(stream); it != group_revisions.end()) {
      *from_group = true;
      return std::optional<Revision>(it->second);
    }
    if (auto it = revision_cache_.find(stream); it != revision_cache_.end()) {
      return std::optional<Revision>(it->second);
    }
    std::string value;
    rocksdb::Status s =
        db_->Get(ro, cf(ColumnFamily::kStreams), stream, &value);
    if (s.IsNotFound()) return std::optional<Revision>();
    if (!s.ok()) return FromRocks(s, "reading stream head");
    return std::optional<Revision>(GetFixed64BE(value.data()));
  };

  // Looks up a stored event by id: in this group, then on disk.
  auto find_event =
      [&](const EventId& id,
          bool* in_group) -> absl::StatusOr<std::optional<RecordedEvent>> {
    if (auto it = group_ids.find(id); it != group_ids.end()) {
      *in_group = true;
      return std::optional<RecordedEvent>(*it->second);
    }
    std::string value;
    rocksdb::Status s = db_->Get(ro, cf(ColumnFamily::kEventIds),
                                 rocksdb::Slice(id.bytes().data(), 16), &value);
    if (s.IsNotFound()) return std::optional<RecordedEvent>();
    if (!s.ok()) return FromRocks(s, "reading event id");
    std::string record;
    s = db_->Get(ro, cf(ColumnFamily::kLog), LogKey(GetFixed64BE(value.data())),
                 &record);
    if (!s.ok()) return FromRocks(s, "reading record of event id");
    absl::StatusOr<RecordedEvent> e = DecodeStoredValue(record);
    if (!e.ok()) return e.status();
    return std::optional<RecordedEvent>(*std::move(e));
  };

  for (size_t i = 0; i < group.size(); ++i) {
    PendingAppend& req = *group[i];
    Outcome& out = outcomes[i];

    // 1. Idempotency by event id.
    size_t found = 0;
    bool consistent = true;
    absl::Status lookup_error;
    AppendResult dedup;
    for (size_t k = 0; k < req.events.size(); ++k) {
      bool in_group = false;
      auto stored = find_event(req.events[k].id, &in_group);
      if (!stored.ok()) {
        lookup_error = stored.status();
        break;
      }
      if (!stored->has_value()) continue;
      ++found;
      out.depends_on_write |= in_group;
      const RecordedEvent& e = **stored;
      if (!SameContent(e, req.stream, req.events[k])) consistent = false;
      if (k == 0) {
        dedup.recorded_at = e.recorded_at;
        dedup.first_position = e.position;
        dedup.first_revision = e.revision;
      } else if (e.position != dedup.first_position + k ||
                 e.revision != dedup.first_revision + k) {
        consistent = false;
      }
      dedup.last_position = e.position;
      dedup.last_revision = e.revision;
    }
    if (!lookup_error.ok()) {
      out.result = lookup_error;
      continue;
    }
    if (found > 0) {
      if (found == req.events.size() && consistent) {
        dedup.deduplicated = true;
        out.result = dedup;
      } else {
        out.result =
            WithReason(absl::AlreadyExistsError(absl::StrCat(
                           found == req.events.size()
                               ? "event ids already recorded with other content"
                               : absl::StrCat(found, " of ", req.events.size(),
                                              " event ids already recorded"),
                           " (stream \"", req.stream, "\")")),
                       kReasonEventIdReused);
      }
      continue;
    }

    // 2. Optimistic concurrency.
    bool from_group = false;
    absl::StatusOr<std::optional<Revision>> current =
        current_revision(req.stream, &from_group);
    // A mismatch judged against a revision only this group has written
    // must become UNAVAILABLE, like the group, if the write fails.
    out.depends_on_write |= from_group;
    if (!current.ok()) {
      out.result = current.status();
      continue;
    }
    if (!ExpectationHolds(req.expected, *current)) {
      out.result = WrongExpectedRevision(req.stream, req.expected, *current);
      continue;
    }

    // 3. Assign positions and revisions; chain; stage the writes.
    Revision revision = current->has_value() ? **current + 1 : 0;
    AppendResult ok;
    ok.first_position = next_position;
    ok.first_revision = revision;
    ok.recorded_at = now;
    for (ProposedEvent& proposed : req.events) {
      auto event = std::make_shared<RecordedEvent>();
      event->position = next_position++;
      event->stream = req.stream;
      event->revision = revision++;
      event->id = proposed.id;
      event->type = std::move(proposed.type);
      event->data = std::move(proposed.data);
      event->metadata = std::move(proposed.metadata);
      event->recorded_at = now;
      std::string value(kHashSize, '\0');
      EncodeRecord(*event, &value);
      event->hash =
          ChainHash(previous, absl::string_view(value).substr(kHashSize));
      std::memcpy(value.data(), event->hash.data(), kHashSize);
      previous = event->hash;
      batch.Put(cf(ColumnFamily::kLog), LogKey(event->position), value);
      batch.Put(cf(ColumnFamily::kStreamIndex),
                StreamIndexKey(event->stream, event->revision),
                Fixed64Value(event->position));
      batch.Put(cf(ColumnFamily::kEventIds),
                rocksdb::Slice(event->id.bytes().data(), 16),
                Fixed64Value(event->position));
      group_ids[event->id] = event.get();
      written.push_back(std::move(event));
    }
    ok.last_position = next_position - 1;
    ok.last_revision = revision - 1;
    batch.Put(cf(ColumnFamily::kStreams), req.stream,
              Fixed64Value(ok.last_revision));
    group_revisions[req.stream] = ok.last_revision;
    out.result = ok;
    out.depends_on_write = true;
  }

  if (!written.empty()) {
    rocksdb::WriteOptions wo;
    wo.sync = options_.sync;
    rocksdb::Status s = db_->Write(wo, &batch);
    if (!s.ok()) {
      const absl::Status failure = FromRocks(s, "writing commit group");
      for (Outcome& out : outcomes) {
        if (out.depends_on_write) out.result = failure;
      }
      // RocksDB now refuses every write (its background error), and the
      // WAL may end in a torn record or hold the whole batch unsynced.
      // The head stays at the last acknowledged record; the next group
      // first reopens the database (ReopenDb), which recovers what of the
      // WAL is whole and reloads the head from it.
      revision_cache_.clear();
      needs_reopen_ = true;
    } else {
      if (revision_cache_.size() > 100000) revision_cache_.clear();
      for (auto& [stream, rev] : group_revisions) revision_cache_[stream] = rev;
      CommittedGroup committed;
      committed.last_position = written.back()->position;
      committed.events = std::move(written);
      // Reads may show the new events before Head() does, never after:
      // whoever sees the new head can read up to it.
      visible_head_.store(committed.last_position, std::memory_order_release);
      {
        absl::MutexLock lock(&head_mu_);
        head_ = ChainHead{committed.last_position, previous, now};
      }
      stat_groups_.fetch_add(1, std::memory_order_relaxed);
      stat_events_.fetch_add(committed.events.size(),
                             std::memory_order_relaxed);
      hub_->Publish(committed);
    }
  }
  stat_appends_.fetch_add(group.size(), std::memory_order_relaxed);
  for (size_t i = 0; i < group.size(); ++i) {
    std::move(group[i]->done)(std::move(outcomes[i].result));
  }
}

}  // namespace oversight::eventstore
