#include "tests/testing/test_certs.h"

#include <openssl/bio.h>
#include <openssl/buffer.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

namespace oversight::testing {
namespace {

void Check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "test_certs: %s failed: ", what);
  ERR_print_errors_fp(stderr);
  std::abort();
}

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;

KeyPtr NewKey() {
  KeyPtr key(EVP_EC_gen("P-256"));
  Check(key != nullptr, "EC key generation");
  return key;
}

std::string ToPem(int (*write)(BIO*, void*), void* object) {
  BIO* bio = BIO_new(BIO_s_mem());
  Check(bio != nullptr && write(bio, object) == 1, "PEM writing");
  BUF_MEM* buffer = nullptr;
  BIO_get_mem_ptr(bio, &buffer);
  std::string pem(buffer->data, buffer->length);
  BIO_free(bio);
  return pem;
}

std::string CertPem(X509* cert) {
  return ToPem(
      [](BIO* bio, void* x) {
        return PEM_write_bio_X509(bio, static_cast<X509*>(x));
      },
      cert);
}

std::string KeyPem(EVP_PKEY* key) {
  return ToPem(
      [](BIO* bio, void* k) {
        return PEM_write_bio_PrivateKey(bio, static_cast<EVP_PKEY*>(k), nullptr,
                                        nullptr, 0, nullptr, nullptr);
      },
      key);
}

void AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext =
      X509V3_EXT_conf_nid(nullptr, &ctx, nid, const_cast<char*>(value));
  Check(ext != nullptr && X509_add_ext(cert, ext, -1) == 1, value);
  X509_EXTENSION_free(ext);
}

void AddName(GENERAL_NAMES* names, int type, const std::string& value) {
  GENERAL_NAME* name = GENERAL_NAME_new();
  if (type == GEN_IPADD) {
    ASN1_OCTET_STRING* ip = a2i_IPADDRESS(value.c_str());
    Check(ip != nullptr, "IP address");
    GENERAL_NAME_set0_value(name, type, ip);
  } else {
    ASN1_IA5STRING* text = ASN1_IA5STRING_new();
    Check(ASN1_STRING_set(text, value.data(), static_cast<int>(value.size())),
          "SAN text");
    GENERAL_NAME_set0_value(name, type, text);
  }
  sk_GENERAL_NAME_push(names, name);
}

// A certificate for `key`'s public half with `spec`'s names, issued by
// `issuer` (itself when null) and signed with `issuer_key`.
X509Ptr MakeCert(const CertSpec& spec, bool ca, EVP_PKEY* key, X509* issuer,
                 EVP_PKEY* issuer_key) {
  X509Ptr cert(X509_new());
  Check(cert != nullptr && X509_set_version(cert.get(), 2), "X509_new");
  uint64_t serial = 0;
  Check(RAND_bytes(reinterpret_cast<unsigned char*>(&serial), sizeof serial),
        "serial");
  ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert.get()), serial >> 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()),
                  absl::ToInt64Seconds(spec.not_before));
  X509_gmtime_adj(X509_getm_notAfter(cert.get()),
                  absl::ToInt64Seconds(spec.not_after));
  X509_NAME* subject = X509_get_subject_name(cert.get());
  if (!spec.common_name.empty()) {
    Check(X509_NAME_add_entry_by_txt(
              subject, "CN", MBSTRING_UTF8,
              reinterpret_cast<const unsigned char*>(spec.common_name.c_str()),
              -1, -1, 0),
          "CN");
  }
  X509* signer = issuer != nullptr ? issuer : cert.get();
  Check(X509_set_issuer_name(cert.get(), X509_get_subject_name(signer)),
        "issuer");
  Check(X509_set_pubkey(cert.get(), key), "public key");
  AddExtension(cert.get(), signer, NID_subject_key_identifier, "hash");
  if (ca) {
    AddExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    AddExtension(cert.get(), signer, NID_key_usage,
                 "critical,keyCertSign,cRLSign");
  } else {
    AddExtension(cert.get(), signer, NID_authority_key_identifier,
                 "keyid:always");
    AddExtension(cert.get(), signer, NID_basic_constraints, "CA:FALSE");
    AddExtension(cert.get(), signer, NID_key_usage,
                 "critical,digitalSignature");
    AddExtension(cert.get(), signer, NID_ext_key_usage,
                 spec.server ? "serverAuth" : "clientAuth");
  }
  if (!spec.uris.empty() || !spec.dns_names.empty() || !spec.ips.empty()) {
    GENERAL_NAMES* names = sk_GENERAL_NAME_new_null();
    for (const std::string& uri : spec.uris) AddName(names, GEN_URI, uri);
    for (const std::string& dns : spec.dns_names) AddName(names, GEN_DNS, dns);
    for (const std::string& ip : spec.ips) AddName(names, GEN_IPADD, ip);
    Check(X509_add1_ext_i2d(cert.get(), NID_subject_alt_name, names, 0,
                            X509V3_ADD_DEFAULT) == 1,
          "subjectAltName");
    GENERAL_NAMES_free(names);
  }
  Check(X509_sign(cert.get(), issuer_key, EVP_sha256()) > 0, "signing");
  return cert;
}

}  // namespace

CertSpec CertSpec::Server() {
  CertSpec spec;
  spec.common_name = "localhost";
  spec.dns_names = {"localhost"};
  spec.ips = {"127.0.0.1", "::1"};
  spec.server = true;
  return spec;
}

CertSpec CertSpec::Client(const std::string& uri,
                          const std::string& common_name) {
  CertSpec spec;
  spec.common_name = common_name;
  if (!uri.empty()) spec.uris = {uri};
  return spec;
}

struct TestCa::Impl {
  KeyPtr key;
  X509Ptr cert;
};

TestCa::TestCa(const std::string& common_name) : impl_(new Impl) {
  CertSpec spec;
  spec.common_name = common_name;
  spec.not_after = absl::Hours(24 * 30);
  impl_->key = NewKey();
  impl_->cert =
      MakeCert(spec, /*ca=*/true, impl_->key.get(), nullptr, impl_->key.get());
  self_.cert_pem = CertPem(impl_->cert.get());
  self_.key_pem = KeyPem(impl_->key.get());
}

TestCa::~TestCa() = default;

KeyPair TestCa::Issue(const CertSpec& spec) const {
  KeyPtr key = NewKey();
  X509Ptr cert = MakeCert(spec, /*ca=*/false, key.get(), impl_->cert.get(),
                          impl_->key.get());
  return KeyPair{KeyPem(key.get()), CertPem(cert.get())};
}

void WriteTextFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  Check(out.good(), "writing a file");
}

}  // namespace oversight::testing
