// Runs a fuzz target over files, for builds without libFuzzer: each
// argument is a directory (every regular file in it not starting with '.',
// in name order) or a file. The first argument is the seed corpus and must
// hold at least one input; the others (the kept crash inputs) may be
// empty or missing. A violated property traps, which fails the test.
//
// Usage (one line):
//   record_format_fuzz tests/fuzz/corpus/record_format
//       tests/fuzz/crashes/record_format

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc,
                                                          char*** argv);

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> Inputs(const fs::path& path) {
  std::vector<fs::path> files;
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) return {path};
  if (!fs::is_directory(path, ec)) return files;
  for (const fs::directory_entry& entry : fs::directory_iterator(path, ec)) {
    if (!entry.is_regular_file()) continue;
    if (entry.path().filename().string().rfind('.', 0) == 0) continue;
    files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR [CRASH_DIR|FILE]...\n", argv[0]);
    return 2;
  }
  if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);
  int total = 0;
  for (int i = 1; i < argc; ++i) {
    const std::vector<fs::path> files = Inputs(argv[i]);
    if (i == 1 && files.empty()) {
      std::fprintf(stderr, "no seed inputs in %s\n", argv[i]);
      return 1;
    }
    for (const fs::path& file : files) {
      std::ifstream in(file, std::ios::binary);
      if (!in) {
        std::fprintf(stderr, "cannot read %s\n", file.c_str());
        return 1;
      }
      const std::string bytes((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
      // A copy of exactly the input's size, so that reads past its end are
      // found by the sanitizers as under libFuzzer.
      std::vector<uint8_t> data(bytes.begin(), bytes.end());
      std::fprintf(stderr, "running %s (%zu bytes)\n", file.c_str(),
                   data.size());
      LLVMFuzzerTestOneInput(data.empty() ? nullptr : data.data(), data.size());
      ++total;
    }
  }
  std::fprintf(stderr, "ran %d inputs\n", total);
  return 0;
}
