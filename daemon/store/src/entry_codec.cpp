#include "entry_codec.h"

#include <cstdint>
#include <optional>

namespace bankrec::store {
namespace {

constexpr unsigned char kVersion = 1;

// Tags. Values are part of the stored format: never renumber, only add.
enum Tag : unsigned char {
  reversal = 1,
  customer_reference,
  uetr,
  mandate_id,
  creditor_id,
  code_iso,
  code_proprietary,
  code_swift,
  code_gvc,
  posting_text,
  party_bic,
  party_account,
  party_bank_code,
  party_id,
  remittance,
  structured_reference,
  original_amount,
  charges,
  return_present,
  return_reason,
  return_original_e2e,
  return_info,
  amount_exponent,  // only when the currency column's code is not in the ISO 4217 table
  // A detail: detail_begin, its fields (same layout as above, d_* tags), detail_end.
  detail_begin = 30,
  d_amount,
  d_end_to_end_id,
  d_instruction_id,
  d_transaction_id,
  d_uetr,
  d_mandate_id,
  d_bank_reference,
  d_party_name,
  d_party_iban,
  d_party_bic,
  d_party_account,
  d_party_bank_code,
  d_party_id,
  d_remittance,
  d_structured_reference,
  d_return_present,
  d_return_reason,
  d_return_original_e2e,
  d_return_info,
  detail_end,
};

void put_varint(std::uint64_t v, std::string& out) {
  while (v >= 0x80) {
    out += static_cast<char>(static_cast<unsigned char>(v) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

void put_field(Tag tag, std::string_view bytes, std::string& out) {
  out += static_cast<char>(tag);
  put_varint(bytes.size(), out);
  out.append(bytes);
}

void put(Tag tag, const std::optional<std::string>& value, std::string& out) {
  if (value) put_field(tag, *value, out);
}

void put_flag(Tag tag, std::string& out) {
  out += static_cast<char>(tag);
  out += '\0';
}

void put_money(Tag tag, const std::optional<domain::Money>& m, std::string& out) {
  if (!m) return;
  char payload[16];
  std::size_t n = 0;
  const auto minor = static_cast<std::uint64_t>(m->minor());
  std::uint64_t zigzag = (minor << 1) ^ static_cast<std::uint64_t>(m->minor() >> 63);
  while (zigzag >= 0x80) {
    payload[n++] = static_cast<char>(static_cast<unsigned char>(zigzag) | 0x80);
    zigzag >>= 7;
  }
  payload[n++] = static_cast<char>(zigzag);
  for (const char c : m->currency().code) payload[n++] = c;
  payload[n++] = static_cast<char>(m->currency().exponent);
  put_field(tag, std::string_view(payload, n), out);
}

void put_return(Tag present, const std::optional<domain::ReturnInfo>& r, std::string& out) {
  if (!r) return;
  put_flag(present, out);
  put(static_cast<Tag>(present + 1), r->reason, out);
  put(static_cast<Tag>(present + 2), r->original_end_to_end_id, out);
  put(static_cast<Tag>(present + 3), r->info, out);
}

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  bool done() const { return pos_ >= in_.size(); }
  std::size_t pos() const { return pos_; }

  Result<std::uint64_t> varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) return damaged("truncated number");
      const auto byte = static_cast<unsigned char>(in_[pos_++]);
      v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return v;
    }
    return damaged("number too long");
  }
  Result<unsigned char> byte() {
    if (pos_ >= in_.size()) return damaged("truncated field");
    return static_cast<unsigned char>(in_[pos_++]);
  }
  Result<std::string_view> bytes() {
    const std::uint64_t n = BANKREC_TRY(varint());
    if (n > in_.size() - pos_) return damaged("field longer than the blob");
    const std::string_view out = in_.substr(pos_, n);
    pos_ += n;
    return out;
  }
  Unexpected damaged(std::string_view what) const {
    return fail(Errc::internal,
                "stored entry data is damaged at byte " + std::to_string(pos_) + ": " + std::string(what));
  }

