// Workload 5 of compare_bench: the read models at scale, Oversight against
// a PostgreSQL event store with its read model kept in tables, on the same
// generated domain log (bench/domain_log.h).
//
// RunModel:
//   1. generates the log (`events` domain events) into a fresh Oversight
//      data directory and compacts it (SettleStore);
//   2. imports it into PostgreSQL's `messages` table in log order, 1,000
//      messages a transaction, then VACUUM ANALYZE and CHECKPOINT;
//   3. rebuilds, `base.repetitions` times each after an untimed one,
//      median kept:
//        oversight: `oversightd --rebuild` on the directory; the rate is
//                   the one it logs (events applied / catch-up time),
//                   without the snapshot it writes after: the like of
//                   PostgreSQL's read and fold (`pg_fold`);
//        pg:        pages of 1,000 read through libpq (binary) on one
//                   thread, each event decoded and folded on another with
//                   the same projection code (DecodeFoldEvent, ApplyFold);
//                   then the status board of every review written to two
//                   tables with COPY (`reviews`, `status_board`), as a
//                   PostgreSQL application keeps its read model;
//   4. asks for the status board of `queries` random reviews (the same
//      reviews on both sides, after 10 warm-up calls), as it stands now:
//        oversight: GetStatusBoard over gRPC to oversightd started as
//                   a server normally starts (from the snapshot the
//                   rebuilds wrote), as an auditor without a
//                   justification, then with one;
//        pg:        one prepared SELECT joining the two tables, its rows
//                   read into a GetStatusBoardResponse;
//      and checks that both give the same rows for every review asked
//      about (ModelResult::Boards).

#ifndef OVERSIGHT_BENCH_COMPARE_MODEL_H_
#define OVERSIGHT_BENCH_COMPARE_MODEL_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "bench/compare_workloads.h"
#include "bench/harness.h"

namespace oversight::bench {

struct ModelOptions {
  uint64_t events = 1000000;
  uint64_t seed = 20250101;
  int queries = 200;
};

struct ModelResult {
  uint64_t events = 0;   // in the log
  uint64_t reviews = 0;  // in the read model
  uint64_t board_rows = 0;
  double generate_seconds = 0;
  double import_seconds = 0;  // into PostgreSQL, with VACUUM ANALYZE
  // events/s; repetitions: each repetition's events/s.
  Point oversight_rebuild;
  Point pg_fold;  // read and fold
  // The same run's events over read, fold and writing the two tables.
  Point pg_rebuild;
  // Writing the two tables: the median of the repetitions' times.
  double pg_tables_seconds = 0;
  // Latency per call (p50, p99; has_latency).
  Point pg_board;
  // Oversight's status boards, asked for by an auditor without a
  // justification (each review holding an OFFICIAL-SENSITIVE event folded
  // for the reader) and with one (answered from the live read models,
  // after recording the access); compared with PostgreSQL's, which knows
  // no need-to-know: with a justification in full, without one on the
  // rows, ratings and closures.
  struct Boards {
    Point latency;
    int compared = 0;  // calls (warm-up ones too), each a review at random
    int differing = 0;
    std::string first_difference;
  };
  Boards unjustified;
  Boards justified;
};

absl::StatusOr<ModelResult> RunModel(const CompareOptions& options,
                                     const ModelOptions& model);

}  // namespace oversight::bench

#endif  // OVERSIGHT_BENCH_COMPARE_MODEL_H_
