// The operator's verbs on oversight.v1.Admin: `backup NAME`.

#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "clients/cli_format.h"
#include "clients/verbs.h"

namespace oversight::cli {

int Backup(const Clients& clients, const std::vector<std::string>& args) {
  if (args.size() != 1) {
    return Usage("backup takes one argument: the backup's NAME");
  }
  v1::BackupRequest request;
  request.set_name(args[0]);
  v1::BackupResponse response;
  // A backup flushes and copies the store: the default deadline is for
  // reads, so give it at least ten minutes.
  auto ctx = CallContext(clients);
  const auto ten_minutes =
      std::chrono::system_clock::now() + std::chrono::minutes(10);
  if (ctx->deadline() < ten_minutes) ctx->set_deadline(ten_minutes);
  grpc::Status s = clients.admin->Backup(ctx.get(), request, &response);
  if (!s.ok()) return Fail(s, *ctx);
  std::cout << "backup   " << response.directory() << "\nposition "
            << response.position() << "\nhash     " << Hex(response.hash())
            << "\n";
  return kExitOk;
}

}  // namespace oversight::cli
