#include "services/projection_host.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "eventstore/errors.h"
#include "projections/aggregates.h"
#include "projections/read_model.h"
#include "services/log_fold.h"

namespace oversight::services {

namespace es = ::oversight::eventstore;
namespace pj = ::oversight::projections;

namespace {
// Events taken from the subscription per batch.
constexpr size_t kBatchEvents = 4096;
// How often the follower wakes with nothing to do, to expire waiters.
constexpr absl::Duration kTick = absl::Milliseconds(20);
}  // namespace

ProjectionHost::ProjectionHost(es::EventLog* log, es::SnapshotStore* snapshots,
                               const Options& options)
    : log_(log), snapshots_(snapshots), options_(options) {}

absl::StatusOr<std::unique_ptr<ProjectionHost>> ProjectionHost::Start(
    es::EventLog* log, es::SnapshotStore* snapshots, const Options& options) {
  std::unique_ptr<ProjectionHost> host(
      new ProjectionHost(log, snapshots, options));
  const absl::Time started = absl::Now();
  if (absl::Status s = host->LoadOrRebuild(); !s.ok()) return s;
  if (absl::Status s = host->CatchUpByScan(); !s.ok()) return s;
  // Then the subscription, for what was appended meanwhile and after.
  host->subscription_ = log->Subscribe(host->position() + 1, {});
  // Catch up before serving, so that the first answers are current.
  while (true) {
    absl::StatusOr<Applied> applied =
        host->ApplyAvailable(absl::ZeroDuration());
    if (!applied.ok()) return applied.status();
    host->start_info_.events_applied += applied->events;
    if (applied->caught_up) break;
  }
  host->start_info_.catch_up_time = absl::Now() - started;
  {
    absl::MutexLock lock(&host->state_mu_);
    pj::ShrinkHistory(&host->state_);
  }
  if (options.rebuild || !host->start_info_.from_snapshot) {
    // Save the rebuild's work at once.
    if (absl::Status s = host->WriteSnapshot(); !s.ok()) return s;
    host->since_snapshot_ = 0;
  }
  host->follower_ = std::thread([h = host.get()] { h->Follow(); });
  return host;
}

ProjectionHost::~ProjectionHost() { Stop().IgnoreError(); }

absl::Status ProjectionHost::LoadOrRebuild() {
  if (options_.rebuild) {
    start_info_.why_rebuilt = "a rebuild was asked for";
    return absl::OkStatus();
  }
  absl::StatusOr<std::optional<es::Snapshot>> snapshot =
      snapshots_->GetSnapshot(kReadModelSnapshotName);
  if (!snapshot.ok()) {
    start_info_.why_rebuilt = absl::StrCat("the snapshot could not be read: ",
                                           snapshot.status().message());
    return absl::OkStatus();
  }
  if (!snapshot->has_value()) {
    start_info_.why_rebuilt = "there is no snapshot";
    return absl::OkStatus();
  }
  const es::Snapshot& s = **snapshot;
  if (s.version != pj::kReadModelVersion) {
    start_info_.why_rebuilt =
        absl::StrCat("the snapshot was written by read-model version ",
                     s.version, ", this is version ", pj::kReadModelVersion);
    return absl::OkStatus();
  }
  if (s.position > log_->Head().position) {
    start_info_.why_rebuilt =
        absl::StrCat("the snapshot (position ", s.position,
                     ") is ahead of the log (", log_->Head().position, ")");
    return absl::OkStatus();
  }
  v1::ProjectionState state;
  if (!state.ParseFromString(s.data) || state.position() != s.position) {
    start_info_.why_rebuilt = "the snapshot does not parse";
    return absl::OkStatus();
  }
  absl::MutexLock lock(&state_mu_);
  state_ = std::move(state);
  position_.store(state_.position(), std::memory_order_release);
  start_info_.from_snapshot = true;
  start_info_.snapshot_position = s.position;
  return absl::OkStatus();
}

absl::Status ProjectionHost::CatchUpByScan() {
  const uint64_t from = position() + 1;
  // The reading thread posts the history of agencies and people; this one
  // folds the rest and posts the history of reviews and recommendations
  // (read_model.h). The history joins the state when the scan ends.
  // Nothing reads the state before Start returns.
  using Part = pj::HistoryBuilder::Part;
  std::optional<pj::HistoryBuilder> agencies;
  std::optional<pj::HistoryBuilder> reviews;
  {
    absl::MutexLock lock(&state_mu_);
    agencies.emplace(state_, Part::kAgencies);
    reviews.emplace(state_, Part::kReviews);
  }
  absl::StatusOr<uint64_t> scanned = FoldLog(
      log_, from,
      [&agencies](absl::Span<const ScannedEvent> events) {
        for (const ScannedEvent& e : events) {
          agencies->Post(*e.event, e.position);
        }
      },
      [this, &reviews](absl::Span<const ScannedEvent> events,
                       uint64_t through) {
        absl::MutexLock lock(&state_mu_);
        for (const ScannedEvent& e : events) {
          pj::ApplyModels(*e.event, e.position, &state_);
          reviews->Post(*e.event, e.position);
        }
        // Events of other streams move the position too.
        if (through > state_.position()) state_.set_position(through);
        position_.store(state_.position(), std::memory_order_release);
      });
  {
    // Batches folded before an error stay folded, with their history.
    absl::MutexLock lock(&state_mu_);
    agencies->MergeInto(&state_);
    reviews->MergeInto(&state_);
  }
  if (!scanned.ok()) return scanned.status();
  if (*scanned >= from) start_info_.events_applied += *scanned - from + 1;
  return absl::OkStatus();
}

absl::StatusOr<ProjectionHost::Applied> ProjectionHost::ApplyAvailable(
    absl::Duration wait) {
  absl::StatusOr<es::SubscriptionBatch> batch =
      wait == absl::ZeroDuration() ? subscription_->Poll(kBatchEvents)
                                   : subscription_->Next(kBatchEvents, wait);
  if (!batch.ok()) return batch.status();
  Applied applied;
  applied.events = batch->events.size();
  applied.caught_up = batch->caught_up;
  uint64_t through = 0;
  if (!batch->events.empty()) through = batch->events.back()->position;
  if (batch->caught_up) through = std::max<uint64_t>(through, batch->head);
  if (through == 0) return applied;
  {
    // Each event is parsed and folded in turn: parsing a whole batch
    // first, then folding it, measured twice as slow (the parsed events
    // fall out of the cache before they are folded). Readers wait for one
    // batch at most.
    // Decoded as a rebuild decodes them (fold_event.h), so that the live
    // state and a rebuild take the same events.
    pj::FoldEvent decoded;
    absl::MutexLock lock(&state_mu_);
    for (const es::SharedEvent& e : batch->events) {
      if (pj::IsDomainStream(e->stream) &&
          pj::DecodeFoldEvent(e->data, &decoded) &&
          decoded.payload_case != v1::DomainEvent::PAYLOAD_NOT_SET) {
        pj::ApplyFold(decoded, e->position, &state_);
      }
    }
    // Events of other streams move the position too.
    if (through > state_.position()) state_.set_position(through);
    position_.store(state_.position(), std::memory_order_release);
  }
  since_snapshot_ += applied.events;
  return applied;
}

void ProjectionHost::Follow() {
  while (true) {
    {
      absl::MutexLock lock(&waiters_mu_);
      if (stopping_) break;
    }
    absl::StatusOr<Applied> applied = ApplyAvailable(kTick);
    if (!applied.ok()) break;  // the log closed
    FireWaiters(false);
    if (options_.snapshot_every != 0 &&
        since_snapshot_ >= options_.snapshot_every) {
      // A failed snapshot costs only a longer catch-up next start.
      WriteSnapshot().IgnoreError();
      since_snapshot_ = 0;
    }
  }
}

uint64_t ProjectionHost::position() const {
  return position_.load(std::memory_order_acquire);
}

void ProjectionHost::WhenReached(uint64_t position, absl::Time deadline,
                                 absl::AnyInvocable<void(absl::Status)> done) {
  if (this->position() >= position) {
    std::move(done)(absl::OkStatus());
    return;
  }
  {
    absl::MutexLock lock(&waiters_mu_);
    if (!stopping_ && !waiters_closed_) {
      waiters_.push_back({position, deadline, std::move(done)});
      return;
    }
  }
  std::move(done)(
      es::WithReason(absl::UnavailableError("the read models are stopping"),
                     es::kReasonStoreClosed));
}

void ProjectionHost::FireWaiters(bool stopping) {
  std::vector<Waiter> ready;
  const uint64_t now_position = position();
  const absl::Time now = absl::Now();
  {
    absl::MutexLock lock(&waiters_mu_);
    auto keep =
        std::partition(waiters_.begin(), waiters_.end(), [&](const Waiter& w) {
          return !stopping && w.position > now_position && w.deadline > now;
        });
    std::move(keep, waiters_.end(), std::back_inserter(ready));
    waiters_.erase(keep, waiters_.end());
  }
  for (Waiter& w : ready) {
    if (w.position <= now_position) {
      std::move(w.done)(absl::OkStatus());
    } else if (stopping) {
      std::move(w.done)(
          es::WithReason(absl::UnavailableError("the read models are stopping"),
                         es::kReasonStoreClosed));
    } else {
      std::move(w.done)(
          es::WithReason(absl::DeadlineExceededError(absl::StrCat(
                             "the read models reached position ", now_position,
                             ", not ", w.position, ", before the deadline")),
                         kReasonProjectionBehind));
    }
  }
}

absl::Status ProjectionHost::WriteSnapshot() {
  es::Snapshot snapshot;
  snapshot.version = pj::kReadModelVersion;
  {
    absl::ReaderMutexLock lock(&state_mu_);
    snapshot.position = state_.position();
    state_.SerializeToString(&snapshot.data);
  }
  return snapshots_->PutSnapshot(kReadModelSnapshotName, snapshot);
}

void ProjectionHost::CloseWaiters() {
  {
    absl::MutexLock lock(&waiters_mu_);
    waiters_closed_ = true;
  }
  FireWaiters(true);
}

absl::Status ProjectionHost::Stop() {
  {
    absl::MutexLock lock(&stop_mu_);
    if (stopped_) return absl::OkStatus();
    stopped_ = true;
  }
  {
    absl::MutexLock lock(&waiters_mu_);
    stopping_ = true;
  }
  if (follower_.joinable()) follower_.join();
  FireWaiters(true);
  subscription_.reset();
  return WriteSnapshot();
}

}  // namespace oversight::services
