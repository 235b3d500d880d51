#include "bench/report.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace oversight::bench {

namespace {

// The aim for ReadAll over gRPC, in events per second.
constexpr double kReadAllAim = 200000;

const Point* Find(const Report& report, const std::string& key) {
  for (const Point& p : report.points) {
    if (p.key == key && p.events_per_sec > 0) return &p;
  }
  return nullptr;
}

// The better of the gRPC channel modes measured for `key`.
const Point* BestGrpc(const Report& report, const std::string& key) {
  const Point* a = Find(report, key);
  const Point* b = Find(report, key + ".shared");
  if (a == nullptr) return b;
  if (b == nullptr) return a;
  return a->events_per_sec >= b->events_per_sec ? a : b;
}

std::string Label(const Point& p) {
  return absl::StrFormat("%s ×%d (%s)", p.workload, p.concurrency, p.variant);
}

Ratio Divide(const std::string& name, const Point* num, const Point* den,
             double aim) {
  Ratio r;
  r.name = name;
  r.aim = aim;
  if (num == nullptr || den == nullptr) return r;
  r.available = true;
  r.value = num->events_per_sec / den->events_per_sec;
  r.detail =
      absl::StrFormat("%.0f / %.0f events/s: %s / %s", num->events_per_sec,
                      den->events_per_sec, Label(*num), Label(*den));
  return r;
}

std::string Rate(double events_per_sec) {
  return absl::StrFormat("%.0f", events_per_sec);
}

}  // namespace

std::vector<Ratio> ComputeRatios(const Report& report, int max_threads,
                                 int batch_size) {
  std::vector<Ratio> out;
  const std::string n = absl::StrCat(max_threads);
  const std::string batch = absl::StrCat("batch", batch_size);
  out.push_back(
      Divide(absl::StrCat("gRPC single appends, ", n,
                          " clients / raw synced writes, ", n, " threads"),
             BestGrpc(report, "grpc.single." + n),
             Find(report, "raw.single." + n), 1.0));
  out.push_back(
      Divide(absl::StrCat("gRPC AppendStream single appends, ", n,
                          " clients / raw synced writes, ", n, " threads"),
             BestGrpc(report, "grpc_stream.single." + n),
             Find(report, "raw.single." + n), 1.0));
  out.push_back(Divide(absl::StrCat("gRPC ", batch_size,
                                    "-event batches, 1 client / raw synced "
                                    "batches, 1 thread"),
                       BestGrpc(report, "grpc." + batch + ".1"),
                       Find(report, "raw." + batch + ".1"), 0.6));
  out.push_back(Divide(absl::StrCat("gRPC AppendStream ", batch_size,
                                    "-event batches, 1 client / raw synced "
                                    "batches, 1 thread"),
                       BestGrpc(report, "grpc_stream." + batch + ".1"),
                       Find(report, "raw." + batch + ".1"), 0.6));
  {
    Ratio r;
    r.name = "gRPC ReadAll / 200,000 events/s";
    r.aim = 1.0;
    if (const Point* p = Find(report, "read.grpc")) {
      r.available = true;
      r.value = p->events_per_sec / kReadAllAim;
      r.detail = absl::StrFormat("%.0f events/s", p->events_per_sec);
    }
    out.push_back(r);
  }
  // Informative: where the gap between gRPC and raw RocksDB comes from.
  out.push_back(Divide(
      absl::StrCat("gRPC single appends, ", n,
                   " clients / gRPC GetHead calls, ", n, " clients"),
      BestGrpc(report, "grpc.single." + n), Find(report, "grpc.ping." + n), 0));
  for (const char* t : {"1", "8", "32"}) {
    if (n == t) continue;
    out.push_back(Divide(absl::StrCat("gRPC single, ", t, " / raw, ", t),
                         BestGrpc(report, absl::StrCat("grpc.single.", t)),
                         Find(report, absl::StrCat("raw.single.", t)), 0));
  }
  for (const char* t : {"1", "8", "32"}) {
    out.push_back(Divide(absl::StrCat("direct Append, ", t, " / raw, ", t),
                         Find(report, absl::StrCat("direct.single.", t)),
                         Find(report, absl::StrCat("raw.single.", t)), 0));
  }
  for (const char* t : {"1", "8", "32"}) {
    out.push_back(
        Divide(absl::StrCat("gRPC single, ", t, " / direct Append, ", t),
               BestGrpc(report, absl::StrCat("grpc.single.", t)),
               Find(report, absl::StrCat("direct.single.", t)), 0));
  }
  out.push_back(Divide(absl::StrCat("gRPC batches, 8 clients / raw batches, "
                                    "8 threads"),
                       BestGrpc(report, "grpc." + batch + ".8"),
                       Find(report, "raw." + batch + ".8"), 0));
  out.push_back(Divide(absl::StrCat("gRPC async-client single appends, ", n,
                                    " calls in flight / raw, ", n),
                       Find(report, "grpc_async.single." + n),
                       Find(report, "raw.single." + n), 0));
  out.push_back(Divide("direct batches, 1 / raw batches, 1",
                       Find(report, "direct." + batch + ".1"),
                       Find(report, "raw." + batch + ".1"), 0));
  out.push_back(Divide("gRPC ReadAll / direct ReadAll",
                       Find(report, "read.grpc"), Find(report, "read.direct"),
                       0));
  out.push_back(Divide("gRPC Subscribe catch-up / gRPC ReadAll",
                       Find(report, "read.subscribe"),
                       Find(report, "read.grpc"), 0));
  std::vector<Ratio> available;
  for (Ratio& r : out) {
    if (r.available || r.aim > 0) available.push_back(std::move(r));
  }
  return available;
}

