#pragma once

#include <cstdint>

// The ISO 20022 element names the CAMT parser looks at (camt.052/053/054, versions 001.01 to
// 001.13). Every other element is skipped. Names are compared as interned libxml2 dictionary
// pointers, so the hot path never builds a std::string for a name.
namespace bankrec::formats::camt {

// clang-format off
#define BANKREC_CAMT_TAGS(X)                                                                        \
  X(Document) X(BkToCstmrStmt) X(BkToCstmrAcctRpt) X(BkToCstmrDbtCdtNtfctn) X(BkToCstmrStmtV01)    \
  X(BkToCstmrAcctRptV01) X(BkToCstmrDbtCdtNtfctnV01) X(GrpHdr) X(Stmt) X(Rpt) X(Ntfctn) X(Id)        \
  X(ElctrncSeqNb) X(LglSeqNb) X(CreDtTm) X(FrToDt) X(FrDtTm) X(ToDtTm) X(Acct) X(IBAN) X(Othr)       \
  X(BBAN) X(UPIC) X(PrtryAcct) X(Ccy) X(Nm) X(Ownr) X(Svcr) X(FinInstnId) X(BIC) X(BICFI)           \
  X(NmAndAdr) X(ClrSysMmbId) X(MmbId) X(Bal) X(Tp) X(CdOrPrtry) X(Cd) X(Prtry) X(Amt) X(CdtDbtInd)  \
  X(Dt) X(DtTm) X(Ntry) X(NtryRef) X(RvslInd) X(Sts) X(BookgDt) X(ValDt) X(AcctSvcrRef) X(BkTxCd)  \
  X(Domn) X(Fmly) X(SubFmlyCd) X(NtryDtls) X(Btch) X(PmtInfId) X(TxDtls) X(Refs) X(EndToEndId)      \
  X(InstrId) X(TxId) X(MndtId) X(UETR) X(AmtDtls) X(InstdAmt) X(TxAmt) X(Chrgs)                     \
  X(TtlChrgsAndTaxAmt) X(Rcrd) X(RltdPties) X(Dbtr) X(Cdtr) X(UltmtDbtr) X(UltmtCdtr) X(DbtrAcct)   \
  X(CdtrAcct) X(Pty) X(Agt) X(OrgId) X(PrvtId) X(AnyBIC) X(BICOrBEI) X(SchmeNm) X(RltdAgts)         \
  X(DbtrAgt) X(CdtrAgt) X(RmtInf) X(Ustrd) X(Strd) X(CdtrRefInf) X(Ref) X(AddtlRmtInf) X(RtrInf)    \
  X(Rsn) X(AddtlInf) X(OrgnlEndToEndId) X(AddtlNtryInf) X(CdtrSchmeId)
// clang-format on

enum class Tag : std::uint8_t {
  other,  // any element the parser does not look at
#define BANKREC_CAMT_ENUM(name) name,
  BANKREC_CAMT_TAGS(BANKREC_CAMT_ENUM)
#undef BANKREC_CAMT_ENUM
      count
};

/// The element name of a tag ("Ntry"); "" for Tag::other.
const char* tag_name(Tag tag);

}  // namespace bankrec::formats::camt
