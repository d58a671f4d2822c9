// XS2A SCA approaches beyond OAuth (BG NextGenPSD2 1.3.12, POST /v1/consents "Side Effects" and
// the consent response examples 1a/1b/2/3): which flow a bank's answer asks for, and the bounded
// polling of the consent status that the redirect and decoupled approaches end with.
#include <algorithm>
#include <cctype>

#include "xs2a.h"

namespace bankrec::connectors::xs2a {

namespace {

constexpr std::chrono::milliseconds kPollCap{10'000};

std::string upper(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

std::string link(const json::object* links, std::string_view key, std::string_view base) {
  if (!links) return {};
  const auto href = get_href(*links, key);
  if (!href) return {};
  // The spec's own download example has no scheme ("www.test-api.com/xs2a/..."); a link that starts
  // with a host name is taken as https on that host.
  std::string_view h = *href;
  if (!h.starts_with("/") && !h.starts_with("http://") && !h.starts_with("https://")) {
    const auto slash = h.find('/');
    const std::string_view host = h.substr(0, slash);
    if (host.find('.') != std::string_view::npos && host.find(':') == std::string_view::npos)
      return "https://" + std::string(h);
  }
  return resolve_url(base, h);
}

}  // namespace

ScaLinks read_sca_links(const json::object& body, std::string_view approach_header, std::string_view base) {
  ScaLinks out;
  out.approach = upper(approach_header);
  const json::object* links = get_object(body, "_links");
  out.sca_oauth = link(links, "scaOAuth", base);
  out.sca_redirect = link(links, "scaRedirect", base);
  out.sca_status = link(links, "scaStatus", base);
  for (const char* key : {"startAuthorisationWithPsuIdentification", "startAuthorisation"})
    if (out.start_authorisation.empty()) out.start_authorisation = link(links, key, base);
  out.authorisation_id = get_string(body, "authorisationId").value_or("");
  out.psu_message = get_string(body, "psuMessage").value_or("");
  return out;
}

std::string sca_flow(const ScaLinks& links) {
  if (!links.sca_oauth.empty()) return "oauth";
  if (!links.sca_redirect.empty()) return "redirect";
  if (!links.start_authorisation.empty()) return "";
  // Decoupled: the bank pushes to the PSU's app; the answer carries only status links (N26) and
  // says DECOUPLED in ASPSP-SCA-Approach.
  if (links.approach == "DECOUPLED") return "decoupled";
  return "";
}

ScaVerdict consent_verdict(std::string_view status) {
  if (status == "valid") return ScaVerdict::valid;
  if (status == "received" || status == "partiallyAuthorised") return ScaVerdict::waiting;
  return ScaVerdict::rejected;  // rejected, revokedByPsu, expired, terminatedByTpp, unknown words
}

std::chrono::milliseconds next_poll_delay(std::chrono::milliseconds previous, std::chrono::milliseconds first) {
  const std::chrono::milliseconds cap = std::max(first, kPollCap);
  if (previous.count() <= 0) return first;
  return std::min(previous * 2, cap);
}

Result<PollReading> poll_until_decided(ConnectorContext& ctx, const std::function<Result<PollReading>()>& probe,
                                       std::chrono::milliseconds first, std::chrono::seconds timeout) {
  const auto deadline = ctx.clock().steady_now() + timeout;
  PollReading last;
  std::chrono::milliseconds delay{0};
  for (;;) {
    auto reading = probe();
    if (reading) {
      last = *reading;
      if (last.verdict != ScaVerdict::waiting) return last;
    } else if (reading.error().code != Errc::unavailable) {
      return Unexpected{std::move(reading).error()};
    }
    const auto now = ctx.clock().steady_now();
    if (now >= deadline) return last;
    delay = next_poll_delay(delay, first);
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    ctx.sleep(std::min(delay, std::max(left, std::chrono::milliseconds(1))));
  }
}

std::string camt_format_of(std::string_view document) {
  const std::string_view head = document.substr(0, 4096);
  if (head.find("BkToCstmrStmt") != std::string_view::npos) return "camt.053";
  if (head.find("BkToCstmrAcctRpt") != std::string_view::npos) return "camt.052";
  if (head.find("BkToCstmrDbtCdtNtfctn") != std::string_view::npos) return "camt.054";
  return {};
}

}  // namespace bankrec::connectors::xs2a
