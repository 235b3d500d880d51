#include "bench/harness.h"

#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace oversight::bench {

namespace {

using Clock = std::chrono::steady_clock;

std::mutex error_mu;
std::string first_error;  // Guarded by error_mu.

}  // namespace

void NoteError(const std::string& message) {
  std::lock_guard<std::mutex> lock(error_mu);
  if (first_error.empty()) first_error = message;
}

std::string TakeNoteError() {
  std::lock_guard<std::mutex> lock(error_mu);
  std::string out;
  out.swap(first_error);
  return out;
}

double LoopResult::PercentileMs(double q) const {
  if (latency_us.empty()) return 0;
  size_t i = static_cast<size_t>(q * (latency_us.size() - 1) + 0.5);
  i = std::min(i, latency_us.size() - 1);
  return latency_us[i] / 1000.0;
}

double ProcessCpuSeconds() {
  struct rusage usage;
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  auto seconds = [](const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

LoopResult RunClosedLoop(const LoopConfig& config,
                         const OperationFactory& factory) {
  // 0: warming up, 1: measuring, 2: stopping.
  std::atomic<int> phase{0};
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  struct PerThread {
    uint64_t events = 0, ops = 0, errors = 0;
    std::vector<double> latency_us;
  };
  std::vector<PerThread> per_thread(config.threads);
  std::vector<std::thread> threads;
  threads.reserve(config.threads);
  for (int i = 0; i < config.threads; ++i) {
    threads.emplace_back([&, i] {
      Operation op = factory(i);
      PerThread& mine = per_thread[i];
      mine.latency_us.reserve(1 << 16);
      ready.fetch_add(1);
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      while (phase.load(std::memory_order_relaxed) != 2) {
        const Clock::time_point start = Clock::now();
        const OpOutcome outcome = op();
        const Clock::time_point end = Clock::now();
        if (phase.load(std::memory_order_relaxed) != 1) continue;
        ++mine.ops;
        if (!outcome.ok) {
          ++mine.errors;
          continue;
        }
        mine.events += outcome.events;
        mine.latency_us.push_back(
            std::chrono::duration<double, std::micro>(end - start).count());
      }
    });
  }
  while (ready.load() < config.threads) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  go.store(true, std::memory_order_release);
  std::this_thread::sleep_for(
      std::chrono::duration<double>(config.warmup_seconds));
  const Clock::time_point window_start = Clock::now();
  const double cpu_start = ProcessCpuSeconds();
  phase.store(1);
  std::this_thread::sleep_for(
      std::chrono::duration<double>(config.duration_seconds));
  phase.store(2);
  const Clock::time_point window_end = Clock::now();
  const double cpu_end = ProcessCpuSeconds();
  for (std::thread& t : threads) t.join();

  LoopResult result;
  result.cpu_seconds = cpu_end - cpu_start;
  result.seconds =
      std::chrono::duration<double>(window_end - window_start).count();
  for (PerThread& t : per_thread) {
    result.events += t.events;
    result.ops += t.ops;
    result.errors += t.errors;
    result.latency_us.insert(result.latency_us.end(), t.latency_us.begin(),
                             t.latency_us.end());
  }
  std::sort(result.latency_us.begin(), result.latency_us.end());
  result.first_error = TakeNoteError();
  return result;
}

Point ToPoint(const LoopResult& result) {
  Point p;
  p.events_per_sec = result.EventsPerSecond();
  p.has_latency = !result.latency_us.empty();
  p.p50_ms = result.PercentileMs(0.50);
  p.p99_ms = result.PercentileMs(0.99);
  if (result.events > 0) {
    p.cpu_us_per_event = result.cpu_seconds * 1e6 / result.events;
  }
  p.errors = result.errors;
  if (!result.first_error.empty()) p.note = "error: " + result.first_error;
  return p;
}

Point MedianPoint(const std::vector<Point>& results) {
  std::vector<const Point*> sorted;
  for (const Point& p : results) sorted.push_back(&p);
  std::sort(sorted.begin(), sorted.end(), [](const Point* a, const Point* b) {
    return a->events_per_sec < b->events_per_sec;
  });
  Point median = *sorted[(sorted.size() - 1) / 2];
  median.repetitions.clear();
  median.errors = 0;
  for (const Point& p : results) {
    median.repetitions.push_back(p.events_per_sec);
    median.errors += p.errors;
    if (median.note.empty()) median.note = p.note;
  }
  return median;
}

std::string FreshDir(const std::string& parent, const std::string& name) {
  static std::atomic<int> counter{0};
  std::filesystem::create_directories(parent);
  std::string dir = absl::StrCat(parent, "/", name, "-", counter.fetch_add(1));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

void RemoveDir(const std::string& dir) {
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

std::string RandomBytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out(n, '\0');
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<char>(rng() & 0xff);
  return out;
}

namespace {

std::string ReadFirstLineWith(const std::string& path,
                              const std::string& prefix) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0) return line;
  }
  return "";
}

std::string FsTypeName(int64_t magic) {
  switch (magic) {
    case 0xEF53:
      return "ext2/3/4";
    case 0x58465342:
      return "xfs";
    case 0x9123683E:
      return "btrfs";
    case 0x01021994:
      return "tmpfs";
    case 0x794c7630:
      return "overlayfs";
    case 0x2FC12FC1:
      return "zfs";
    case 0x6969:
      return "nfs";
    default:
      return absl::StrFormat("fs magic 0x%x", magic);
  }
}

// The /proc/self/mounts entry whose mount point is the longest prefix of
// `path`: "type on device (mounted at point)".
std::string MountOf(const std::string& path) {
  std::ifstream in("/proc/self/mounts");
  std::string line, best_point, best;
  while (std::getline(in, line)) {
    std::vector<std::string> f = absl::StrSplit(line, ' ');
    if (f.size() < 3) continue;
    const std::string& point = f[1];
    const bool prefix =
        point == "/" ||
        (path.rfind(point, 0) == 0 &&
         (path.size() == point.size() || path[point.size()] == '/'));
    if (prefix && point.size() >= best_point.size()) {
      best_point = point;
      best = absl::StrCat(f[2], " on ", f[0], " (mounted at ", point, ")");
    }
  }
  return best;
}

}  // namespace

