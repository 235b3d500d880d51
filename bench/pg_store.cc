#include "bench/pg_store.h"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "bench/workload_util.h"
#include "eventstore/types.h"

namespace oversight::bench {

namespace {

// Type OIDs of the parameters, as in PostgreSQL's pg_type.
constexpr Oid kInt4 = 23;
constexpr Oid kInt8 = 20;
constexpr Oid kText = 25;
constexpr Oid kBytea = 17;
constexpr Oid kUuid = 2950;
constexpr Oid kUuidArray = 2951;
constexpr Oid kByteaArray = 1001;
constexpr Oid kTextArray = 1009;
constexpr Oid kInt8Array = 1016;

constexpr char kSchema[] = R"sql(
DROP SCHEMA IF EXISTS oversight_bench CASCADE;
CREATE SCHEMA oversight_bench;
CREATE TABLE oversight_bench.messages (
  global_position bigserial NOT NULL PRIMARY KEY,
  position bigint NOT NULL,
  time timestamp without time zone NOT NULL
    DEFAULT (now() AT TIME ZONE 'utc'),
  stream_name text NOT NULL,
  type text NOT NULL,
  data bytea,
  metadata jsonb,
  id uuid NOT NULL
);
CREATE UNIQUE INDEX messages_id ON oversight_bench.messages (id);
CREATE UNIQUE INDEX messages_stream
  ON oversight_bench.messages (stream_name, position);

-- The stream's version under an advisory lock on it, checked against the
-- expected one (-1: the stream must not exist yet).
CREATE FUNCTION oversight_bench.lock_and_check(
    _stream_name text, _expected_version bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  _stream_version bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended(_stream_name, 0));
  SELECT max(position) INTO _stream_version
    FROM oversight_bench.messages WHERE stream_name = _stream_name;
  _stream_version := coalesce(_stream_version, -1);
  IF _expected_version IS NOT NULL
     AND _expected_version <> _stream_version THEN
    RAISE EXCEPTION
      'Wrong expected version: % (Stream: %, Stream Version: %)',
      _expected_version, _stream_name, _stream_version
      USING ERRCODE = 'P0001';
  END IF;
  RETURN _stream_version;
END $$;

CREATE FUNCTION oversight_bench.write_message(
    _id uuid, _stream_name text, _type text, _data bytea,
    _expected_version bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  _next bigint;
BEGIN
  _next := oversight_bench.lock_and_check(_stream_name, _expected_version)
           + 1;
  INSERT INTO oversight_bench.messages
    (id, stream_name, position, type, data)
    VALUES (_id, _stream_name, _next, _type, _data);
  RETURN _next;
END $$;

CREATE FUNCTION oversight_bench.write_messages(
    _ids uuid[], _stream_name text, _type text, _data bytea[],
    _expected_version bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  _version bigint;
BEGIN
  _version := oversight_bench.lock_and_check(_stream_name, _expected_version);
  INSERT INTO oversight_bench.messages
    (id, stream_name, position, type, data)
    SELECT t.id, _stream_name, _version + t.n, _type, t.data
      FROM unnest(_ids, _data) WITH ORDINALITY AS t(id, data, n)
      ORDER BY t.n;
  RETURN _version + array_length(_ids, 1);
END $$;

CREATE FUNCTION oversight_bench.notify_messages() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('oversight_bench_messages', '');
  RETURN NULL;
END $$;
)sql";

std::string ResultError(PGconn* conn, PGresult* result) {
  const char* message =
      result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(conn);
  std::string out = message != nullptr ? message : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) {
    out.pop_back();
  }
  return out;
}

// A PGresult freed at the end of the scope.
struct Result {
  explicit Result(PGresult* r) : r(r) {}
  ~Result() { PQclear(r); }
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  PGresult* r;
};

// PostgreSQL's binary formats are big-endian.
void Store32(char* out, uint32_t v) {
  for (int i = 3; i >= 0; --i, v >>= 8) out[i] = static_cast<char>(v & 0xff);
}
void Store64(char* out, uint64_t v) {
  for (int i = 7; i >= 0; --i, v >>= 8) out[i] = static_cast<char>(v & 0xff);
}
uint64_t Load64(const char* in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}

void AppendInt32(std::string* out, int32_t v) {
  char buf[4];
  Store32(buf, static_cast<uint32_t>(v));
  out->append(buf, 4);
}

// A one-dimensional array in PostgreSQL's binary format: dimensions, the
// element type, then each element's length and bytes.
std::string BinaryArray(Oid element, const std::vector<absl::string_view>& v) {
  std::string out;
  AppendInt32(&out, 1);  // dimensions
  AppendInt32(&out, 0);  // no nulls
  AppendInt32(&out, static_cast<int32_t>(element));
  AppendInt32(&out, static_cast<int32_t>(v.size()));
  AppendInt32(&out, 1);  // lower bound
  for (absl::string_view e : v) {
    AppendInt32(&out, static_cast<int32_t>(e.size()));
    out.append(e.data(), e.size());
  }
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<PgConnection>> PgConnection::Connect(
    const std::string& conninfo) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
    std::string message = conn != nullptr ? PQerrorMessage(conn) : "no memory";
    PQfinish(conn);
    return absl::UnavailableError(
        absl::StrCat("PostgreSQL at \"", conninfo, "\": ", message));
  }
  return std::unique_ptr<PgConnection>(new PgConnection(conn));
}

PgConnection::~PgConnection() { PQfinish(conn_); }

absl::Status PgConnection::Exec(const std::string& sql) {
  Result result(PQexec(conn_, sql.c_str()));
  const ExecStatusType status = PQresultStatus(result.r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return absl::InternalError(ResultError(conn_, result.r));
  }
  return absl::OkStatus();
}

absl::Status PgConnection::CopyIn(const std::string& sql,
                                  absl::string_view data) {
  {
    Result start(PQexec(conn_, sql.c_str()));
    if (PQresultStatus(start.r) != PGRES_COPY_IN) {
      return absl::InternalError(ResultError(conn_, start.r));
    }
  }
  // PQputCopyData takes an int length: send in pieces.
  constexpr size_t kPiece = 1 << 20;
  bool sent = true;
  for (size_t at = 0; at < data.size() && sent; at += kPiece) {
    const size_t n = std::min(kPiece, data.size() - at);
    sent = PQputCopyData(conn_, data.data() + at, static_cast<int>(n)) == 1;
  }
  const std::string send_error = sent ? "" : ResultError(conn_, nullptr);
  if (PQputCopyEnd(conn_, sent ? nullptr : "the client failed to send") != 1) {
    const std::string error = ResultError(conn_, nullptr);
    // Whatever results there are, so that the connection takes commands.
    while (PGresult* r = PQgetResult(conn_)) PQclear(r);
    return absl::UnavailableError(error);
  }
  absl::Status status =
      sent ? absl::OkStatus() : absl::UnavailableError(send_error);
  while (PGresult* r = PQgetResult(conn_)) {
    Result result(r);
    if (status.ok() && PQresultStatus(r) != PGRES_COMMAND_OK) {
      status = absl::InternalError(ResultError(conn_, r));
    }
  }
  return status;
}

absl::StatusOr<bool> PgConnection::WaitForNotify(int timeout_ms) {
  auto take = [this]() -> absl::StatusOr<bool> {
    if (PQconsumeInput(conn_) == 0) {
      return absl::UnavailableError(ResultError(conn_, nullptr));
    }
    bool any = false;
    while (PGnotify* n = PQnotifies(conn_)) {
      any = true;
      PQfreemem(n);
    }
    return any;
  };
  absl::StatusOr<bool> any = take();
  if (!any.ok() || *any) return any;
  struct pollfd pfd = {PQsocket(conn_), POLLIN, 0};
  if (poll(&pfd, 1, timeout_ms) <= 0) return false;
  return take();
}

namespace pg_store {

absl::Status CreateSchema(PgConnection* conn) { return conn->Exec(kSchema); }

absl::Status Reset(PgConnection* conn) {
  return conn->Exec(
      "TRUNCATE oversight_bench.messages RESTART IDENTITY; "
      "CHECKPOINT;");
}

absl::Status SetNotify(PgConnection* conn, bool on) {
  return conn->Exec(
      on ? "DROP TRIGGER IF EXISTS messages_notify ON "
           "oversight_bench.messages; "
           "CREATE TRIGGER messages_notify AFTER INSERT ON "
           "oversight_bench.messages FOR EACH STATEMENT EXECUTE FUNCTION "
           "oversight_bench.notify_messages();"
         : "DROP TRIGGER IF EXISTS messages_notify ON "
           "oversight_bench.messages;");
}

Writer::Writer(PgConnection* conn, std::string stream, size_t bytes)
    : conn_(conn), stream_(std::move(stream)), bytes_(bytes), turn_(0) {
  turn_ = std::hash<std::string>()(stream_);
}

absl::Status Writer::Prepare() {
  if (prepared_) return absl::OkStatus();
  const Oid single[] = {kUuid, kText, kText, kBytea, kInt8};
  Result one(PQprepare(conn_->raw(), "write_message",
                       "SELECT oversight_bench.write_message($1, $2, $3, $4, "
                       "$5)",
                       5, single));
  if (PQresultStatus(one.r) != PGRES_COMMAND_OK) {
    return absl::InternalError(ResultError(conn_->raw(), one.r));
  }
  const Oid batch[] = {kUuidArray, kText, kText, kByteaArray, kInt8};
  Result many(PQprepare(conn_->raw(), "write_messages",
                        "SELECT oversight_bench.write_messages($1, $2, $3, "
                        "$4, $5)",
                        5, batch));
  if (PQresultStatus(many.r) != PGRES_COMMAND_OK) {
    return absl::InternalError(ResultError(conn_->raw(), many.r));
  }
  prepared_ = true;
  return absl::OkStatus();
}

absl::Status Writer::WriteData(absl::string_view data) {
  if (absl::Status s = Prepare(); !s.ok()) return s;
  const eventstore::EventId id = eventstore::EventId::Random();
  char expected[8];
  Store64(expected, static_cast<uint64_t>(version_));
  const absl::string_view type = kEventType;
  const char* values[] = {id.bytes().data(), stream_.data(), type.data(),
                          data.data(), expected};
  const int lengths[] = {16, static_cast<int>(stream_.size()),
                         static_cast<int>(type.size()),
                         static_cast<int>(data.size()), 8};
  const int formats[] = {1, 1, 1, 1, 1};
  Result result(PQexecPrepared(conn_->raw(), "write_message", 5, values,
                               lengths, formats, /*resultFormat=*/1));
  if (PQresultStatus(result.r) != PGRES_TUPLES_OK) {
    return absl::AbortedError(ResultError(conn_->raw(), result.r));
  }
  ++version_;
  return absl::OkStatus();
}

absl::Status Writer::Write(int events) {
  const std::vector<std::string>& payloads = Payloads(bytes_);
  if (events == 1) return WriteData(payloads[turn_++ % payloads.size()]);
  if (absl::Status s = Prepare(); !s.ok()) return s;
  std::vector<eventstore::EventId> ids;
  std::vector<absl::string_view> id_bytes, data;
  ids.reserve(events);
  for (int i = 0; i < events; ++i) {
    ids.push_back(eventstore::EventId::Random());
    id_bytes.push_back(ids.back().bytes());
    data.push_back(payloads[turn_++ % payloads.size()]);
  }
  const std::string id_array = BinaryArray(kUuid, id_bytes);
  const std::string data_array = BinaryArray(kBytea, data);
  char expected[8];
  Store64(expected, static_cast<uint64_t>(version_));
  const absl::string_view type = kEventType;
  const char* values[] = {id_array.data(), stream_.data(), type.data(),
                          data_array.data(), expected};
  const int lengths[] = {
      static_cast<int>(id_array.size()), static_cast<int>(stream_.size()),
      static_cast<int>(type.size()), static_cast<int>(data_array.size()), 8};
  const int formats[] = {1, 1, 1, 1, 1};
  Result result(PQexecPrepared(conn_->raw(), "write_messages", 5, values,
                               lengths, formats, /*resultFormat=*/1));
  if (PQresultStatus(result.r) != PGRES_TUPLES_OK) {
    return absl::AbortedError(ResultError(conn_->raw(), result.r));
  }
  version_ += events;
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> ReadAll(
    PgConnection* conn, int64_t from, int page,
    const std::function<void(const Message& message)>& visit) {
  const Oid types[] = {kInt8, kInt4};
  const char* sql =
      "SELECT global_position, position, stream_name, type, data, id "
      "FROM oversight_bench.messages WHERE global_position >= $1 "
      "ORDER BY global_position LIMIT $2";
  uint64_t read = 0;
  char page_bytes[4];
  Store32(page_bytes, static_cast<uint32_t>(page));
  for (;;) {
    char from_bytes[8];
    Store64(from_bytes, static_cast<uint64_t>(from));
    const char* values[] = {from_bytes, page_bytes};
    const int lengths[] = {8, 4};
    const int formats[] = {1, 1};
    Result result(PQexecParams(conn->raw(), sql, 2, types, values, lengths,
                               formats, /*resultFormat=*/1));
    if (PQresultStatus(result.r) != PGRES_TUPLES_OK) {
      return absl::UnavailableError(ResultError(conn->raw(), result.r));
    }
    const int rows = PQntuples(result.r);
    for (int i = 0; i < rows; ++i) {
      const int64_t position =
          static_cast<int64_t>(Load64(PQgetvalue(result.r, i, 0)));
      Message m;
      m.global_position = position;
      m.stream_name = absl::string_view(PQgetvalue(result.r, i, 2),
                                        PQgetlength(result.r, i, 2));
      m.data = absl::string_view(PQgetvalue(result.r, i, 4),
                                 PQgetlength(result.r, i, 4));
      visit(m);
      from = position + 1;
    }
    read += static_cast<uint64_t>(rows);
    if (rows < page) return read;
  }
}

absl::Status Import(PgConnection* conn,
                    const std::vector<ImportedMessage>& messages) {
  if (messages.empty()) return absl::OkStatus();
  std::vector<absl::string_view> ids, streams, positions, types, data;
  std::vector<std::array<char, 8>> position_bytes(messages.size());
  for (size_t i = 0; i < messages.size(); ++i) {
    const ImportedMessage& m = messages[i];
    if (m.id.size() != 16) {
      return absl::InvalidArgumentError("an imported id is not 16 bytes");
    }
    Store64(position_bytes[i].data(), static_cast<uint64_t>(m.position));
    ids.push_back(m.id);
    streams.push_back(m.stream_name);
    positions.push_back(absl::string_view(position_bytes[i].data(), 8));
    types.push_back(m.type);
    data.push_back(m.data);
  }
  const std::string arrays[] = {
      BinaryArray(kUuid, ids), BinaryArray(kText, streams),
      BinaryArray(kInt8, positions), BinaryArray(kText, types),
      BinaryArray(kBytea, data)};
  const Oid types_of[] = {kUuidArray, kTextArray, kInt8Array, kTextArray,
                          kByteaArray};
  const char* values[5];
  int lengths[5];
  const int formats[] = {1, 1, 1, 1, 1};
  for (int i = 0; i < 5; ++i) {
    values[i] = arrays[i].data();
    lengths[i] = static_cast<int>(arrays[i].size());
  }
  Result result(PQexecParams(
      conn->raw(),
      "INSERT INTO oversight_bench.messages "
      "(id, stream_name, position, type, data) "
      "SELECT u.id, u.stream_name, u.position, u.type, u.data "
      "FROM unnest($1, $2, $3, $4, $5) WITH ORDINALITY "
      "AS u(id, stream_name, position, type, data, n) ORDER BY u.n",
      5, types_of, values, lengths, formats, /*resultFormat=*/1));
  if (PQresultStatus(result.r) != PGRES_COMMAND_OK) {
    return absl::InternalError(ResultError(conn->raw(), result.r));
  }
  return absl::OkStatus();
}

}  // namespace pg_store

}  // namespace oversight::bench