 private:
  std::string_view in_;
  std::size_t pos_ = 0;
};

Result<domain::Money> money_of(Reader& r, std::string_view payload) {
  Reader p(payload);
  const std::uint64_t zigzag = BANKREC_TRY(p.varint());
  const auto minor = static_cast<std::int64_t>(zigzag >> 1) ^ -static_cast<std::int64_t>(zigzag & 1);
  domain::Currency currency;
  for (char& c : currency.code) c = static_cast<char>(BANKREC_TRY(p.byte()));
  currency.exponent = BANKREC_TRY(p.byte());
  if (!p.done()) return r.damaged("amount with trailing bytes");
  return domain::Money(minor, currency);
}

std::optional<std::string> text(std::string_view v) { return std::string(v); }

}  // namespace

void encode_entry_rest(const domain::Entry& e, std::string& out) {
  out += static_cast<char>(kVersion);
  if (e.reversal) put_flag(reversal, out);
  const auto& currency = e.amount.currency();
  if (const auto known = domain::Currency::find(currency.str());
      !known || known->exponent != currency.exponent)
    put_field(amount_exponent, std::string_view(reinterpret_cast<const char*>(&currency.exponent), 1), out);
  put(customer_reference, e.customer_reference, out);
  put(uetr, e.uetr, out);
  put(mandate_id, e.mandate_id, out);
  put(creditor_id, e.creditor_id, out);
  put(code_iso, e.transaction_code.iso, out);
  put(code_proprietary, e.transaction_code.proprietary, out);
  put(code_swift, e.transaction_code.swift, out);
  put(code_gvc, e.transaction_code.gvc, out);
  put(posting_text, e.posting_text, out);
  put(party_bic, e.counterparty.bic, out);
  put(party_account, e.counterparty.account, out);
  put(party_bank_code, e.counterparty.bank_code, out);
  put(party_id, e.counterparty.id, out);
  put(remittance, e.remittance, out);
  put(structured_reference, e.structured_reference, out);
  put_money(original_amount, e.original_amount, out);
  put_money(charges, e.charges, out);
  put_return(return_present, e.return_info, out);
  for (const auto& d : e.details) {
    put_flag(detail_begin, out);
    put_money(d_amount, d.amount, out);
    put(d_end_to_end_id, d.end_to_end_id, out);
    put(d_instruction_id, d.instruction_id, out);
    put(d_transaction_id, d.transaction_id, out);
    put(d_uetr, d.uetr, out);
    put(d_mandate_id, d.mandate_id, out);
    put(d_bank_reference, d.bank_reference, out);
    put(d_party_name, d.counterparty.name, out);
    put(d_party_iban, d.counterparty.iban, out);
    put(d_party_bic, d.counterparty.bic, out);
    put(d_party_account, d.counterparty.account, out);
    put(d_party_bank_code, d.counterparty.bank_code, out);
    put(d_party_id, d.counterparty.id, out);
    put(d_remittance, d.remittance, out);
    put(d_structured_reference, d.structured_reference, out);
    put_return(d_return_present, d.return_info, out);
    put_flag(detail_end, out);
  }
}

