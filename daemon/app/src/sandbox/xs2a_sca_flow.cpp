// XS2A SCA approaches besides OAuth, as the sandbox ASPSP plays them (BG NextGenPSD2 1.3.12):
//  * REDIRECT: POST /consents answers _links.scaRedirect; the PSU's browser lands on
//    /xs2a/sca/{consentId}, which approves (or rejects with psu_decision=reject) and redirects to
//    TPP-Redirect-URI (TPP-Nok-Redirect-URI on rejection).
//  * DECOUPLED: the bank "pushes" to the PSU's app; with PSU-ID the authorisation starts at once
//    (implicit), without it the answer asks for POST .../authorisations with PSU-ID. The PSU approves
//    after a configured number of status polls (or rejects, or never answers).
//  * Transactions as a download link (_links.download) to a camt.052 document.
// The approach comes from --xs2a-sca / POST /_sandbox/xs2a; "preferred" follows the TPP's
// TPP-Redirect-Preferred and TPP-Decoupled-Preferred headers.
#include <boost/json.hpp>

#include "sandbox/json_text.h"
#include "sandbox/sandbox.h"

namespace bankrec::app::sandbox {

namespace json = boost::json;

namespace {

constexpr std::size_t kMaxDownloads = 200;
constexpr std::string_view kPsuMessage = "Please confirm the access to your accounts in your banking app.";

Reply tpp_error(int status, std::string_view code, std::string_view text, std::string_view path = {}) {
  json::object msg{{"category", "ERROR"}, {"code", code}};
  if (!path.empty()) msg["path"] = path;
  msg["text"] = text;
  return json_reply(status, json::serialize(json::object{{"tppMessages", json::array{msg}}}));
}

json::object href(std::string link) { return json::object{{"href", std::move(link)}}; }

bool header_true(const http::Request& request, std::string_view name) { return request.header(name) == "true"; }
bool header_false(const http::Request& request, std::string_view name) { return request.header(name) == "false"; }

}  // namespace

bool is_xs2a_sca_mode(std::string_view mode) {
  return mode == "oauth" || mode == "redirect" || mode == "decoupled" || mode == "preferred";
}

std::string Sandbox::choose_sca_approach(const http::Request& request) const {
  if (xs2a_sca_ == "redirect") return "REDIRECT";
  if (xs2a_sca_ == "decoupled") return "DECOUPLED";
  if (xs2a_sca_ == "preferred") {
    // BG 1.3.12: TPP-Decoupled-Preferred true, or TPP-Redirect-Preferred false, asks for decoupled;
    // otherwise this ASPSP redirects.
    if (header_true(request, "TPP-Decoupled-Preferred") || header_false(request, "TPP-Redirect-Preferred"))
      return "DECOUPLED";
    return "REDIRECT";
  }
  return "OAUTH";
}

void Sandbox::approve_consent(Consent& c) {
  c.status = "valid";
  c.sca_status = "finalised";
  c.authorised_at = now();
  // A new recurring consent expires the PSU's previous recurring one of the same bank.
  if (c.recurring)
    for (auto& [id, other] : consents_)
      if (id != c.id && other.profile == c.profile && other.recurring && other.status == "valid") other.status = "expired";
}

void Sandbox::tick_decoupled(Consent& c) {
  if (c.sca_approach != "DECOUPLED" || c.status != "received" || c.authorisation_id.empty()) return;
  if (decoupled_outcome_ == "never") return;
  if (--c.polls_left > 0) return;
  if (decoupled_outcome_ == "reject") {
    c.status = "rejected";
    c.sca_status = "failed";
    return;
  }
  approve_consent(c);
}

Reply Sandbox::xs2a_consent_links(Consent& c, const http::Request& request, std::string_view prefix) {
  const std::string self = std::string(prefix) + "/consents/" + c.id;
  json::object links{{"self", href(self)}, {"status", href(self + "/status")}};
  json::object out{{"consentStatus", "received"}, {"consentId", c.id}};
  if (c.sca_approach == "OAUTH") {
    links["scaOAuth"] = href(base_url_ + "/.well-known/oauth-authorization-server");
  } else if (c.sca_approach == "REDIRECT") {
    c.authorisation_id = next_id("auth-");
    links["scaRedirect"] = href(base_url_ + "/xs2a/sca/" + c.id);
    links["scaStatus"] = href(self + "/authorisations/" + c.authorisation_id);
  } else if (request.header("PSU-ID").empty()) {
    // Decoupled needs to know whose app to push to: explicit start with PSU identification (example 3).
    links["startAuthorisationWithPsuIdentification"] = href(self + "/authorisations");
  } else {
    c.authorisation_id = next_id("auth-");
    c.sca_status = "started";
    c.polls_left = decoupled_polls_;
    links["scaStatus"] = href(self + "/authorisations/" + c.authorisation_id);
    out["psuMessage"] = kPsuMessage;
  }
  out["_links"] = links;
  Reply r = json_reply(201, json::serialize(out));
  r.headers.emplace_back("Location", self);
  r.headers.emplace_back("ASPSP-SCA-Approach", c.sca_approach);
  return r;
}

Reply Sandbox::xs2a_authorisations(Consent& c, const http::Request& request, std::string_view prefix, std::string_view sub) {
  const std::string self = std::string(prefix) + "/consents/" + c.id;
  if (sub == "/authorisations" && request.method == "POST") {
    if (c.status != "received" || c.sca_approach == "OAUTH")
      return tpp_error(409, "STATUS_INVALID", "The consent cannot be authorised (status " + c.status + ").");
    if (!c.authorisation_id.empty()) return tpp_error(409, "STATUS_INVALID", "The authorisation was started already.");
    json::object out{{"scaStatus", "received"}};
    json::object links;
    if (c.sca_approach == "DECOUPLED") {
      if (request.header("PSU-ID").empty())
        return tpp_error(400, "FORMAT_ERROR", "PSU-ID is required to start a decoupled authorisation.", "PSU-ID");
      c.psu_id = std::string(request.header("PSU-ID"));
      c.sca_status = "started";
      c.polls_left = decoupled_polls_;
      out["psuMessage"] = kPsuMessage;
    } else {
      links["scaRedirect"] = href(base_url_ + "/xs2a/sca/" + c.id);
    }
    c.authorisation_id = next_id("auth-");
    out["authorisationId"] = c.authorisation_id;
    links["scaStatus"] = href(self + "/authorisations/" + c.authorisation_id);
    out["_links"] = links;
    Reply r = json_reply(201, json::serialize(out));
    r.headers.emplace_back("ASPSP-SCA-Approach", c.sca_approach);
    return r;
  }
  if (sub == "/authorisations" && request.method == "GET") {
    json::array ids;
    if (!c.authorisation_id.empty()) ids.push_back(json::value(c.authorisation_id));
    return json_reply(200, json::serialize(json::object{{"authorisationIds", ids}}));
  }
  if (request.method == "GET" && !c.authorisation_id.empty() && sub == "/authorisations/" + c.authorisation_id) {
    tick_decoupled(c);
    return json_reply(200, json::serialize(json::object{{"scaStatus", c.sca_status}}));
  }
  return tpp_error(403, "RESOURCE_UNKNOWN", "The authorisation sub-resource is unknown.");
}

Reply Sandbox::xs2a_sca_page(const http::Request& request, const Query& query) {
  // The PSU's browser at the bank: the sandbox plays the PSU and decides at once.
  const std::string id(std::string_view(request.path).substr(10));
  auto it = consents_.find(id);
  if (it == consents_.end() || it->second.sca_approach != "REDIRECT")
    return Reply{404, "text/html; charset=utf-8", {}, "<!doctype html><title>Bank</title><p>Unknown authorisation.</p>"};
  Consent& c = it->second;
  if (c.status != "received")
    return Reply{409, "text/html; charset=utf-8", {}, "<!doctype html><title>Bank</title><p>This consent was decided already.</p>"};
  std::string target = c.redirect_uri;
  if (query_get(query, "psu_decision") == "reject") {
    c.status = "rejected";
    c.sca_status = "failed";
    if (!c.nok_redirect_uri.empty()) target = c.nok_redirect_uri;
  } else {
    approve_consent(c);
  }
  Reply r{302, "text/html; charset=utf-8", {}, ""};
  r.headers.emplace_back("Location", target);
  return r;
}

Reply Sandbox::xs2a_download_link(const Consent& c, std::size_t account, std::string_view prefix, std::string xml) {
  if (downloads_.size() >= kMaxDownloads) downloads_.erase(downloads_.begin());
  const std::string token = next_id("dl-");
  downloads_[token] = Download{c.id, account, std::move(xml)};
  const std::string link =
      std::string(prefix) + "/accounts/" + ledger_.accounts()[account].resource_id + "/transactions/download/" + token;
  return json_reply(200, json::serialize(json::object{{"_links", json::object{{"download", href(link)}}}}));
}

Reply Sandbox::xs2a_download(const Consent& c, std::size_t account, std::string_view token) {
  const auto it = downloads_.find(std::string(token));
  if (it == downloads_.end() || it->second.consent != c.id || it->second.account != account)
    return tpp_error(404, "RESOURCE_UNKNOWN", "The download is unknown or has expired.");
  return Reply{200, "application/xml", {}, it->second.xml};
}

Reply Sandbox::xs2a_settings(const http::Request& request) {
  boost::system::error_code ec;
  const json::value body = json::parse(request.body, ec);
  if (ec || !body.is_object()) return json_reply(400, R"({"error":"body must be a JSON object"})");
  const json::object& o = body.as_object();
  if (const json::value* v = o.if_contains("sca_approach")) {
    if (!v->is_string() || !is_xs2a_sca_mode(std::string_view(v->as_string())))
      return json_reply(400, R"({"error":"'sca_approach' must be oauth, redirect, decoupled or preferred"})");
    xs2a_sca_ = std::string(v->as_string());
  }
  if (const json::value* v = o.if_contains("download")) {
    if (!v->is_bool()) return json_reply(400, R"({"error":"'download' must be true or false"})");
    xs2a_download_ = v->as_bool();
  }
  if (const json::value* v = o.if_contains("decoupled_polls")) {
    if (!v->is_int64() || v->as_int64() < 1 || v->as_int64() > 100)
      return json_reply(400, R"({"error":"'decoupled_polls' must be 1..100"})");
    decoupled_polls_ = static_cast<int>(v->as_int64());
  }
  if (const json::value* v = o.if_contains("decoupled_outcome")) {
    const std::string_view outcome = v->is_string() ? std::string_view(v->as_string()) : std::string_view();
    if (outcome != "approve" && outcome != "reject" && outcome != "never")
      return json_reply(400, R"({"error":"'decoupled_outcome' must be approve, reject or never"})");
    decoupled_outcome_ = std::string(outcome);
  }
  return json_reply(200, json::serialize(json::object{{"sca_approach", xs2a_sca_},
                                                      {"download", xs2a_download_},
                                                      {"decoupled_polls", decoupled_polls_},
                                                      {"decoupled_outcome", decoupled_outcome_}}));
}

}  // namespace bankrec::app::sandbox