MachineInfo DescribeMachine(const std::string& dir) {
  MachineInfo info;
  info.nproc = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  std::string model = ReadFirstLineWith("/proc/cpuinfo", "model name");
  if (size_t colon = model.find(':'); colon != std::string::npos) {
    model = std::string(absl::StripAsciiWhitespace(model.substr(colon + 1)));
  }
  info.cpu_model = model.empty() ? "unknown" : model;
  std::string mem = ReadFirstLineWith("/proc/meminfo", "MemTotal:");
  uint64_t kb = 0;
  if (sscanf(mem.c_str(), "MemTotal: %lu kB", &kb) == 1) {
    info.memory = absl::StrFormat("%.1f GiB", kb / (1024.0 * 1024.0));
  } else {
    info.memory = "unknown";
  }
  struct utsname u;
  if (uname(&u) == 0) info.kernel = absl::StrCat(u.sysname, " ", u.release);
  std::error_code ec;
  const std::string real = std::filesystem::canonical(dir, ec).string();
  struct statfs fs;
  std::string type = "unknown";
  if (statfs(dir.c_str(), &fs) == 0) type = FsTypeName(fs.f_type);
  const std::string mount = MountOf(ec ? dir : real);
  info.filesystem =
      absl::StrCat(mount.empty() ? type : mount, " [statfs: ", type, "]");
  std::ifstream load("/proc/loadavg");
  std::getline(load, info.load_average);
  return info;
}

}  // namespace oversight::bench
