// A temporary directory removed at destruction, for tests that open a real
// RocksDB.

#ifndef OVERSIGHT_TESTS_TESTING_TEMP_DIR_H_
#define OVERSIGHT_TESTS_TESTING_TEMP_DIR_H_

#include <string>

namespace oversight::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path()/name
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace oversight::testing

#endif  // OVERSIGHT_TESTS_TESTING_TEMP_DIR_H_
