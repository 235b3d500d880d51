#include "services/raw_calls.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "eventstore/errors.h"
#include "projections/domain_errors.h"
#include "services/status_mapping.h"

namespace oversight::services {

absl::Status ParseRequest(const grpc::ByteBuffer& raw,
                          google::protobuf::Message* out) {
  std::vector<grpc::Slice> slices;
  std::string bytes;
  const bool dumped = raw.Dump(&slices).ok();
  for (const grpc::Slice& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  if (!dumped || !out->ParseFromString(bytes)) {
    out->Clear();
    return eventstore::WithReason(
        absl::InvalidArgumentError(absl::StrCat(
            "the request is not a valid ", out->GetDescriptor()->full_name(),
            ": a text field is not valid UTF-8, or the bytes are malformed")),
        projections::kReasonMalformedRequest);
  }
  out->DiscardUnknownFields();
  return absl::OkStatus();
}

grpc::ByteBuffer ToByteBuffer(const google::protobuf::Message& message) {
  grpc::Slice slice(message.SerializeAsString());
  return grpc::ByteBuffer(&slice, 1);
}

RawUnaryReactor* RawUnaryReactor::Answer(const absl::Status& status) {
  if (status.ok()) {
    grpc::ByteBuffer serialized = ToByteBuffer(response_message());
    raw_response_->Swap(&serialized);
  }
  Finish(ToGrpcStatus(status, context_));
  return this;
}

void RawUnaryReactor::AnswerCancelled(const std::string& message) {
  Finish(grpc::Status(grpc::StatusCode::CANCELLED, message));
}

}  // namespace oversight::services
