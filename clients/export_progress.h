// Progress lines on stderr for the long operations of the oversight
// command (export, replay, verify): one line every `every` units of work,
// and at least once a second while work goes on, so that a long run shows
// it is alive without flooding a terminal. --quiet turns them off.
//
// Example:
//   ProgressLine progress(quiet ? nullptr : &std::cerr, every);
//   for (...) {
//     if (progress.Due(++exported)) {
//       progress.Print(absl::StrCat("exported ", exported, " events"));
//     }
//   }

#ifndef OVERSIGHT_CLIENTS_EXPORT_PROGRESS_H_
#define OVERSIGHT_CLIENTS_EXPORT_PROGRESS_H_

#include <cstdint>
#include <ostream>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace oversight::cli {

class ProgressLine {
 public:
  // `out` null: never due. `every` 0: by time alone.
  ProgressLine(std::ostream* out, uint64_t every,
               absl::Duration interval = absl::Seconds(1))
      : out_(out), every_(every), interval_(interval), last_(absl::Now()) {}

  // Whether a line is due now that `done` units are done: `every` units
  // since the last line, or `interval` since the last line (or the start).
  bool Due(uint64_t done) {
    if (out_ == nullptr || done == last_done_) return false;
    if (every_ != 0 && done - last_done_ >= every_) return Take(done);
    // Reading the clock costs more than a unit of work: look every 64.
    if ((done & 63) == 0 && absl::Now() - last_ >= interval_) {
      return Take(done);
    }
    return false;
  }

  void Print(const std::string& line) {
    if (out_ == nullptr) return;
    *out_ << line << "\n";
    out_->flush();
  }

  // Whether any line was printed.
  bool printed() const { return printed_; }

 private:
  bool Take(uint64_t done) {
    last_done_ = done;
    last_ = absl::Now();
    printed_ = true;
    return true;
  }

  std::ostream* out_;
  uint64_t every_;
  absl::Duration interval_;
  absl::Time last_;
  uint64_t last_done_ = 0;
  bool printed_ = false;
};

}  // namespace oversight::cli

#endif  // OVERSIGHT_CLIENTS_EXPORT_PROGRESS_H_