Result<void> decode_entry_rest(std::string_view rest, domain::Entry& e) {
  Reader r(rest);
  if (rest.empty() || static_cast<unsigned char>(rest[0]) != kVersion)
    return fail(Errc::internal, "stored entry data has an unknown version");
  BANKREC_TRY(r.byte());
  domain::EntryDetail* d = nullptr;  // the open detail
  while (!r.done()) {
    const auto tag = static_cast<Tag>(BANKREC_TRY(r.byte()));
    const std::string_view v = BANKREC_TRY(r.bytes());
    const bool in_detail = d != nullptr;
    if ((tag > detail_begin && tag <= detail_end) != in_detail)
      return r.damaged(in_detail ? "entry field inside a detail" : "detail field outside a detail");
    switch (tag) {
      case reversal:
        e.reversal = true;
        break;
      case customer_reference:
        e.customer_reference = text(v);
        break;
      case uetr:
        e.uetr = text(v);
        break;
      case mandate_id:
        e.mandate_id = text(v);
        break;
      case creditor_id:
        e.creditor_id = text(v);
        break;
      case code_iso:
        e.transaction_code.iso = text(v);
        break;
      case code_proprietary:
        e.transaction_code.proprietary = text(v);
        break;
      case code_swift:
        e.transaction_code.swift = text(v);
        break;
      case code_gvc:
        e.transaction_code.gvc = text(v);
        break;
      case posting_text:
        e.posting_text = text(v);
        break;
      case party_bic:
        e.counterparty.bic = text(v);
        break;
      case party_account:
        e.counterparty.account = text(v);
        break;
      case party_bank_code:
        e.counterparty.bank_code = text(v);
        break;
      case party_id:
        e.counterparty.id = text(v);
        break;
      case remittance:
        e.remittance = text(v);
        break;
      case structured_reference:
        e.structured_reference = text(v);
        break;
      case original_amount:
        e.original_amount = BANKREC_TRY(money_of(r, v));
        break;
      case charges:
        e.charges = BANKREC_TRY(money_of(r, v));
        break;
      case return_present:
        e.return_info.emplace();
        break;
      case return_reason:
      case return_original_e2e:
      case return_info: {
        if (!e.return_info) return r.damaged("return field without return");
        auto& field = tag == return_reason         ? e.return_info->reason
                      : tag == return_original_e2e ? e.return_info->original_end_to_end_id
                                                   : e.return_info->info;
        field = text(v);
        break;
      }
      case amount_exponent: {
        if (v.size() != 1) return r.damaged("bad amount exponent");
        domain::Currency c = e.amount.currency();
        c.exponent = static_cast<std::uint8_t>(v[0]);
        e.amount = domain::Money(e.amount.minor(), c);
        break;
      }
      case detail_begin:
        d = &e.details.emplace_back();
        break;
      case d_amount:
        d->amount = BANKREC_TRY(money_of(r, v));
        break;
      case d_end_to_end_id:
        d->end_to_end_id = text(v);
        break;
      case d_instruction_id:
        d->instruction_id = text(v);
        break;
      case d_transaction_id:
        d->transaction_id = text(v);
        break;
      case d_uetr:
        d->uetr = text(v);
        break;
      case d_mandate_id:
        d->mandate_id = text(v);
        break;
      case d_bank_reference:
        d->bank_reference = text(v);
        break;
      case d_party_name:
        d->counterparty.name = text(v);
        break;
      case d_party_iban:
        d->counterparty.iban = text(v);
        break;
      case d_party_bic:
        d->counterparty.bic = text(v);
        break;
      case d_party_account:
        d->counterparty.account = text(v);
        break;
      case d_party_bank_code:
        d->counterparty.bank_code = text(v);
        break;
      case d_party_id:
        d->counterparty.id = text(v);
        break;
      case d_remittance:
        d->remittance = text(v);
        break;
      case d_structured_reference:
        d->structured_reference = text(v);
        break;
      case d_return_present:
        d->return_info.emplace();
        break;
      case d_return_reason:
      case d_return_original_e2e:
      case d_return_info: {
        if (!d->return_info) return r.damaged("return field without return");
        auto& field = tag == d_return_reason         ? d->return_info->reason
                      : tag == d_return_original_e2e ? d->return_info->original_end_to_end_id
                                                     : d->return_info->info;
        field = text(v);
        break;
      }
      case detail_end:
        d = nullptr;
        break;
      default:
        return r.damaged("unknown field tag " + std::to_string(static_cast<int>(tag)));
    }
  }
  if (d != nullptr) return r.damaged("detail without its end");
  return ok();
}

}  // namespace bankrec::store
