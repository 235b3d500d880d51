// Early returns for absl::Status and absl::StatusOr, which this version of
// Abseil does not provide publicly.
//
// Example:
//   RETURN_IF_ERROR(CheckId("review_id", id));
//   ASSIGN_OR_RETURN(Loaded<ReviewState> review, LoadReview(source, id));

#ifndef OVERSIGHT_PROJECTIONS_STATUS_MACROS_H_
#define OVERSIGHT_PROJECTIONS_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"

#define OVERSIGHT_STATUS_CONCAT_INNER(a, b) a##b
#define OVERSIGHT_STATUS_CONCAT(a, b) OVERSIGHT_STATUS_CONCAT_INNER(a, b)

#define RETURN_IF_ERROR(expr)                           \
  do {                                                  \
    if (absl::Status status_ = (expr); !status_.ok()) { \
      return status_;                                   \
    }                                                   \
  } while (false)

#define ASSIGN_OR_RETURN(lhs, expr) \
  OVERSIGHT_ASSIGN_OR_RETURN_IMPL(  \
      OVERSIGHT_STATUS_CONCAT(status_or_, __LINE__), lhs, expr)

#define OVERSIGHT_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                    \
  if (!tmp.ok()) return tmp.status();                   \
  lhs = std::move(*tmp)

#endif  // OVERSIGHT_PROJECTIONS_STATUS_MACROS_H_
