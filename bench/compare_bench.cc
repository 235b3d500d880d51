// compare_bench: Oversight side by side with raw RocksDB (the physical
// limit) and with a Message-DB-style event table in PostgreSQL, in one run
// on one machine, with the same event sizes, durability and client
// concurrency (docs/benchmarks.md, "Against PostgreSQL"). Run it with
// `bash bench/run_compare.sh`, which starts the PostgreSQL it measures.
//
//   compare_bench --pg="host=127.0.0.1 port=54329 user=postgres
//   dbname=postgres"
//
// Workloads: durable single-event appends with the expected revision (1, 8
// and 32 clients); 100-event batch appends; reading the whole log
// forwards; delivery lag of 100 subscribers while 8 clients append; and
// at 1,000,000 domain events, the rebuild of the read models and the
// status board query (compare_model.h).
// Oversight is an oversightd process on a fresh data directory for every
// point; PostgreSQL's table is emptied before every point.

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "bench/compare_model.h"
#include "bench/compare_workloads.h"
#include "bench/harness.h"
#include "bench/pg_store.h"
#include "bench/workloads.h"

#ifndef OVERSIGHTD_PATH
#define OVERSIGHTD_PATH ""
#endif

ABSL_FLAG(std::string, pg, "",
          "libpq connection string of the PostgreSQL to measure (required).");
ABSL_FLAG(std::string, oversightd, OVERSIGHTD_PATH,
          "The oversightd binary to measure.");
ABSL_FLAG(std::vector<std::string>, oversightd_flags, {},
          "Flags for every oversightd it starts, comma-separated, e.g. "
          "--oversightd_flags=--subscription_threads=4,--command_threads=4.");
ABSL_FLAG(std::string, dir, "",
          "Parent of the fresh data directories (default: $TMPDIR or /tmp).");
ABSL_FLAG(double, duration_seconds, 3, "Measurement window of each point.");
ABSL_FLAG(double, warmup_seconds, 0.5, "Warm-up before each window.");
ABSL_FLAG(int, repetitions, 3, "Repetitions of each point (median kept).");
ABSL_FLAG(int, event_bytes, 1024, "Bytes of data per event.");
ABSL_FLAG(std::string, threads, "1,8,32",
          "Client counts of the single-event appends.");
ABSL_FLAG(int, batch_size, 100, "Events per batch of the batch appends.");
ABSL_FLAG(std::string, batch_threads, "1",
          "Client counts of the batch appends.");
ABSL_FLAG(int, read_events, 200000, "Events in the log that is read.");
ABSL_FLAG(int, read_page, 1000, "Events per page of the reads.");
ABSL_FLAG(int, subscribers, 100, "Subscribers of the lag workload.");
ABSL_FLAG(int, lag_appenders, 8, "Appending clients of the lag workload.");
ABSL_FLAG(bool, lag_unbatched, true,
          "Measure Oversight's lag with one event a response too.");
ABSL_FLAG(bool, lag_callback, true,
          "Measure Oversight's batched lag with subscribers on gRPC's "
          "callback API too: one process, served by gRPC's own few threads, "
          "as a service following the log would be (only with --lag_batch "
          "above 1). Each round alternates which of the two goes first.");
ABSL_FLAG(int, lag_batch, 1000,
          "Oversight's lag is also measured with subscribers asking for up "
          "to this many events a response (max_events_per_response; 0 or "
          "1: not).");
ABSL_FLAG(uint64_t, model_events, 1000000,
          "Events in the generated domain log of the read-model workload.");
ABSL_FLAG(int, model_queries, 200,
          "Status boards asked for on each side in the read-model workload.");
ABSL_FLAG(uint64_t, model_seed, 20250101,
          "Seed of the read-model workload's log and of the reviews asked "
          "about.");
ABSL_FLAG(std::string, only, "append,batch,read,lag,model",
          "Which workloads to run, comma-separated: append, batch, read, "
          "lag, model.");
ABSL_FLAG(std::string, output_markdown, "",
          "Also write the report to this file.");
ABSL_FLAG(std::string, output_data, "",
          "Write the chart's data (gnuplot columns) to this file.");

