#pragma once

#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace bankrec {

/// Coarse failure class. Maps 1:1 to an HTTP status, an exit code and a metrics label.
enum class Errc : std::uint8_t { invalid_input, not_found, conflict, permission_denied, unavailable, internal };

/// Stable lower-case name of an Errc ("invalid_input"), for logs and metrics labels.
const char* errc_name(Errc code) noexcept;

struct Error {
  Errc code = Errc::internal;
  std::string message;  ///< lower-case, no trailing period: "invalid amount '12,3.4'"
  std::string where;    ///< "stmt.sta:14:7 (byte 512, :61:)"; empty when not applicable
  std::uint32_t line = 0;    ///< 1-based line of an input error, 0 when unknown
  std::uint32_t column = 0;  ///< 1-based column of an input error, 0 when unknown

  /// "where: message", or the message alone when there is no location.
  std::string describe() const { return where.empty() ? message : where + ": " + message; }
};

/// Plays the role of std::unexpected<Error>.
struct Unexpected {
  Error error;
};

inline Unexpected fail(Errc code, std::string message, std::string where = {}) {
  return {Error{code, std::move(message), std::move(where)}};
}

/// The subset of std::expected<T, Error> we use; becomes an alias on g++ >= 13 with -std=c++23.
template <class T>
class [[nodiscard]] Result {
 public:
  template <class U = T>
    requires std::is_constructible_v<T, U&&> && (!std::is_same_v<std::remove_cvref_t<U>, Result>) &&
             (!std::is_same_v<std::remove_cvref_t<U>, Unexpected>)
  Result(U&& value) : v_(std::in_place_index<0>, std::forward<U>(value)) {}
  Result(Unexpected u) : v_(std::in_place_index<1>, std::move(u.error)) {}

  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  template <class U>
  T value_or(U&& fallback) const& {
    return has_value() ? value() : static_cast<T>(std::forward<U>(fallback));
  }

  Error& error() & { return std::get<1>(v_); }
  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Unexpected u) : error_(std::move(u.error)), ok_(false) {}

  bool has_value() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  void value() const {}

  Error& error() & { return error_; }
  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }

 private:
  Error error_;
  bool ok_ = true;
};

/// An empty success, for `return ok();` in functions returning Result<void>.
inline Result<void> ok() { return {}; }

}  // namespace bankrec

/// Unwraps a Result or returns its error from the enclosing function (GNU statement
/// expression; g++ and clang both support it; SerenityOS AK/Try.h uses the same construct).
#define BANKREC_TRY(expr)                                                     \
  __extension__({                                                             \
    auto bankrec_try_result_ = (expr);                                        \
    if (!bankrec_try_result_)                                                 \
      return ::bankrec::Unexpected{std::move(bankrec_try_result_).error()};   \
    std::move(bankrec_try_result_).value();                                   \
  })
