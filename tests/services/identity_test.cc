#include "services/identity.h"

#include "gtest/gtest.h"

namespace oversight::services {
namespace {

TEST(IdentityTest, OnlyLiteralLoopbackAddressesAreLoopback) {
  for (const char* host :
       {"127.0.0.1", "127.5.6.7", "::1", "[::1]", "localhost"}) {
    EXPECT_TRUE(IsLoopbackHost(host)) << host;
  }
  for (const char* host :
       {"", "0.0.0.0", "10.0.0.1", "[::]", "::", "127.example.com",
        "localhost.example.com", "128.0.0.1"}) {
    EXPECT_FALSE(IsLoopbackHost(host)) << host;
  }
}

}  // namespace
}  // namespace oversight::services