namespace oversight::bench {
namespace {

std::vector<int> ParseInts(const std::string& list) {
  std::vector<int> out;
  for (absl::string_view part : absl::StrSplit(list, ',', absl::SkipEmpty())) {
    int v = 0;
    if (!absl::SimpleAtoi(part, &v) || v <= 0) {
      std::cerr << "compare_bench: not a positive count: " << part << "\n";
      std::exit(2);
    }
    out.push_back(v);
  }
  return out;
}

// The three systems a row compares.
struct Row {
  std::string workload;
  int concurrency = 1;
  const Point* raw = nullptr;
  const Point* oversight = nullptr;  // The better Oversight client.
  std::string oversight_how;         // Which one.
  const Point* pg = nullptr;
  std::string unit = "events/s";
};

std::string Rate(const Point* p) {
  if (p == nullptr) return "–";
  if (p->events_per_sec <= 0) return "error";
  return absl::StrFormat("%.0f", p->events_per_sec);
}
std::string Latency(const Point* p) {
  if (p == nullptr || !p->has_latency) return "–";
  return absl::StrFormat("%.2f / %.2f", p->p50_ms, p->p99_ms);
}
std::string RatioOf(const Point* a, const Point* b) {
  if (a == nullptr || b == nullptr || b->events_per_sec <= 0) return "–";
  return absl::StrFormat("%.2f", a->events_per_sec / b->events_per_sec);
}
std::string Reps(const Point& p) {
  std::vector<std::string> v;
  for (double r : p.repetitions) v.push_back(absl::StrFormat("%.0f", r));
  return absl::StrJoin(v, ", ");
}

const Point* Better(const Point* a, const Point* b, std::string* how) {
  if (a == nullptr) return b;
  if (b == nullptr || a->events_per_sec >= b->events_per_sec) {
    *how = a->workload;
    return a;
  }
  *how = b->workload;
  return b;
}

std::string Ms(const Point& p) {
  if (!p.has_latency) return "–";
  return absl::StrFormat("%.2f / %.2f", p.p50_ms, p.p99_ms);
}

// The section of the report on the read-model workload.
std::string ModelReport(const std::optional<ModelResult>& m,
                        const std::string& error) {
  std::string md = "\n### Read models\n\n";
  if (!m.has_value()) {
    absl::StrAppend(&md, "The workload failed: ", error, "\n");
    return md;
  }
  absl::StrAppendFormat(
      &md,
      "A generated domain log of %d events (%d reviews, %d status-board "
      "rows), generated in %.1f s and imported into PostgreSQL in %.1f s. "
      "Rebuilds: medians of %d.\n\n",
      m->events, m->reviews, m->board_rows, m->generate_seconds,
      m->import_seconds,
      static_cast<int>(m->oversight_rebuild.repetitions.size()));
  md +=
      "| Workload | Oversight | PostgreSQL | Oversight / PostgreSQL |\n"
      "|---|---:|---:|---:|\n";
  auto ratio = [](double a, double b) {
    return b > 0 ? absl::StrFormat("%.2f", a / b) : std::string("–");
  };
  absl::StrAppendFormat(
      &md,
      "| rebuild of the read models: read and fold, events/s | %.0f | %.0f | "
      "%s |\n",
      m->oversight_rebuild.events_per_sec, m->pg_fold.events_per_sec,
      ratio(m->oversight_rebuild.events_per_sec, m->pg_fold.events_per_sec));
  absl::StrAppendFormat(
      &md,
      "| PostgreSQL's rebuild with writing its status-board tables, events/s "
      "(Oversight's snapshot, written after its rebuild, is in neither "
      "figure) | – | %.0f | – |\n",
      m->pg_rebuild.events_per_sec);
  for (const ModelResult::Boards* b : {&m->unjustified, &m->justified}) {
    absl::StrAppendFormat(
        &md,
        "| status board now, p50 / p99 ms (Oversight: an auditor %s) | %s | "
        "%s | %s (p99, PostgreSQL / Oversight) |\n",
        b == &m->justified ? "with a justification" : "without one",
        Ms(b->latency), Ms(m->pg_board),
        ratio(m->pg_board.p99_ms, b->latency.p99_ms));
  }
  md += "\n| System | How | repetitions, events/s |\n|---|---|---|\n";
  for (const Point* p : {&m->oversight_rebuild, &m->pg_fold, &m->pg_rebuild}) {
    absl::StrAppendFormat(
        &md, "| %s | %s | %s |\n",
        p == &m->oversight_rebuild ? "Oversight" : "PostgreSQL", p->workload,
        Reps(*p));
  }
  absl::StrAppendFormat(
      &md,
      "\nWriting PostgreSQL's two status-board tables (COPY, then ANALYZE) "
      "took %.2f s of its rebuild.",
      m->pg_tables_seconds);
  for (const ModelResult::Boards* b : {&m->unjustified, &m->justified}) {
    absl::StrAppendFormat(
        &md,
        " With%s a justification, the boards of %d calls were compared %s: "
        "%d differed%s.",
        b == &m->justified ? "" : "out", b->compared,
        b == &m->justified ? "in full" : "(rows, ratings, closed)",
        b->differing,
        b->first_difference.empty()
            ? ""
            : absl::StrCat(", the first: ", b->first_difference));
  }
  md += "\n";
  return md;
}

int Main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Oversight against raw RocksDB and a PostgreSQL event store. "
      "Usually run through bench/run_compare.sh.");
  absl::ParseCommandLine(argc, argv);
  CompareOptions options;
  options.pg = absl::GetFlag(FLAGS_pg);
  options.base.oversightd = absl::GetFlag(FLAGS_oversightd);
  options.base.oversightd_flags = absl::GetFlag(FLAGS_oversightd_flags);
  options.base.duration_seconds = absl::GetFlag(FLAGS_duration_seconds);
  options.base.warmup_seconds = absl::GetFlag(FLAGS_warmup_seconds);
  options.base.repetitions = std::max(1, absl::GetFlag(FLAGS_repetitions));
  options.base.event_bytes =
      static_cast<size_t>(absl::GetFlag(FLAGS_event_bytes));
  options.base.scratch = absl::GetFlag(FLAGS_dir);
  if (options.base.scratch.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    options.base.scratch = tmp != nullptr && *tmp ? tmp : "/tmp";
  }
  if (options.pg.empty() || options.base.oversightd.empty()) {
    std::cerr << "compare_bench: --pg and --oversightd are required\n";
    return 2;
  }
  const std::string only = absl::GetFlag(FLAGS_only);
  auto runs = [&only](absl::string_view w) {
    for (absl::string_view part : absl::StrSplit(only, ',')) {
      if (part == w) return true;
    }
    return false;
  };
  {
    absl::StatusOr<std::unique_ptr<PgConnection>> conn =
        PgConnection::Connect(options.pg);
    if (!conn.ok()) {
      std::cerr << "compare_bench: " << conn.status() << "\n";
      return 1;
    }
    if (absl::Status s = pg_store::CreateSchema(conn->get()); !s.ok()) {
      std::cerr << "compare_bench: creating the schema: " << s << "\n";
      return 1;
    }
  }
  const MachineInfo machine = DescribeMachine(options.base.scratch);
  const std::time_t started = std::time(nullptr);
  char started_text[64];
  std::strftime(started_text, sizeof started_text, "%Y-%m-%d %H:%M UTC",
                std::gmtime(&started));
  std::cerr << "compare_bench: nproc " << machine.nproc << ", "
            << machine.filesystem << ", started " << started_text << "\n";

