#include "bench/compare_model.h"

#include <libpq-fe.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <deque>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "bench/daemon.h"
#include "bench/domain_log.h"
#include "bench/pg_store.h"
#include "eventstore/rocks_event_store.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpcpp/grpcpp.h"
#include "oversight/v1/projection_state.pb.h"
#include "oversight/v1/queries.grpc.pb.h"
#include "projections/aggregates.h"
#include "projections/fold_event.h"
#include "projections/read_model.h"
#include "projections/views.h"

namespace oversight::bench {
namespace {

namespace es = ::oversight::eventstore;
namespace pj = ::oversight::projections;

using Clock = std::chrono::steady_clock;

constexpr int kImportBatch = 1000;
constexpr int kPage = 1000;
constexpr int kWarmupCalls = 10;
constexpr char kJustification[] = "Audit 2026/4: compare benchmark";

double SecondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

void Say(const std::string& line) {
  std::fprintf(stderr, "compare_bench: %s\n", line.c_str());
  std::fflush(stderr);
}

// The median repetition of `rates` (events/s) as a point.
Point RatePoint(std::vector<double> rates, const std::string& workload) {
  Point p;
  p.workload = workload;
  p.repetitions = rates;
  std::sort(rates.begin(), rates.end());
  p.events_per_sec = rates.empty() ? 0 : rates[rates.size() / 2];
  return p;
}

// p50 and p99 of `ms` (per call) as a point.
Point LatencyPoint(std::vector<double> ms, const std::string& workload) {
  Point p;
  p.workload = workload;
  p.has_latency = !ms.empty();
  std::sort(ms.begin(), ms.end());
  auto at = [&ms](double q) {
    if (ms.empty()) return 0.0;
    size_t rank = static_cast<size_t>(std::ceil(q * ms.size()));
    return ms[std::clamp<size_t>(rank, 1, ms.size()) - 1];
  };
  p.p50_ms = at(0.5);
  p.p99_ms = at(0.99);
  double total = 0;
  for (double x : ms) total += x;
  p.events_per_sec = total > 0 ? ms.size() / (total / 1e3) : 0;  // calls/s
  return p;
}

// ------------------------------------------------------------- the log

// Generates the log into `dir`, settles it, and copies it into PostgreSQL.
absl::Status GenerateAndImport(const std::string& dir,
                               const ModelOptions& model, PgConnection* conn,
                               ModelResult* result) {
  {
    es::RocksEventStore::Options options;
    options.verify_on_open = false;
    absl::StatusOr<std::unique_ptr<es::RocksEventStore>> store =
        es::RocksEventStore::Open(dir, options);
    if (!store.ok()) return store.status();
    GenerateOptions g;
    g.events = model.events;
    g.seed = model.seed;
    const Clock::time_point t0 = Clock::now();
    absl::StatusOr<GenerateStats> stats = GenerateDomainLog(store->get(), g);
    if (!stats.ok()) return stats.status();
    result->generate_seconds = SecondsSince(t0);
    result->events = stats->events;
    (*store)->Close();
  }
  if (absl::StatusOr<double> s = SettleStore(dir); !s.ok()) return s.status();
  Say(absl::StrFormat("generated %d events in %.1f s; importing them",
                      result->events, result->generate_seconds));

  es::RocksEventStore::Options options;
  options.verify_on_open = false;
  absl::StatusOr<std::unique_ptr<es::RocksEventStore>> store =
      es::RocksEventStore::Open(dir, options);
  if (!store.ok()) return store.status();
  if (absl::Status s = pg_store::Reset(conn); !s.ok()) return s;
  const Clock::time_point t0 = Clock::now();
  std::vector<es::RecordedEvent> batch;
  batch.reserve(kImportBatch);
  auto flush = [&batch, conn]() {
    std::vector<pg_store::ImportedMessage> rows;
    rows.reserve(batch.size());
    for (const es::RecordedEvent& e : batch) {
      pg_store::ImportedMessage m;
      m.id = e.id.bytes();
      m.stream_name = e.stream;
      m.position = static_cast<int64_t>(e.revision);
      m.type = e.type;
      m.data = e.data;
      rows.push_back(m);
    }
    absl::Status s = pg_store::Import(conn, rows);
    batch.clear();
    return s;
  };
  absl::StatusOr<es::Position> last =
      (*store)->Scan(1, [&](const es::RecordedEvent& e) -> absl::Status {
        batch.push_back(e);
        if (batch.size() < kImportBatch) return absl::OkStatus();
        return flush();
      });
  if (!last.ok()) return last.status();
  if (absl::Status s = flush(); !s.ok()) return s;
  (*store)->Close();
  if (absl::Status s = conn->Exec("VACUUM ANALYZE oversight_bench.messages");
      !s.ok()) {
    return s;
  }
  if (absl::Status s = conn->Exec("CHECKPOINT"); !s.ok()) return s;
  result->import_seconds = SecondsSince(t0);
  return absl::OkStatus();
}

// ------------------------------------------------- the PostgreSQL rebuild

// A page of messages as the reading thread hands it to the folding one.
struct Page {
  std::vector<int64_t> positions;
  std::vector<size_t> ends;  // of each message's data in `bytes`
  std::vector<bool> domain;  // whether its stream is a domain stream
  std::string bytes;
};

// Pages from the reading thread to the folding one, at most a few ahead.
class PageQueue {
 public:
  void Push(Page page) {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](PageQueue* q) { return q->pages_.size() < kAhead; }, this));
    pages_.push_back(std::move(page));
  }
  void Finish(absl::Status status) {
    absl::MutexLock lock(&mu_);
    done_ = true;
    status_ = std::move(status);
  }
  // False when there are no more pages.
  bool Pop(Page* page) {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](PageQueue* q) { return !q->pages_.empty() || q->done_; }, this));
    if (pages_.empty()) return false;
    *page = std::move(pages_.front());
    pages_.pop_front();
    return true;
  }
  absl::Status status() {
    absl::MutexLock lock(&mu_);
    return status_;
  }

 private:
  static constexpr size_t kAhead = 8;
  absl::Mutex mu_;
  std::deque<Page> pages_;
  bool done_ = false;
  absl::Status status_;
};

