// Certificates for TLS tests, made in memory with OpenSSL's C API: a CA,
// and certificates it issues with chosen names and validity. Keys are
// EC P-256, so a certificate takes well under a millisecond.
//
// Example:
//   TestCa ca("Test CA");
//   KeyPair server = ca.Issue(CertSpec::Server());
//   KeyPair client = ca.Issue(CertSpec::Client(
//       "spiffe://oversight.test/agency/paladin/role/partner", "Paladin"));
//   client.cert_pem;  // "-----BEGIN CERTIFICATE-----..."

#ifndef OVERSIGHT_TESTS_TESTING_TEST_CERTS_H_
#define OVERSIGHT_TESTS_TESTING_TEST_CERTS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace oversight::testing {

// A private key and its certificate, both PEM.
struct KeyPair {
  std::string key_pem;
  std::string cert_pem;
};

// What a certificate says.
struct CertSpec {
  std::string common_name;  // none when empty
  std::vector<std::string> uris;
  std::vector<std::string> dns_names;
  std::vector<std::string> ips;  // "127.0.0.1"
  bool server = false;           // serverAuth, else clientAuth
  // Valid from now + not_before to now + not_after.
  absl::Duration not_before = -absl::Hours(1);
  absl::Duration not_after = absl::Hours(24);

  // A server certificate for localhost and 127.0.0.1.
  static CertSpec Server();
  // A client certificate with one URI SAN (none when `uri` is empty).
  static CertSpec Client(const std::string& uri,
                         const std::string& common_name);
};

// A self-signed certificate authority.
class TestCa {
 public:
  explicit TestCa(const std::string& common_name);
  ~TestCa();
  TestCa(const TestCa&) = delete;
  TestCa& operator=(const TestCa&) = delete;

  const std::string& cert_pem() const { return self_.cert_pem; }
  // A new key and a certificate for it, signed by this CA. Aborts the
  // test binary on an OpenSSL failure (it is a bug in the test).
  KeyPair Issue(const CertSpec& spec) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  KeyPair self_;
};

// Writes `content` to `path`; aborts on failure.
void WriteTextFile(const std::string& path, const std::string& content);

}  // namespace oversight::testing

#endif  // OVERSIGHT_TESTS_TESTING_TEST_CERTS_H_
