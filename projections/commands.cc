#include "projections/commands.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"

namespace oversight::projections {

std::string ConsistencyKey(const google::protobuf::Message& request) {
  // Every command request carries its fact as field 4 (commands.proto).
  const google::protobuf::Reflection* reflection = request.GetReflection();
  const google::protobuf::FieldDescriptor* fact_field =
      request.GetDescriptor()->FindFieldByNumber(4);
  if (fact_field == nullptr ||
      fact_field->type() != google::protobuf::FieldDescriptor::TYPE_MESSAGE) {
    return "agencies";
  }
  const google::protobuf::Message& fact =
      reflection->GetMessage(request, fact_field);
  for (const char* name : {"review_id", "programme_id"}) {
    const google::protobuf::FieldDescriptor* id =
        fact.GetDescriptor()->FindFieldByName(name);
    if (id != nullptr &&
        id->type() == google::protobuf::FieldDescriptor::TYPE_STRING) {
      // "review_id" -> "review:{id}", "programme_id" -> "programme:{id}".
      const std::string kind(
          absl::string_view(name).substr(0, absl::string_view(name).find('_')));
      return absl::StrCat(kind, ":", fact.GetReflection()->GetString(fact, id));
    }
  }
  return "agencies";
}

}  // namespace oversight::projections