// Reads the whole table on a thread and folds it on this one into `state`.
absl::Status FoldFromPg(const std::string& conninfo, v1::ProjectionState* state,
                        uint64_t* events) {
  absl::StatusOr<std::unique_ptr<PgConnection>> conn =
      PgConnection::Connect(conninfo);
  if (!conn.ok()) return conn.status();
  PageQueue queue;
  std::thread reader([&queue, &conn]() {
    Page page;
    absl::StatusOr<uint64_t> n = pg_store::ReadAll(
        conn->get(), 1, kPage, [&](const pg_store::Message& m) {
          page.positions.push_back(m.global_position);
          page.bytes.append(m.data.data(), m.data.size());
          page.ends.push_back(page.bytes.size());
          page.domain.push_back(pj::IsDomainStream(m.stream_name));
          if (page.positions.size() == kPage) {
            queue.Push(std::move(page));
            page = Page();
          }
        });
    if (n.ok() && !page.positions.empty()) queue.Push(std::move(page));
    queue.Finish(n.status());
  });
  pj::FoldEvent decoded;
  Page page;
  uint64_t folded = 0;
  while (queue.Pop(&page)) {
    size_t begin = 0;
    for (size_t i = 0; i < page.positions.size(); ++i) {
      const absl::string_view data(page.bytes.data() + begin,
                                   page.ends[i] - begin);
      begin = page.ends[i];
      ++folded;
      if (page.domain[i] && pj::DecodeFoldEvent(data, &decoded) &&
          decoded.payload_case != v1::DomainEvent::PAYLOAD_NOT_SET) {
        pj::ApplyFold(decoded, static_cast<es::Position>(page.positions[i]),
                      state);
      }
    }
  }
  reader.join();
  *events = folded;
  return queue.status();
}

// ----------------------------------------------- the status-board tables

