// The TOTP enrolment QR code (libqrencode), as SVG for the console and as half blocks for `bankrec user totp`.
#include <qrencode.h>

#include <memory>
#include <string>

#include "bankrec/http/auth.h"

namespace bankrec::http::auth {
namespace {

struct QrDeleter {
  void operator()(QRcode* code) const { QRcode_free(code); }
};
using Qr = std::unique_ptr<QRcode, QrDeleter>;

Result<Qr> encode(std::string_view text) {
  const std::string copy(text);
  // Level M (15 % recovery) is what authenticator apps are tested with; version picked automatically.
  Qr code(QRcode_encodeString8bit(copy.c_str(), 0, QR_ECLEVEL_M));
  if (!code) return fail(Errc::invalid_input, "cannot encode " + std::to_string(text.size()) + " bytes as a qr code");
  return code;
}

bool dark(const QRcode& code, int x, int y) {
  if (x < 0 || y < 0 || x >= code.width || y >= code.width) return false;
  return (code.data[y * code.width + x] & 1) != 0;
}

}  // namespace

Result<std::string> qr_svg(std::string_view text) {
  const Qr code = BANKREC_TRY(encode(text));
  constexpr int kQuiet = 4;
  const int size = code->width + 2 * kQuiet;
  std::string path;
  for (int y = 0; y < code->width; ++y)
    for (int x = 0; x < code->width; ++x)
      if (dark(*code, x, y)) path += "M" + std::to_string(x + kQuiet) + " " + std::to_string(y + kQuiet) + "h1v1h-1z";
  const std::string s = std::to_string(size);
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + s + " " + s +
         "\" shape-rendering=\"crispEdges\"><rect width=\"" + s + "\" height=\"" + s +
         "\" fill=\"#fff\"/><path fill=\"#000\" d=\"" + path + "\"/></svg>";
}

Result<std::string> qr_terminal(std::string_view text) {
  const Qr code = BANKREC_TRY(encode(text));
  constexpr int kQuiet = 2;
  // Light modules are drawn (a dark terminal background shows dark modules), two rows per line:
  // upper half block, lower half block, full block or space.
  std::string out;
  for (int y = -kQuiet; y < code->width + kQuiet; y += 2) {
    for (int x = -kQuiet; x < code->width + kQuiet; ++x) {
      const bool top = !dark(*code, x, y), bottom = !dark(*code, x, y + 1) && y + 1 < code->width + kQuiet;
      out += top && bottom ? "\u2588" : top ? "\u2580" : bottom ? "\u2584" : " ";
    }
    out += '\n';
  }
  return out;
}

}  // namespace bankrec::http::auth
