// ProjectionHost: keeps the read models (projections/read_model.h) at the
// log's head inside oversightd.
//
// On start it loads the last snapshot, if one exists and was written by
// this version of the read models, and catches up from the position after
// it; otherwise (or with `rebuild`) it folds the whole log from the start.
// Then a thread follows the log through a catch-up subscription, applying
// each event as it is committed, and writes a snapshot every
// `snapshot_every` events and when it stops.
//
// Readers take the state under a shared lock (Read). A caller that needs
// the state to include a position it wrote (read-your-writes) registers
// with WhenReached, which calls back once the host gets there, or with
// DEADLINE_EXCEEDED at the deadline; nothing blocks meanwhile.
//
// Example:
//   auto host = ProjectionHost::Start(log, store, {});
//   (*host)->Read([](const v1::ProjectionState& s) { ... });

#ifndef OVERSIGHT_SERVICES_PROJECTION_HOST_H_
#define OVERSIGHT_SERVICES_PROJECTION_HOST_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "eventstore/event_log.h"
#include "eventstore/snapshot_store.h"
#include "eventstore/subscription.h"
#include "oversight/v1/projection_state.pb.h"

namespace oversight::services {

inline constexpr char kReadModelSnapshotName[] = "read-model";
inline constexpr char kReasonProjectionBehind[] = "PROJECTION_BEHIND";

class ProjectionHost {
 public:
  struct Options {
    // Fold the whole log, ignoring (and then replacing) any snapshot.
    bool rebuild = false;
    // Events applied between snapshots; 0: only when stopping.
    uint64_t snapshot_every = 100000;
  };

  // How the host started, for the server's log line and for tests.
  struct StartInfo {
    bool from_snapshot = false;
    uint64_t snapshot_position = 0;
    std::string why_rebuilt;      // Empty when the snapshot was used.
    uint64_t events_applied = 0;  // During the initial catch-up.
    absl::Duration catch_up_time;
  };

  // Loads or rebuilds the state, catches up with the log's head, and
  // starts following. `log` and `snapshots` must outlive the host.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<ProjectionHost>> Start(
      eventstore::EventLog* log, eventstore::SnapshotStore* snapshots,
      const Options& options);

  ProjectionHost(const ProjectionHost&) = delete;
  ProjectionHost& operator=(const ProjectionHost&) = delete;
  ~ProjectionHost();  // Stop().

  // Stops following, answers pending waiters (UNAVAILABLE) and writes a
  // final snapshot, returning how that went. Idempotent (later calls
  // return OK).
  absl::Status Stop();

  // Calls `reader` with the state, under a shared lock. `reader` must be
  // quick and must not call back into the host.
  template <typename F>
  void Read(F&& reader) const {
    absl::ReaderMutexLock lock(&state_mu_);
    reader(state_);
  }

  // The last log position the state includes.
  uint64_t position() const;

  // Calls `done` with OK once the state includes `position` (at once if it
  // does), or with DEADLINE_EXCEEDED (PROJECTION_BEHIND) at `deadline`, or
  // UNAVAILABLE if the host stops first. `done` runs on the caller's
  // thread or the host's and must be quick.
  void WhenReached(uint64_t position, absl::Time deadline,
                   absl::AnyInvocable<void(absl::Status)> done);

  // Answers every WhenReached waiting now, and every one from now on that
  // is not already reached, with UNAVAILABLE, while the host goes on
  // following: for a server shutting down, so that calls waiting on the
  // read models (min_position, FollowHistory) end at once rather than be
  // cancelled at the end of the grace period.
  void CloseWaiters();

  const StartInfo& start_info() const { return start_info_; }

  // Writes a snapshot of the current state now.
  [[nodiscard]] absl::Status WriteSnapshot();

 private:
  struct Waiter {
    uint64_t position;
    absl::Time deadline;
    absl::AnyInvocable<void(absl::Status)> done;
  };

  ProjectionHost(eventstore::EventLog* log,
                 eventstore::SnapshotStore* snapshots, const Options& options);
  absl::Status LoadOrRebuild();
  // Folds the log from the state's position to the head as it stands,
  // parsing on a second thread (log_fold.h).
  absl::Status CatchUpByScan();
  struct Applied {
    size_t events = 0;
    bool caught_up = false;
  };
  // Applies the next batch the subscription has, waiting up to `wait`.
  absl::StatusOr<Applied> ApplyAvailable(absl::Duration wait);
  void Follow();
  void FireWaiters(bool stopping);

  eventstore::EventLog* const log_;
  eventstore::SnapshotStore* const snapshots_;
  const Options options_;
  StartInfo start_info_;

  mutable absl::Mutex state_mu_;
  v1::ProjectionState state_ ABSL_GUARDED_BY(state_mu_);
  std::atomic<uint64_t> position_{0};  // state_.position(), lock-free

  std::unique_ptr<eventstore::Subscription> subscription_;  // follower only
  uint64_t since_snapshot_ = 0;                             // follower only

  absl::Mutex waiters_mu_;
  std::vector<Waiter> waiters_ ABSL_GUARDED_BY(waiters_mu_);
  bool stopping_ ABSL_GUARDED_BY(waiters_mu_) = false;
  bool waiters_closed_ ABSL_GUARDED_BY(waiters_mu_) = false;

  std::thread follower_;
  absl::Mutex stop_mu_;
  bool stopped_ ABSL_GUARDED_BY(stop_mu_) = false;
};

}  // namespace oversight::services

#endif  // OVERSIGHT_SERVICES_PROJECTION_HOST_H_