constexpr char kBoardSchema[] = R"sql(
DROP TABLE IF EXISTS oversight_bench.status_board, oversight_bench.reviews;
CREATE TABLE oversight_bench.reviews (
  review_id text PRIMARY KEY,
  title_en text,
  title_cy text,
  periods text[],
  open_periods text[]
);
CREATE TABLE oversight_bench.status_board (
  review_id text NOT NULL,
  number integer NOT NULL,
  theme_id text,
  owning_agency_id text,
  text_en text,
  text_cy text,
  text_not_in_source boolean,
  current_period text,
  current_rating integer,
  current_stated boolean,
  previous_period text,
  previous_rating integer,
  previous_stated boolean,
  closed boolean,
  last_update_id text,
  last_update_period text,
  last_update_occurred_at timestamptz,
  last_update_position bigint,
  periods_missed text[],
  open_monitoring_activities integer,
  open_risks integer,
  PRIMARY KEY (review_id, number)
);
)sql";

// A value in COPY's text format.
void CopyField(absl::string_view v, std::string* out) {
  for (char c : v) {
    switch (c) {
      case '\\':
        out->append("\\\\");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      default:
        out->push_back(c);
    }
  }
}

// An array literal ({"a","b"}) of text elements.
template <typename Strings>
std::string ArrayLiteral(const Strings& v) {
  std::string out = "{";
  bool first = true;
  for (const auto& e : v) {
    if (!first) out.push_back(',');
    first = false;
    out.push_back('"');
    for (char c : absl::string_view(e)) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

// Appends one COPY line of `fields` (nullptr: NULL).
void CopyLine(const std::vector<const std::string*>& fields, std::string* out) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out->push_back('\t');
    if (fields[i] == nullptr) {
      out->append("\\N");
    } else {
      CopyField(*fields[i], out);
    }
  }
  out->push_back('\n');
}

std::string Bool(bool b) { return b ? "t" : "f"; }

// Writes every review's status board into the two tables, replacing what
// they held, in one transaction.
absl::Status WriteBoards(PgConnection* conn, const v1::ProjectionState& state,
                         uint64_t* rows) {
  std::string reviews_copy, board_copy;
  *rows = 0;
  for (const auto& [id, review] : state.reviews()) {
    v1::GetStatusBoardResponse board;
    pj::FillStatusBoard(review, &board);
    const std::string periods = ArrayLiteral(board.periods());
    const std::string open_periods = ArrayLiteral(board.open_periods());
    CopyLine({&id, &board.title().en(), &board.title().cy(), &periods,
              &open_periods},
             &reviews_copy);
    for (const v1::StatusBoardRow& row : board.rows()) {
      const std::string number = absl::StrCat(row.number());
      const std::string current_rating = absl::StrCat(row.current().rating());
      const std::string previous_rating = absl::StrCat(row.previous().rating());
      const std::string current_stated = Bool(row.current().stated());
      const std::string previous_stated = Bool(row.previous().stated());
      const std::string not_in_source = Bool(row.text_not_in_source());
      const std::string closed = Bool(row.closed());
      std::string occurred;
      if (row.has_last_update_occurred_at()) {
        occurred = absl::FormatTime(
            "%Y-%m-%d %H:%M:%E6S+00",
            absl::FromUnixSeconds(row.last_update_occurred_at().seconds()) +
                absl::Nanoseconds(row.last_update_occurred_at().nanos()),
            absl::UTCTimeZone());
      }
      const std::string update_position =
          absl::StrCat(row.last_update_position());
      const std::string missed = ArrayLiteral(row.periods_missed());
      const std::string activities =
          absl::StrCat(row.open_monitoring_activities());
      const std::string risks = absl::StrCat(row.open_risks());
      const bool updated = !row.last_update_id().empty();
      CopyLine({&id,
                &number,
                &row.theme_id(),
                &row.owning_agency_id(),
                &row.text().en(),
                &row.text().cy(),
                &not_in_source,
                &row.current().period(),
                &current_rating,
                &current_stated,
                &row.previous().period(),
                &previous_rating,
                &previous_stated,
                &closed,
                updated ? &row.last_update_id() : nullptr,
                updated ? &row.last_update_period() : nullptr,
                row.has_last_update_occurred_at() ? &occurred : nullptr,
                updated ? &update_position : nullptr,
                &missed,
                &activities,
                &risks},
               &board_copy);
      ++*rows;
    }
  }
  absl::Status s = conn->Exec(
      "BEGIN; TRUNCATE oversight_bench.status_board, oversight_bench.reviews;");
  if (s.ok()) {
    s = conn->CopyIn("COPY oversight_bench.reviews FROM STDIN", reviews_copy);
  }
  if (s.ok()) {
    s = conn->CopyIn("COPY oversight_bench.status_board FROM STDIN",
                     board_copy);
  }
  if (s.ok()) s = conn->Exec("COMMIT");
  if (!s.ok()) {
    // Leaves no transaction open on the connection, whatever failed.
    conn->Exec("ROLLBACK").IgnoreError();
    return s;
  }
  return conn->Exec(
      "ANALYZE oversight_bench.reviews; ANALYZE oversight_bench.status_board");
}