std::string RenderMarkdown(const Report& report,
                           const std::vector<Ratio>& ratios) {
  std::string md;
  const MachineInfo& m = report.machine;
  absl::StrAppend(&md, "# oversight_bench results\n\n");
  absl::StrAppend(&md, "- Command: `", report.command, "`\n");
  absl::StrAppend(&md, "- Started: ", report.started, "; took ",
                  absl::StrFormat("%.0f", report.wall_seconds), " s\n");
  absl::StrAppend(&md, "- Settings: ", report.settings, "\n");
  absl::StrAppend(&md, "- Machine: nproc ", m.nproc, ", ", m.cpu_model, ", ",
                  m.memory, " RAM, ", m.kernel, "\n");
  absl::StrAppend(&md, "- Scratch file system: ", m.filesystem, "\n");
  absl::StrAppend(&md, "- Load average at start: ", m.load_average, "\n\n");

  absl::StrAppend(&md, "## Results (median of repetitions)\n\n");
  absl::StrAppend(&md,
                  "| Workload | Conc. | Variant | events/s | p50 ms | p99 ms "
                  "| CPU µs/event | repetitions (events/s) | notes |\n");
  absl::StrAppend(&md, "|---|---:|---|---:|---:|---:|---:|---|---|\n");
  for (const Point& p : report.points) {
    std::vector<std::string> reps;
    for (double r : p.repetitions) reps.push_back(Rate(r));
    std::string note = p.note;
    if (p.errors > 0) {
      note =
          absl::StrCat(p.errors, " failed ops", note.empty() ? "" : "; ", note);
    }
    absl::StrAppend(
        &md, "| ", p.workload, " | ", p.concurrency, " | ", p.variant, " | ",
        Rate(p.events_per_sec), " | ",
        p.has_latency ? absl::StrFormat("%.2f", p.p50_ms) : "–", " | ",
        p.has_latency ? absl::StrFormat("%.2f", p.p99_ms) : "–", " | ",
        p.cpu_us_per_event > 0 ? absl::StrFormat("%.0f", p.cpu_us_per_event)
                               : "–",
        " | ", absl::StrJoin(reps, ", "), " | ", note, " |\n");
  }
  absl::StrAppend(&md,
                  "\nConc. = client threads. Latencies are per call (per "
                  "page for ReadAll). CPU µs/event = user + system CPU of "
                  "the whole process (clients, server, log, RocksDB) over "
                  "the measurement window, per event; the machine has ",
                  m.nproc, " CPUs, so at most ", m.nproc,
                  " CPU-seconds per second are available.\n\n");

  absl::StrAppend(&md,
                  "## Ratios\n\n| Ratio | Value | Aim | Met | Figures "
                  "|\n|---|---:|---:|---|---|\n");
  for (const Ratio& r : ratios) {
    const std::string value =
        r.available ? absl::StrFormat("%.2f", r.value) : "n/a";
    const std::string aim =
        r.aim > 0 ? absl::StrFormat("≥ %.2f", r.aim) : "(info)";
    std::string met = "";
    if (r.aim > 0)
      met = !r.available ? "not measured" : r.value >= r.aim ? "yes" : "**no**";
    absl::StrAppend(&md, "| ", r.name, " | ", value, " | ", aim, " | ", met,
                    " | ", r.detail, " |\n");
  }
  return md;
}

}  // namespace oversight::bench
