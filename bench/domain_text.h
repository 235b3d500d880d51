// Texts for read_model_bench's generated log: agencies (the police areas
// of England and Wales, their forces, OPCCs, panels and partners), review
// topics and themes, and sentence templates for recommendations, progress
// updates, ratings, monitoring, meetings, risks, cross-references,
// conclusions and partner reports, of the length and tone of the example
// (examples/dyfed-powys/stalking-review-2025-01.jsonl). Internal to the
// benchmark.

#ifndef OVERSIGHT_BENCH_DOMAIN_TEXT_H_
#define OVERSIGHT_BENCH_DOMAIN_TEXT_H_

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace oversight::bench {

// A deterministic random source with the helpers the generator needs.
class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}
  // Uniform in [lo, hi].
  int64_t Uniform(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(engine_);
  }
  double Real() {
    return std::uniform_real_distribution<double>(0, 1)(engine_);
  }
  bool Chance(double p) { return Real() < p; }
  template <typename T>
  const T& Pick(const std::vector<T>& items) {
    return items[static_cast<size_t>(Uniform(0, items.size() - 1))];
  }
  uint64_t Next() { return engine_(); }

 private:
  std::mt19937_64 engine_;
};

// A police area: a force, its OPCC and its panel.
struct Area {
  std::string slug;        // "dyfed-powys"
  std::string name;        // "Dyfed-Powys"
  std::string welsh_name;  // Empty outside Wales.
};
const std::vector<Area>& Areas();

// A partner working across areas (Paladin, Victim Support, ...).
struct NamedAgency {
  std::string id;
  std::string name;
  std::string welsh_name;
};
const std::vector<NamedAgency>& NationalPartners();
const std::vector<NamedAgency>& Auditors();
// Local partners of an area: id suffix and name pattern ("{area}").
const std::vector<std::pair<std::string, std::string>>& LocalPartnerKinds();

// What a review is about.
struct Topic {
  std::string slug;        // "stalking"
  std::string title;       // completes "Scrutiny review: how {force} ..."
  std::string short_name;  // "stalking and harassment"
  std::vector<std::pair<std::string, std::string>> themes;  // id, name
  std::vector<std::string> teams;  // units that do the work
};
const std::vector<Topic>& Topics();

// Values that fill the {placeholders} of the templates below.
struct TextContext {
  std::string force;       // "Gwent Police"
  std::string opcc;        // "the OPCC"
  std::string area;        // "Gwent"
  std::string topic;       // "stalking and harassment"
  std::string team;        // "Public Protection Unit"
  std::string partner;     // "Paladin National Stalking Advocacy Service"
  std::string month;       // "June 2024"
  std::string next_month;  // "September 2024"
  int number = 1;          // a recommendation number
  int other_number = 2;    // another one
};

// Replaces {force}, {opcc}, ... in `pattern`.
std::string Fill(absl::string_view pattern, const TextContext& c, Rng& rng);

// One sentence template list per kind of text.
enum class TextKind {
  kRecommendation,
  kUpdateBullet,
  kSubBullet,
  kRatingRed,
  kRatingAmber,
  kRatingGreen,
  kMonitoring,
  kMonitoringOutcome,
  kMeetingFinding,
  kRiskFunding,
  kRiskCapacity,
  kRiskDependency,
  kRiskData,
  kRiskOther,
  kRiskResolution,
  kCrossReferenceNote,
  kConclusion,
  kClosure,
  kReopening,
  kCorrectionReason,
  kWithdrawalReason,
  kNarrative,
  kProgrammeName,
};

// A random template of `kind`, filled.
std::string Sentence(TextKind kind, const TextContext& c, Rng& rng);

// A person's name within an agency ("sian.morgan").
std::string PersonName(Rng& rng);

// "June 2024" for year and month.
std::string MonthName(int year, int month);

}  // namespace oversight::bench

#endif  // OVERSIGHT_BENCH_DOMAIN_TEXT_H_
