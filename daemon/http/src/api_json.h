#pragma once

// What every JSON route file needs: a JSON response and the Result-to-response step.
#include <boost/json.hpp>
#include <utility>

#include "bankrec/base/result.h"
#include "bankrec/http/router.h"

namespace bankrec::http {

inline Response json_response(int status, const boost::json::value& v) {
  return Response::json(status, boost::json::serialize(v));
}

/// Runs `fn`, turning an Error into its JSON response.
template <class Fn>
Response respond(Fn&& fn) {
  Result<Response> r = fn();
  if (!r) return Response::error(r.error());
  return std::move(*r);
}

}  // namespace bankrec::http