  const int batch = absl::GetFlag(FLAGS_batch_size);
  std::vector<PointSpec> specs;
  if (runs("append")) {
    for (int t : ParseInts(absl::GetFlag(FLAGS_threads))) {
      specs.push_back(RawSpec(options.base, t, 1));
      specs.push_back(GrpcSpec(options.base, t, 1, ChannelMode::kShared));
      specs.push_back(GrpcStreamSpec(options.base, t, 1, ChannelMode::kShared));
      specs.push_back(PgSpec(options, t, 1));
    }
  }
  if (runs("batch")) {
    for (int t : ParseInts(absl::GetFlag(FLAGS_batch_threads))) {
      specs.push_back(RawSpec(options.base, t, batch));
      specs.push_back(
          GrpcSpec(options.base, t, batch, ChannelMode::kPerClient));
      specs.push_back(
          GrpcStreamSpec(options.base, t, batch, ChannelMode::kPerClient));
      specs.push_back(PgSpec(options, t, batch));
    }
  }
  std::vector<Point> points = RunRounds(options.base, specs);
  std::map<std::string, const Point*> by_key;
  for (const Point& p : points) by_key[p.key] = &p;
  auto find = [&by_key](const std::string& key) -> const Point* {
    auto it = by_key.find(key);
    return it == by_key.end() ? nullptr : it->second;
  };

