#include "bankrec/store/entry_json.h"

#include "date_text.h"

namespace bankrec::store {
namespace {

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}

  void key(std::string_view k) {
    out_ += first_ ? "\"" : ",\"";
    out_ += k;
    out_ += "\":";
    first_ = false;
  }
  void open() {
    out_ += '{';
    first_ = true;
  }
  void close() {
    out_ += '}';
    first_ = false;
  }
  void string(std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    out_ += '"';
    for (const char c : s) {
      const auto u = static_cast<unsigned char>(c);
      switch (c) {
        case '"':
          out_ += "\\\"";
          break;
        case '\\':
          out_ += "\\\\";
          break;
        case '\b':
          out_ += "\\b";
          break;
        case '\f':
          out_ += "\\f";
          break;
        case '\n':
          out_ += "\\n";
          break;
        case '\r':
          out_ += "\\r";
          break;
        case '\t':
          out_ += "\\t";
          break;
        default:
          if (u < 0x20) {
            out_ += "\\u00";
            out_ += kHex[u >> 4];
            out_ += kHex[u & 0x0f];
          } else {
            out_ += c;
          }
      }
    }
    out_ += '"';
  }
  void null() { out_ += "null"; }
  void boolean(bool b) { out_ += b ? "true" : "false"; }
  void raw(std::string_view s) { out_ += s; }

  void field(std::string_view k, const std::optional<std::string>& v) {
    key(k);
    v ? string(*v) : null();
  }
  void field(std::string_view k, const std::optional<domain::Date>& v) {
    key(k);
    if (!v) return null();
    out_ += '"';
    append_iso_date(*v, out_);
    out_ += '"';
  }

 private:
  std::string& out_;
  bool first_ = true;
};

void money(Writer& w, std::string_view k, const std::optional<domain::Money>& m) {
  w.key(k);
  if (!m) return w.null();
  w.open();
  w.key("amount");
  w.string(m->to_string());
  w.key("currency");
  w.string(m->currency().str());
  w.close();
}

void party(Writer& w, const domain::Party& p) {
  w.key("counterparty");
  w.open();
  w.field("name", p.name);
  w.field("iban", p.iban);
  w.field("bic", p.bic);
  if (p.account) w.field("account", p.account);
  if (p.bank_code) w.field("bank_code", p.bank_code);
  if (p.id) w.field("id", p.id);
  w.close();
}

void return_info(Writer& w, const std::optional<domain::ReturnInfo>& r) {
  w.key("return");
  if (!r) return w.null();
  w.open();
  w.field("reason", r->reason);
  w.field("original_end_to_end_id", r->original_end_to_end_id);
  w.field("info", r->info);
  w.close();
}

void detail(Writer& w, const domain::EntryDetail& d) {
  w.open();
  w.key("amount");
  d.amount ? w.string(d.amount->to_string()) : w.null();
  if (d.amount) {
    w.key("currency");
    w.string(d.amount->currency().str());
  }
  w.field("end_to_end_id", d.end_to_end_id);
  w.field("instruction_id", d.instruction_id);
  w.field("transaction_id", d.transaction_id);
  w.field("uetr", d.uetr);
  w.field("mandate_id", d.mandate_id);
  w.field("bank_reference", d.bank_reference);
  party(w, d.counterparty);
  w.field("remittance", d.remittance);
  w.field("structured_reference", d.structured_reference);
  if (d.return_info) return_info(w, d.return_info);
  w.close();
}

}  // namespace

std::string entry_to_json(const domain::Entry& e) {
  std::string out;
  out.reserve(640);
  append_entry_json(e, out);
  return out;
}

void append_entry_json(const domain::Entry& e, std::string& out) {
  Writer w(out);
  w.open();
  w.field("booking_date", e.booking_date);
  w.field("value_date", e.value_date);
  w.key("amount");
  w.string(e.amount.to_string());
  w.key("currency");
  w.string(e.amount.currency().str());
  w.key("status");
  w.string(domain::entry_status_name(e.status));
  w.key("reversal");
  w.boolean(e.reversal);
  w.field("bank_reference", e.bank_reference);
  w.field("customer_reference", e.customer_reference);
  w.field("end_to_end_id", e.end_to_end_id);
  w.field("uetr", e.uetr);
  w.field("mandate_id", e.mandate_id);
  w.field("creditor_id", e.creditor_id);
  w.key("transaction_code");
  w.open();
  w.field("iso", e.transaction_code.iso);
  w.field("proprietary", e.transaction_code.proprietary);
  w.field("swift", e.transaction_code.swift);
  w.field("gvc", e.transaction_code.gvc);
  w.close();
  w.field("posting_text", e.posting_text);
  party(w, e.counterparty);
  w.field("remittance", e.remittance);
  w.field("structured_reference", e.structured_reference);
  money(w, "original_amount", e.original_amount);
  money(w, "charges", e.charges);
  return_info(w, e.return_info);
  w.key("details");
  w.raw("[");
  for (std::size_t i = 0; i < e.details.size(); ++i) {
    if (i > 0) w.raw(",");
    detail(w, e.details[i]);
  }
  w.raw("]");
  w.close();
}

}  // namespace bankrec::store