// ------------------------------------------------------------- queries

constexpr char kBoardQuery[] =
    "SELECT r.title_en, r.title_cy, r.periods, r.open_periods, b.number, "
    "b.theme_id, b.owning_agency_id, b.text_en, b.text_cy, "
    "b.text_not_in_source, b.current_period, b.current_rating, "
    "b.current_stated, b.previous_period, b.previous_rating, "
    "b.previous_stated, b.closed, b.last_update_id, b.last_update_period, "
    "(extract(epoch FROM b.last_update_occurred_at) * 1000000)::bigint, "
    "b.last_update_position, b.periods_missed, "
    "b.open_monitoring_activities, b.open_risks "
    "FROM oversight_bench.reviews r "
    "LEFT JOIN oversight_bench.status_board b ON b.review_id = r.review_id "
    "WHERE r.review_id = $1 ORDER BY b.number";

// The elements of an array in text output ({a,"b c"}).
template <typename Repeated>
void ParseArray(absl::string_view text, Repeated* out) {
  if (text.size() < 2) return;
  text = text.substr(1, text.size() - 2);
  std::string element;
  bool quoted = false, any = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    any = true;
    if (c == '"') {
      quoted = !quoted;
    } else if (c == '\\' && i + 1 < text.size()) {
      element.push_back(text[++i]);
    } else if (c == ',' && !quoted) {
      out->Add(std::move(element));
      element.clear();
    } else {
      element.push_back(c);
    }
  }
  if (any) out->Add(std::move(element));
}

// The status board of `review_id` from the tables, as the service would
// give it (reflects left empty).
absl::Status PgBoard(PgConnection* conn, const std::string& review_id,
                     v1::GetStatusBoardResponse* out) {
  const char* values[] = {review_id.c_str()};
  PGresult* r = PQexecPrepared(conn->raw(), "board", 1, values, nullptr,
                               nullptr, /*resultFormat=*/0);
  std::unique_ptr<PGresult, void (*)(PGresult*)> result(r, PQclear);
  if (PQresultStatus(r) != PGRES_TUPLES_OK) {
    return absl::InternalError(PQresultErrorMessage(r));
  }
  out->Clear();
  const int rows = PQntuples(r);
  if (rows == 0) return absl::NotFoundError(review_id);
  auto text = [r](int row, int col) {
    return absl::string_view(PQgetvalue(r, row, col), PQgetlength(r, row, col));
  };
  auto int_of = [&text](int row, int col) {
    int64_t v = 0;
    (void)absl::SimpleAtoi(text(row, col), &v);
    return v;
  };
  out->set_review_id(review_id);
  out->mutable_title()->set_en(std::string(text(0, 0)));
  out->mutable_title()->set_cy(std::string(text(0, 1)));
  ParseArray(text(0, 2), out->mutable_periods());
  ParseArray(text(0, 3), out->mutable_open_periods());
  for (int i = 0; i < rows; ++i) {
    if (PQgetisnull(r, i, 4)) continue;  // a review without recommendations
    v1::StatusBoardRow* row = out->add_rows();
    row->set_review_id(review_id);
    row->set_number(static_cast<int32_t>(int_of(i, 4)));
    row->set_theme_id(std::string(text(i, 5)));
    row->set_owning_agency_id(std::string(text(i, 6)));
    row->mutable_text()->set_en(std::string(text(i, 7)));
    row->mutable_text()->set_cy(std::string(text(i, 8)));
    row->set_text_not_in_source(text(i, 9) == "t");
    row->mutable_current()->set_period(std::string(text(i, 10)));
    row->mutable_current()->set_rating(static_cast<v1::Rating>(int_of(i, 11)));
    row->mutable_current()->set_stated(text(i, 12) == "t");
    row->mutable_previous()->set_period(std::string(text(i, 13)));
    row->mutable_previous()->set_rating(static_cast<v1::Rating>(int_of(i, 14)));
    row->mutable_previous()->set_stated(text(i, 15) == "t");
    row->set_closed(text(i, 16) == "t");
    if (!PQgetisnull(r, i, 17)) {
      row->set_last_update_id(std::string(text(i, 17)));
      row->set_last_update_period(std::string(text(i, 18)));
    }
    if (!PQgetisnull(r, i, 19)) {
      const int64_t micros = int_of(i, 19);
      row->mutable_last_update_occurred_at()->set_seconds(micros / 1000000);
      row->mutable_last_update_occurred_at()->set_nanos(
          static_cast<int32_t>(micros % 1000000) * 1000);
    }
    if (!PQgetisnull(r, i, 20)) {
      row->set_last_update_position(static_cast<uint64_t>(int_of(i, 20)));
    }
    ParseArray(text(i, 21), row->mutable_periods_missed());
    row->set_open_monitoring_activities(static_cast<int32_t>(int_of(i, 22)));
    row->set_open_risks(static_cast<int32_t>(int_of(i, 23)));
  }
  return absl::OkStatus();
}

