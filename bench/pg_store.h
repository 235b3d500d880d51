// PgStore: the alternative a force's IT department would reach for, an
// event table in PostgreSQL in the Message DB pattern, driven through
// libpq for compare_bench (docs/benchmarks.md, "Against PostgreSQL").
//
// The schema (CreateSchema): a `messages` table with a global position
// (bigserial, the primary key), the stream name, the position in the
// stream, the type, the data (bytea: the same opaque bytes Oversight
// stores), metadata (jsonb, left null as the benchmark's events have
// none), the time and the id (uuid, unique); a unique (stream_name,
// position) index. Writes go through `write_message` and `write_messages`
// (a batch in one call), which take a transaction-scoped advisory lock on
// the stream, check the expected version (-1: no stream yet) and insert,
// as Message DB's `write_message` does. Each call is its own transaction:
// with `synchronous_commit = on` and `fsync = on` it returns once its WAL
// record is flushed, the durability of a synced RocksDB write.
//
// Example:
//   auto conn = PgConnection::Connect("host=127.0.0.1 port=5433 ...");
//   pg_store::CreateSchema(conn->get());
//   pg_store::Writer w(conn->get(), "bench-0", 1024);
//   absl::Status s = w.Write(1);  // one event, expected version checked

#ifndef OVERSIGHT_BENCH_PG_STORE_H_
#define OVERSIGHT_BENCH_PG_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

struct pg_conn;

namespace oversight::bench {

// One libpq connection.
class PgConnection {
 public:
  static absl::StatusOr<std::unique_ptr<PgConnection>> Connect(
      const std::string& conninfo);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs `sql` (one or more statements, no parameters).
  absl::Status Exec(const std::string& sql);
  // Runs `sql`, a COPY ... FROM STDIN, sending it `data` (in the COPY's
  // format).
  absl::Status CopyIn(const std::string& sql, absl::string_view data);
  // Waits up to `timeout_ms` for a notification on a channel this
  // connection LISTENs on; true when one (or more) arrived.
  absl::StatusOr<bool> WaitForNotify(int timeout_ms);
  pg_conn* raw() { return conn_; }

 private:
  explicit PgConnection(pg_conn* conn) : conn_(conn) {}
  pg_conn* conn_;
};

namespace pg_store {

// Drops and creates the schema `oversight_bench`: the table, its indexes,
// and the write functions.
absl::Status CreateSchema(PgConnection* conn);
// Empties the table and restarts the global position at 1.
absl::Status Reset(PgConnection* conn);
// A statement-level trigger that NOTIFYs `oversight_bench_messages` after
// every insert, so that subscribers can LISTEN instead of polling (on), or
// none (off): NOTIFY serialises commits, so the append workloads run
// without it.
absl::Status SetNotify(PgConnection* conn, bool on);

// One client's writer of its own stream.
class Writer {
 public:
  // `conn` is this writer's alone. Events carry `bytes` bytes of random
  // data, or data from `make_data` when given.
  Writer(PgConnection* conn, std::string stream, size_t bytes);
  // Writes `events` events in one call (write_message for one,
  // write_messages for more) with the stream's expected version.
  absl::Status Write(int events);
  // As Write(1) with `data` as the event's data.
  absl::Status WriteData(absl::string_view data);

 private:
  absl::Status Prepare();
  PgConnection* conn_;
  std::string stream_;
  size_t bytes_;
  uint64_t turn_;
  int64_t version_ = -1;  // The stream's last position; -1: none.
  bool prepared_ = false;
};

// A message as a read gives it; the views last until the visitor returns.
struct Message {
  int64_t global_position = 0;
  absl::string_view stream_name;
  absl::string_view data;
};

// Reads the messages from global position `from` on, `page` at a time,
// in order, until none are left, calling `visit` with each. Returns the
// number read.
absl::StatusOr<uint64_t> ReadAll(
    PgConnection* conn, int64_t from, int page,
    const std::function<void(const Message& message)>& visit);

// A message of another log, as Import copies it.
struct ImportedMessage {
  absl::string_view id;  // 16 bytes, the uuid
  absl::string_view stream_name;
  int64_t position = 0;  // in its stream, from 0
  absl::string_view type;
  absl::string_view data;
};

// Appends `messages` in one transaction, in their order, which their
// global positions follow: a migration's bulk load from another log, so
// without the expected-version check of the write functions.
absl::Status Import(PgConnection* conn,
                    const std::vector<ImportedMessage>& messages);

}  // namespace pg_store

}  // namespace oversight::bench

#endif  // OVERSIGHT_BENCH_PG_STORE_H_