  std::vector<Row> rows;
  if (runs("append")) {
    for (int t : ParseInts(absl::GetFlag(FLAGS_threads))) {
      Row row;
      row.workload = "durable single-event appends, expected revision";
      row.concurrency = t;
      row.raw = find(absl::StrCat("raw.single.", t));
      row.oversight =
          Better(find(absl::StrCat("grpc.single.", t, ".shared")),
                 find(absl::StrCat("grpc_stream.single.", t, ".shared")),
                 &row.oversight_how);
      row.pg = find(absl::StrCat("pg.single.", t));
      rows.push_back(row);
    }
  }
  if (runs("batch")) {
    for (int t : ParseInts(absl::GetFlag(FLAGS_batch_threads))) {
      Row row;
      row.workload = absl::StrCat(batch, "-event batch appends");
      row.concurrency = t;
      row.raw = find(absl::StrCat("raw.batch", batch, ".", t));
      row.oversight =
          Better(find(absl::StrCat("grpc.batch", batch, ".", t)),
                 find(absl::StrCat("grpc_stream.batch", batch, ".", t)),
                 &row.oversight_how);
      row.pg = find(absl::StrCat("pg.batch", batch, ".", t));
      rows.push_back(row);
    }
  }
  // Reads and lag are measured apart from the rounds.
  // Rows point into it: room for every point, so that it never moves.
  std::vector<Point> extra;
  extra.reserve(8);
  const int read_events = absl::GetFlag(FLAGS_read_events);
  const int read_page = absl::GetFlag(FLAGS_read_page);
  if (runs("read")) {
    std::cerr << "compare_bench: reading the whole log\n";
    extra.push_back(ReadRaw(options, read_events));
    extra.back().workload = "raw RocksDB iterator over the log";
    extra.push_back(ReadOversight(options, read_events, read_page));
    extra.back().workload = absl::StrCat("gRPC ReadAll, pages of ", read_page);
    extra.push_back(ReadPg(options, read_events, read_page));
    extra.back().workload = absl::StrCat("SELECT, pages of ", read_page);
    Row row;
    row.workload =
        absl::StrCat("read the whole log forwards (", read_events, " events)");
    row.raw = &extra[extra.size() - 3];
    row.oversight = &extra[extra.size() - 2];
    row.oversight_how = row.oversight->workload;
    row.pg = &extra[extra.size() - 1];
    rows.push_back(row);
  }
  if (runs("lag")) {
    LagOptions lag;
    lag.subscribers = absl::GetFlag(FLAGS_subscribers);
    lag.appenders = absl::GetFlag(FLAGS_lag_appenders);
    LagOptions batched = lag;
    batched.max_events_per_response =
        static_cast<uint32_t>(absl::GetFlag(FLAGS_lag_batch));
    LagOptions callback = batched;
    callback.callback_subscribers = true;
    std::vector<Point> oversight_runs, batched_runs, callback_runs, pg_runs;
    auto say = [](const char* name, const Point& p) {
      std::cerr << "  " << name << ": p50 " << p.p50_ms << " ms, p99 "
                << p.p99_ms << " ms, " << p.events_per_sec << " appends/s, "
                << p.note << "\n";
    };
    for (int r = 0; r < options.base.repetitions; ++r) {
      std::cerr << "compare_bench: lag, round " << r + 1 << "\n";
      if (absl::GetFlag(FLAGS_lag_unbatched)) {
        oversight_runs.push_back(LagOversight(options, lag));
        say("oversight, an event per response", oversight_runs.back());
      }
      if (batched.max_events_per_response > 1) {
        // The thread-per-subscriber and callback runs take turns going
        // first, so neither always follows the other.
        auto run_batched = [&] {
          batched_runs.push_back(LagOversight(options, batched));
          say("oversight, batched responses", batched_runs.back());
        };
        auto run_callback = [&] {
          callback_runs.push_back(LagOversight(options, callback));
          say("oversight, batched responses, callback subscribers",
              callback_runs.back());
        };
        const bool callbacks = absl::GetFlag(FLAGS_lag_callback);
        if (callbacks && r % 2 == 1) run_callback();
        run_batched();
        if (callbacks && r % 2 == 0) run_callback();
      }
      pg_runs.push_back(LagPg(options, lag));
      say("pg", pg_runs.back());
    }
    // The median repetition by p99 lag.
    auto median_by_p99 = [](std::vector<Point> v) {
      std::sort(v.begin(), v.end(), [](const Point& a, const Point& b) {
        return a.p99_ms < b.p99_ms;
      });
      Point m = v[v.size() / 2];
      m.repetitions.clear();
      for (const Point& p : v) m.repetitions.push_back(p.p99_ms);
      return m;
    };
    extra.push_back(median_by_p99(pg_runs));
    extra.back().workload = "LISTEN/NOTIFY, then SELECT from the last position";
    const size_t pg_index = extra.size() - 1;
    if (!oversight_runs.empty()) {
      extra.push_back(median_by_p99(oversight_runs));
      extra.back().workload =
          "gRPC Subscribe from the end, an event a response";
    }
    if (!batched_runs.empty()) {
      extra.push_back(median_by_p99(batched_runs));
      extra.back().workload =
          absl::StrCat("gRPC Subscribe from the end, up to ",
                       batched.max_events_per_response, " events a response");
    }
    if (!callback_runs.empty()) {
      extra.push_back(median_by_p99(callback_runs));
      extra.back().workload =
          absl::StrCat("gRPC Subscribe from the end, up to ",
                       batched.max_events_per_response,
                       " events a response, subscribers on the callback API");
    }
    for (size_t i = pg_index + 1; i < extra.size(); ++i) {
      Row row;
      row.workload = absl::StrCat(
          "delivery lag, ", lag.subscribers, " subscribers, ", lag.appenders,
          " clients appending (Oversight: ",
          extra[i].workload.substr(extra[i].workload.find("end, ") + 5), ")");
      row.concurrency = lag.appenders;
      row.oversight = &extra[i];
      row.oversight_how = row.oversight->workload;
      row.pg = &extra[pg_index];
      row.unit = "lag";
      rows.push_back(row);
    }
  }