// Where two boards differ, or an empty string when they agree. Without
// `in_full`, on the rows by number, their ratings and whether they are
// closed (what need-to-know leaves alone: a reader without sensitive
// content may see another last update); with it, on every field but the
// `reflects` only oversightd gives and the time's digits below the
// microsecond, which PostgreSQL's timestamptz does not keep, an unset
// field equal to its default.
std::string Difference(const v1::GetStatusBoardResponse& a,
                       const v1::GetStatusBoardResponse& b, bool in_full) {
  if (in_full) {
    auto normalized = [](v1::GetStatusBoardResponse board) {
      board.clear_reflects();
      for (v1::StatusBoardRow& row : *board.mutable_rows()) {
        if (row.has_last_update_occurred_at()) {
          google::protobuf::Timestamp* t =
              row.mutable_last_update_occurred_at();
          t->set_nanos(t->nanos() / 1000 * 1000);
        }
      }
      return board;
    };
    google::protobuf::util::MessageDifferencer differencer;
    // An unset sub-message equals an empty one (a row without a period).
    differencer.set_message_field_comparison(
        google::protobuf::util::MessageDifferencer::EQUIVALENT);
    std::string report;
    differencer.ReportDifferencesToString(&report);
    if (differencer.Compare(normalized(a), normalized(b))) return "";
    return report.substr(0, 2000);
  }
  if (a.rows_size() != b.rows_size()) {
    return absl::StrCat(a.rows_size(), " rows against ", b.rows_size());
  }
  auto same_rating = [](const v1::PeriodRating& x, const v1::PeriodRating& y) {
    return x.period() == y.period() && x.rating() == y.rating() &&
           x.stated() == y.stated();
  };
  for (int i = 0; i < a.rows_size(); ++i) {
    const v1::StatusBoardRow& x = a.rows(i);
    const v1::StatusBoardRow& y = b.rows(i);
    if (x.number() != y.number() || !same_rating(x.current(), y.current()) ||
        !same_rating(x.previous(), y.previous()) || x.closed() != y.closed()) {
      return absl::StrCat("recommendation ", x.number(), ": ",
                          x.ShortDebugString(), " against ",
                          y.ShortDebugString());
    }
  }
  return "";
}

grpc::Status OversightBoard(v1::Queries::Stub* stub,
                            const std::string& review_id,
                            const std::string& justification,
                            v1::GetStatusBoardResponse* out) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(60));
  AddAuditorMetadata(&context, "compare-bench", justification);
  v1::GetStatusBoardRequest request;
  request.set_review_id(review_id);
  return stub->GetStatusBoard(&context, request, out);
}

