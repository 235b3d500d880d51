// The results report of oversight_bench: the machine, the command, a table
// of every point, and the ratios against the aims of the issue, as
// Markdown (readable as plain text too).

#ifndef OVERSIGHT_BENCH_REPORT_H_
#define OVERSIGHT_BENCH_REPORT_H_

#include <string>
#include <vector>

#include "bench/harness.h"

namespace oversight::bench {

struct Report {
  MachineInfo machine;
  std::string command;
  std::string settings;  // One line: duration, repetitions, sizes.
  std::string started;   // Wall-clock time of the start.
  double wall_seconds = 0;
  std::vector<Point> points;
};

// One ratio of two measured figures (or of a figure and a constant).
struct Ratio {
  std::string name;
  double value = 0;
  double aim = 0;  // 0: informative, no aim.
  std::string detail;
  bool available = false;
};

// The ratios the issue asks for, then informative ones, from the points
// present in `report` (missing points make a ratio unavailable).
std::vector<Ratio> ComputeRatios(const Report& report, int max_threads,
                                 int batch_size);

std::string RenderMarkdown(const Report& report,
                           const std::vector<Ratio>& ratios);

}  // namespace oversight::bench

#endif  // OVERSIGHT_BENCH_REPORT_H_
