// Calls of methods that take raw bytes (gRPC's WithRawCallbackMethod_*),
// which every Oversight service uses for every method: the service parses
// each request itself, so that one protobuf cannot parse (a string field
// that is not valid UTF-8, bytes that are no message of the request's
// type) is answered by Oversight, INVALID_ARGUMENT with reason
// MALFORMED_REQUEST, like any other bad request. gRPC 1.51's generated
// handlers would refuse it themselves, before the service sees it, with
// RESOURCE_EXHAUSTED (unary and server streaming) or, on a bidirectional
// stream, by failing the read as if the client had closed its side; either
// way without a reason, and nothing a client can tell from back-pressure.
//
// Example (a unary method; streams use ParseRequest and ToByteBuffer):
//   grpc::ServerUnaryReactor* Service::Get(grpc::CallbackServerContext* ctx,
//                                          const grpc::ByteBuffer* raw,
//                                          grpc::ByteBuffer* raw_response) {
//     auto* call = new RawUnaryCall<v1::GetRequest, v1::GetResponse>(
//         ctx, raw_response);
//     if (absl::Status s = Admit(*ctx); !s.ok()) return call->Answer(s);
//     if (!call->Parse(*raw)) return call;  // answered MALFORMED_REQUEST
//     call->response()->set_x(call->request()->y());
//     return call->Answer(absl::OkStatus());
//   }

#ifndef OVERSIGHT_SERVICES_RAW_CALLS_H_
#define OVERSIGHT_SERVICES_RAW_CALLS_H_

#include <string>

#include "absl/status/status.h"
#include "google/protobuf/message.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/support/byte_buffer.h"

namespace oversight::services {

// Parses `raw` into `out`, dropping fields this server does not know (so
// that none is copied, unchecked, into the log with what it came with).
// INVALID_ARGUMENT (MALFORMED_REQUEST) when protobuf refuses it: a string
// field that is not valid UTF-8, or anything that is not a message of
// `out`'s type.
[[nodiscard]] absl::Status ParseRequest(const grpc::ByteBuffer& raw,
                                        google::protobuf::Message* out);

// `message` serialised, as a raw method sends it.
grpc::ByteBuffer ToByteBuffer(const google::protobuf::Message& message);

// The reactor of one unary call of a raw method, answered with a message:
// what RawUnaryCall's users finish it through. It deletes itself when the
// call is done.
class RawUnaryReactor : public grpc::ServerUnaryReactor {
 public:
  RawUnaryReactor(const RawUnaryReactor&) = delete;
  RawUnaryReactor& operator=(const RawUnaryReactor&) = delete;

  // Finishes the call with `status`, mapped at the edge (status_mapping.h);
  // when it is OK, with the response serialised first. Call it once (or
  // AnswerCancelled once). Returns this, for a handler to return.
  RawUnaryReactor* Answer(const absl::Status& status);
  // Finishes the call CANCELLED, with `message` and no reason, as gRPC
  // ends a call the client cancelled.
  void AnswerCancelled(const std::string& message);

  grpc::CallbackServerContext* context() const { return context_; }

  void OnDone() override { delete this; }

 protected:
  RawUnaryReactor(grpc::CallbackServerContext* context,
                  grpc::ByteBuffer* raw_response)
      : context_(context), raw_response_(raw_response) {}
  ~RawUnaryReactor() override = default;

 private:
  virtual const google::protobuf::Message& response_message() const = 0;

  grpc::CallbackServerContext* const context_;
  grpc::ByteBuffer* const raw_response_;
};

// One unary call of a raw method taking `Request` and answering `Response`,
// which it owns until the call is done, as gRPC owns those of a typed
// method. Create it with new at the start of the method and return it.
template <typename Request, typename Response>
class RawUnaryCall final : public RawUnaryReactor {
 public:
  // `raw_response` is the method's response argument.
  RawUnaryCall(grpc::CallbackServerContext* context,
               grpc::ByteBuffer* raw_response)
      : RawUnaryReactor(context, raw_response) {}

  // Parses `raw` (the method's request argument) into request(); when it
  // cannot (ParseRequest), answers the call with that and returns false.
  [[nodiscard]] bool Parse(const grpc::ByteBuffer& raw) {
    absl::Status parsed = ParseRequest(raw, &request_);
    if (parsed.ok()) return true;
    Answer(parsed);
    return false;
  }

  const Request* request() const { return &request_; }
  Response* response() { return &response_; }

 private:
  const google::protobuf::Message& response_message() const override {
    return response_;
  }

  Request request_;
  Response response_;
};

}  // namespace oversight::services

#endif  // OVERSIGHT_SERVICES_RAW_CALLS_H_