// The rate oversightd logs for its rebuild: "read models: rebuilt from the
// log (...); applied N events in D; at position P".
absl::StatusOr<double> RebuildRate(const std::string& line) {
  const size_t applied = line.find("applied ");
  const size_t in = line.find(" events in ", applied);
  const size_t end = line.find(';', in);
  if (line.find("rebuilt from the log") == std::string::npos ||
      applied == std::string::npos || in == std::string::npos ||
      end == std::string::npos) {
    return absl::InternalError(
        absl::StrCat("oversightd did not log a rebuild: \"", line, "\""));
  }
  uint64_t events = 0;
  absl::Duration took;
  if (!absl::SimpleAtoi(line.substr(applied + 8, in - applied - 8), &events) ||
      !absl::ParseDuration(line.substr(in + 11, end - in - 11), &took) ||
      took <= absl::ZeroDuration()) {
    return absl::InternalError(absl::StrCat("cannot read \"", line, "\""));
  }
  return static_cast<double>(events) / absl::ToDoubleSeconds(took);
}

absl::Status Run(const CompareOptions& options, const ModelOptions& model,
                 const std::string& dir, ModelResult* result) {
  absl::StatusOr<std::unique_ptr<PgConnection>> conn =
      PgConnection::Connect(options.pg);
  if (!conn.ok()) return conn.status();
  if (absl::Status s = GenerateAndImport(dir, model, conn->get(), result);
      !s.ok()) {
    return s;
  }
  Say(absl::StrFormat("imported into PostgreSQL in %.1f s",
                      result->import_seconds));
  if (absl::Status s = (*conn)->Exec(kBoardSchema); !s.ok()) return s;

  // PostgreSQL: read and fold, then the tables; the state of the last
  // repetition is kept for the queries.
  const int repetitions = std::max(1, options.base.repetitions);
  std::vector<double> fold_rates, rebuild_rates, table_seconds;
  auto state = std::make_unique<v1::ProjectionState>();
  // A first, untimed run warms both sides alike (caches, the server's
  // buffers).
  for (int r = 0; r <= repetitions; ++r) {
    state = std::make_unique<v1::ProjectionState>();
    uint64_t events = 0;
    const Clock::time_point t0 = Clock::now();
    if (absl::Status s = FoldFromPg(options.pg, state.get(), &events);
        !s.ok()) {
      return s;
    }
    const double fold_seconds = SecondsSince(t0);
    const Clock::time_point t1 = Clock::now();
    if (absl::Status s = WriteBoards(conn->get(), *state, &result->board_rows);
        !s.ok()) {
      return s;
    }
    const double tables = SecondsSince(t1);
    result->events = events;
    if (r == 0) continue;
    fold_rates.push_back(events / fold_seconds);
    rebuild_rates.push_back(events / (fold_seconds + tables));
    table_seconds.push_back(tables);
    Say(absl::StrFormat(
        "PostgreSQL: read and folded %d events at %.0f events/s; the "
        "status-board tables (%d rows) in %.2f s",
        events, fold_rates.back(), result->board_rows, tables));
  }
  result->reviews = static_cast<uint64_t>(state->reviews_size());
  result->pg_fold = RatePoint(fold_rates, "SELECT pages, fold in the client");
  result->pg_rebuild = RatePoint(
      rebuild_rates, "SELECT pages, fold, COPY the status-board tables");
  std::sort(table_seconds.begin(), table_seconds.end());
  result->pg_tables_seconds = table_seconds[table_seconds.size() / 2];

  // The reviews asked about: the same on both sides.
  std::vector<std::string> ids;
  for (const auto& [id, review] : state->reviews()) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  state.reset();
  if (ids.empty()) return absl::InternalError("the log holds no review");
  std::mt19937_64 rng(model.seed);
  std::vector<std::string> asked;
  asked.reserve(kWarmupCalls + model.queries);
  for (int i = 0; i < kWarmupCalls + model.queries; ++i) {
    asked.push_back(
        ids[std::uniform_int_distribution<size_t>(0, ids.size() - 1)(rng)]);
  }

  // PostgreSQL's answers.
  {
    PGresult* prepared =
        PQprepare((*conn)->raw(), "board", kBoardQuery, 1, nullptr);
    const bool ok = PQresultStatus(prepared) == PGRES_COMMAND_OK;
    const std::string error = ok ? "" : PQresultErrorMessage(prepared);
    PQclear(prepared);
    if (!ok) return absl::InternalError(error);
  }
  std::vector<v1::GetStatusBoardResponse> pg_boards(asked.size());
  std::vector<double> pg_ms;
  for (size_t i = 0; i < asked.size(); ++i) {
    const Clock::time_point t = Clock::now();
    if (absl::Status s = PgBoard(conn->get(), asked[i], &pg_boards[i]);
        !s.ok()) {
      return s;
    }
    if (i >= kWarmupCalls) pg_ms.push_back(SecondsSince(t) * 1e3);
  }
  result->pg_board = LatencyPoint(pg_ms, "prepared SELECT, two tables");

  // Oversight: the rebuilds (the first untimed, as above), each a fresh
  // process; then the queries against one started as a server normally
  // starts, from the snapshot the rebuilds wrote.
  std::vector<double> rates;
  for (int r = 0; r <= repetitions; ++r) {
    std::string line;
    std::vector<std::string> rebuild_flags = options.base.oversightd_flags;
    rebuild_flags.push_back("--rebuild");
    absl::StatusOr<std::unique_ptr<Daemon>> daemon =
        Daemon::Start(options.base.oversightd, dir, rebuild_flags,
                      [&line](const std::string& l) {
                        if (l.find("read models: ") != std::string::npos) {
                          line = l;
                        }
                      });
    if (!daemon.ok()) return daemon.status();
    (*daemon)->Stop();
    absl::StatusOr<double> rate = RebuildRate(line);
    if (!rate.ok()) return rate.status();
    Say(absl::StrFormat("oversightd --rebuild: %.0f events/s%s", *rate,
                        r == 0 ? " (warm-up)" : ""));
    if (r > 0) rates.push_back(*rate);
  }
  absl::StatusOr<std::unique_ptr<Daemon>> daemon =
      Daemon::Start(options.base.oversightd, dir, options.base.oversightd_flags,
                    [](const std::string&) {});
  if (!daemon.ok()) return daemon.status();
  std::unique_ptr<v1::Queries::Stub> stub =
      NewQueriesStub((*daemon)->address());
  // Without a justification, then with one: the two ways oversightd
  // answers (need-to-know, security.md).
  for (const bool justified : {false, true}) {
    std::vector<double> ms;
    ModelResult::Boards& boards =
        justified ? result->justified : result->unjustified;
    for (size_t i = 0; i < asked.size(); ++i) {
      v1::GetStatusBoardResponse board;
      const Clock::time_point t = Clock::now();
      grpc::Status s = OversightBoard(stub.get(), asked[i],
                                      justified ? kJustification : "", &board);
      const double call_ms = SecondsSince(t) * 1e3;
      if (!s.ok()) {
        (*daemon)->Stop();
        return absl::InternalError(
            absl::StrCat("GetStatusBoard ", asked[i], ": ", s.error_message()));
      }
      if (i >= kWarmupCalls) ms.push_back(call_ms);
      ++boards.compared;
      if (std::string d = Difference(board, pg_boards[i], justified);
          !d.empty()) {
        if (boards.differing++ == 0) {
          boards.first_difference = absl::StrCat(asked[i], ": ", d);
        }
      }
    }
    boards.latency = LatencyPoint(
        ms, justified ? "gRPC GetStatusBoard, an auditor with a justification"
                      : "gRPC GetStatusBoard, an auditor without one");
  }
  (*daemon)->Stop();
  result->oversight_rebuild =
      RatePoint(rates, "oversightd --rebuild (scan, fold on two threads)");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ModelResult> RunModel(const CompareOptions& options,
                                     const ModelOptions& model) {
  const std::string dir = FreshDir(options.base.scratch, "model");
  ModelResult result;
  absl::Status s = Run(options, model, dir, &result);
  if (!options.base.keep_dirs) RemoveDir(dir);
  if (!s.ok()) return s;
  return result;
}

}  // namespace oversight::bench