  std::optional<ModelResult> model;
  std::string model_error;
  if (runs("model")) {
    ModelOptions m;
    m.events = absl::GetFlag(FLAGS_model_events);
    m.queries = std::max(1, absl::GetFlag(FLAGS_model_queries));
    m.seed = absl::GetFlag(FLAGS_model_seed);
    std::cerr << "compare_bench: read models at " << m.events << " events\n";
    absl::StatusOr<ModelResult> r = RunModel(options, m);
    if (r.ok()) {
      model = *std::move(r);
    } else {
      model_error = r.status().ToString();
      std::cerr << "  error: " << model_error << "\n";
    }
  }

  // ------------------------------------------------------------ report
  std::string md;
  absl::StrAppendFormat(
      &md,
      "Machine: nproc %d, %s, %s; scratch on %s; load average at the start "
      "%s. Started %s.\n\n",
      machine.nproc, machine.cpu_model, machine.memory, machine.filesystem,
      machine.load_average, started_text);
  absl::StrAppendFormat(
      &md,
      "Settings: %d repetitions (median), %.1f s windows after %.1f s of "
      "warm-up, %d-byte events; PostgreSQL at `%s`.\n\n",
      options.base.repetitions, options.base.duration_seconds,
      options.base.warmup_seconds, options.base.event_bytes, options.pg);
  md +=
      "| Workload | Clients | raw RocksDB | Oversight (gRPC) | PostgreSQL | "
      "Oversight / raw | Oversight / PostgreSQL |\n"
      "|---|---:|---:|---:|---:|---:|---:|\n";
  for (const Row& r : rows) {
    if (r.unit == "lag") {
      absl::StrAppendFormat(
          &md,
          "| %s, p50 / p99 ms | %d | – | %s | %s | – | %s (p99, PostgreSQL / "
          "Oversight) |\n",
          r.workload, r.concurrency, Latency(r.oversight), Latency(r.pg),
          r.oversight != nullptr && r.pg != nullptr && r.oversight->p99_ms > 0
              ? absl::StrFormat("%.1f", r.pg->p99_ms / r.oversight->p99_ms)
              : "–");
      continue;
    }
    absl::StrAppendFormat(
        &md, "| %s, events/s | %d | %s | %s | %s | %s | %s |\n", r.workload,
        r.concurrency, Rate(r.raw), Rate(r.oversight), Rate(r.pg),
        RatioOf(r.oversight, r.raw), RatioOf(r.oversight, r.pg));
  }
  md +=
      "\nEvery point, with its latency (per call; for reads the whole read) "
      "and each repetition:\n\n"
      "| System | Workload | Clients | events/s | p50 / p99 ms | "
      "repetitions | notes |\n|---|---|---:|---:|---:|---|---|\n";
  auto system_of = [](const std::string& key) -> std::string {
    if (key.rfind("raw.", 0) == 0) return "raw RocksDB";
    if (key.rfind("pg.", 0) == 0) return "PostgreSQL";
    return "Oversight";
  };
  for (const Point& p : points) {
    absl::StrAppendFormat(&md, "| %s | %s (%s) | %d | %s | %s | %s | %s |\n",
                          system_of(p.key), p.workload, p.variant,
                          p.concurrency, Rate(&p), Latency(&p), Reps(p),
                          p.note);
  }
  for (const Point& p : extra) {
    const bool lag = p.workload.find("Subscribe") != std::string::npos ||
                     p.workload.find("LISTEN") != std::string::npos;
    absl::StrAppendFormat(
        &md, "| %s | %s | %s | %s | %s | %s%s | %s |\n",
        p.workload.rfind("raw", 0) == 0
            ? "raw RocksDB"
            : (p.workload.find("SELECT") != std::string::npos ? "PostgreSQL"
                                                              : "Oversight"),
        p.workload,
        lag ? absl::StrCat(absl::GetFlag(FLAGS_lag_appenders)) : "1", Rate(&p),
        lag ? Latency(&p) : "–", Reps(p), lag ? " (p99 ms)" : "", p.note);
  }
  if (runs("model")) md += ModelReport(model, model_error);
  std::cout << md;
  if (const std::string path = absl::GetFlag(FLAGS_output_markdown);
      !path.empty()) {
    std::ofstream(path) << md;
  }
  if (const std::string path = absl::GetFlag(FLAGS_output_data);
      !path.empty()) {
    std::ofstream out(path);
    out << "# label raw oversight postgresql (events/s; 0: not measured)\n";
    for (const Row& r : rows) {
      if (r.unit == "lag") continue;
      std::string label = r.workload.substr(0, r.workload.find(','));
      label = label.substr(0, label.find(" ("));
      if (r.workload.find("single") != std::string::npos) {
        label = absl::StrCat("appends x", r.concurrency);
      } else if (r.workload.find("batch") != std::string::npos) {
        label = absl::StrCat("batches x", r.concurrency);
      } else {
        label = "read all";
      }
      auto v = [](const Point* p) {
        return p == nullptr ? 0.0 : p->events_per_sec;
      };
      out << '"' << label << "\" " << absl::StrFormat("%.0f", v(r.raw)) << ' '
          << absl::StrFormat("%.0f", v(r.oversight)) << ' '
          << absl::StrFormat("%.0f", v(r.pg)) << "\n";
    }
    if (model.has_value()) {
      // Read and fold on both sides; no raw RocksDB figure: it holds no
      // read model.
      out << "\"rebuild\" 0 "
          << absl::StrFormat("%.0f", model->oversight_rebuild.events_per_sec)
          << ' ' << absl::StrFormat("%.0f", model->pg_fold.events_per_sec)
          << "\n";
    }
  }
  // The read-model workload's failure fails the run (the report says
  // why); a failed point of the others is an error in its row.
  return model_error.empty() ? 0 : 1;
}

}  // namespace
}  // namespace oversight::bench

int main(int argc, char** argv) { return oversight::bench::Main(argc, argv); }
