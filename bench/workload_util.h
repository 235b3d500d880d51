// Helpers shared by the workload files of oversight_bench (not a public
// interface of the benchmark).

#ifndef OVERSIGHT_BENCH_WORKLOAD_UTIL_H_
#define OVERSIGHT_BENCH_WORKLOAD_UTIL_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bench/harness.h"
#include "bench/workloads.h"
#include "eventstore/rocks_event_store.h"
#include "grpcpp/grpcpp.h"
#include "services/server.h"

namespace oversight::bench {

// 64 distinct random payloads of `bytes` bytes each, used in turn.
const std::vector<std::string>& Payloads(size_t bytes);

// `count` events of random ids and payloads, for an append.
std::vector<eventstore::ProposedEvent> MakeEvents(size_t bytes, int count,
                                                  uint64_t* turn);

// Opens a RocksEventStore in `dir` with the server's defaults (sync on).
absl::StatusOr<std::unique_ptr<eventstore::RocksEventStore>> OpenStore(
    const std::string& dir);

// "avg N appends per commit group" from the store's statistics since
// `before`.
std::string GroupNote(const eventstore::RocksEventStore::Stats& before,
                      const eventstore::RocksEventStore::Stats& after);

// A channel to `address`, connected (waits up to 10 s). With
// `own_subchannel_pool` it has its own TCP connection even if another
// channel with equal arguments exists.
std::shared_ptr<grpc::Channel> NewChannel(const std::string& address,
                                          bool own_subchannel_pool);

// Every call gets a deadline: 30 s, generous because a loaded 2-core
// machine can take a while; a call that hits it counts as an error.
void SetDeadline(grpc::ClientContext* context);

// A call of the raw log (EventStore): SetDeadline, and the identity of the
// deployment's operator, the one role that may append to it (the server
// runs in its test mode, identity from metadata; docs/security.md).
void SetRawLogCall(grpc::ClientContext* context);

std::string GrpcError(const grpc::Status& status);

// Starts an OversightServer for `log` on 127.0.0.1, on a free port.
absl::StatusOr<std::unique_ptr<services::OversightServer>> StartServer(
    eventstore::EventLog* log);

// Opens a fresh store in `dir`, serves it on a free loopback port, and
// runs a closed loop of `clients` threads, thread i running the operation
// `make(channel, i)` builds. With ChannelMode::kShared every thread gets
// the same channel, else each its own. The point's note has the mean
// commit-group size; a failure to open or serve is the note of an empty
// point. With `options.oversightd` set, an oversightd process serves the
// directory instead (no commit-group note; its CPU, read from /proc over
// the loop and prorated to the window, is added to the point's).
Point RunAgainstServer(
    const WorkloadOptions& options, const std::string& dir, int clients,
    ChannelMode mode,
    const std::function<Operation(std::shared_ptr<grpc::Channel>, int)>& make);

// Joins a non-empty `b` onto `a` with "; ".
std::string JoinNote(const std::string& a, const std::string& b);

}  // namespace oversight::bench

#endif  // OVERSIGHT_BENCH_WORKLOAD_UTIL_H_
