// Workbook-level parts of an XLSX file (ECMA-376 Part 1, 12.3): the package relationships, the
// workbook (sheet list, date system), styles (number formats) and the shared string table.
#include <charconv>
#include <map>

#include "xlsx/xlsx_reader.h"
#include "xlsx/xlsx_sheet.h"

namespace bankrec::formats::xlsx {
namespace {

struct Relationship {
  std::string id, type, target;
  bool external = false;
};

bool has_type(const Relationship& rel, std::string_view suffix) {
  return rel.type.size() > suffix.size() && rel.type.ends_with(suffix) &&
         rel.type[rel.type.size() - suffix.size() - 1] == '/';
}

std::string rels_part_of(std::string_view part) {
  const std::size_t slash = part.rfind('/');
  if (slash == std::string_view::npos) return "_rels/" + std::string(part) + ".rels";
  return std::string(part.substr(0, slash + 1)) + "_rels/" + std::string(part.substr(slash + 1)) + ".rels";
}

Result<std::vector<Relationship>> read_relationships(Package& package, std::string_view source_part) {
  std::vector<Relationship> out;
  const std::string part = source_part.empty() ? std::string("_rels/.rels") : rels_part_of(source_part);
  if (!package.has(part)) return out;
  auto reader = BANKREC_TRY(PartReader::open(package, part));
  while (BANKREC_TRY(reader->next())) {
    if (reader->type() != PartReader::element || reader->name() != "Relationship") continue;
    Relationship rel;
    rel.id = reader->attribute("Id").value_or("");
    rel.type = reader->attribute("Type").value_or("");
    rel.target = reader->attribute("Target").value_or("");
    rel.external = reader->attribute("TargetMode").value_or("") == "External";
    out.push_back(std::move(rel));
  }
  return out;
}

std::optional<std::uint32_t> to_uint(std::string_view text) {
  std::uint32_t v = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size()) return std::nullopt;
  return v;
}

struct SheetRef {
  std::string name, part;
};

struct WorkbookPart {
  std::vector<SheetRef> sheets;
  DateSystem date_system = DateSystem::d1900;
  std::string shared_strings, styles;  ///< part names, empty when the workbook has none
};

Result<WorkbookPart> read_workbook_part(Package& package, const std::string& part) {
  const auto rels = BANKREC_TRY(read_relationships(package, part));
  WorkbookPart out;
  for (const auto& rel : rels) {
    if (rel.external) continue;
    const auto target = resolve_target(part, rel.target);
    if (!target) continue;
    if (has_type(rel, "sharedStrings")) out.shared_strings = *target;
    if (has_type(rel, "styles")) out.styles = *target;
  }
  auto reader = BANKREC_TRY(PartReader::open(package, part));
  while (BANKREC_TRY(reader->next())) {
    if (reader->type() != PartReader::element) continue;
    if (reader->name() == "workbookPr") {
      const std::string v = reader->attribute("date1904").value_or("0");
      if (v == "1" || v == "true") out.date_system = DateSystem::d1904;
      continue;
    }
    if (reader->name() != "sheet") continue;
    const std::string name = reader->attribute("name").value_or("");
    const std::string id = reader->attribute("id", /*prefixed=*/true).value_or("");
    const Relationship* rel = nullptr;
    for (const auto& r : rels)
      if (r.id == id) rel = &r;
    if (rel == nullptr)
      return sheet_error(package.options(), reader->position(),
                         "sheet '" + name + "' names relationship '" + id + "', which " + rels_part_of(part) +
                             " does not have");
    if (!has_type(*rel, "worksheet")) continue;  // chart, dialog and macro sheets hold no table
    const auto target = resolve_target(part, rel->target);
    if (!target || rel->external)
      return sheet_error(package.options(), reader->position(),
                         "sheet '" + name + "' points outside the workbook ('" + rel->target + "')");
    if (out.sheets.size() >= package.limits().max_sheets)
      return sheet_error(package.options(), part,
                         "more than " + std::to_string(package.limits().max_sheets) + " sheets");
    out.sheets.push_back({name, *target});
  }
  return out;
}

// cellXfs (the styles cells point at with s="n") → number format id → date or number.
Result<std::vector<ValueKind>> read_styles(Package& package, const std::string& part) {
  std::map<std::uint32_t, ValueKind> custom;
  std::vector<std::uint32_t> xf_formats;
  auto reader = BANKREC_TRY(PartReader::open(package, part));
  bool in_cell_xfs = false;
  while (BANKREC_TRY(reader->next())) {
    if (reader->type() == PartReader::end && reader->name() == "cellXfs") in_cell_xfs = false;
    if (reader->type() != PartReader::element) continue;
    const std::string_view name = reader->name();
    if (name == "cellXfs") {
      in_cell_xfs = !reader->is_empty_element();
    } else if (name == "numFmt") {
      const auto id = to_uint(reader->attribute("numFmtId").value_or(""));
      if (id) custom[*id] = format_code_kind(reader->attribute("formatCode").value_or(""));
    } else if (name == "xf" && in_cell_xfs) {
      xf_formats.push_back(to_uint(reader->attribute("numFmtId").value_or("0")).value_or(0));
    }
  }
  std::vector<ValueKind> kinds;
  kinds.reserve(xf_formats.size());
  for (const std::uint32_t id : xf_formats) {
    const auto it = custom.find(id);
    kinds.push_back(it != custom.end() ? it->second : builtin_format_kind(id));
  }
  return kinds;
}

// <si> holds plain <t> text or rich-text runs <r><t>; phonetic runs <rPh> are not part of the value.
Result<std::vector<std::string>> read_shared_strings(Package& package, const std::string& part) {
  std::vector<std::string> out;
  auto reader = BANKREC_TRY(PartReader::open(package, part));
  std::string text;
  bool in_t = false;
  int phonetic_depth = -1;
  while (BANKREC_TRY(reader->next())) {
    const int type = reader->type();
    const std::string_view name =
        type == PartReader::element || type == PartReader::end ? reader->name() : "";
    if (type == PartReader::element) {
      if (name == "si") {
        text.clear();
        if (reader->is_empty_element()) out.emplace_back();
      } else if (name == "rPh" && !reader->is_empty_element() && phonetic_depth < 0) {
        phonetic_depth = reader->depth();
      } else if (name == "t" && phonetic_depth < 0) {
        in_t = !reader->is_empty_element();
      }
    } else if (type == PartReader::end) {
      if (name == "t") in_t = false;
      if (name == "rPh" && reader->depth() == phonetic_depth) phonetic_depth = -1;
      if (name == "si") out.push_back(decode_xstring(text));
    } else if (in_t) {
      text += reader->value();
    }
  }
  return out;
}

// The main part from the package relationships; old writers skip _rels/.rels, so fall back.
Result<std::string> find_workbook_part(Package& package) {
  for (const auto& rel : BANKREC_TRY(read_relationships(package, {})))
    if (has_type(rel, "officeDocument") && !rel.external)
      if (auto target = resolve_target("", rel.target); target && package.has(*target)) return *target;
  if (package.has("xl/workbook.xml")) return std::string("xl/workbook.xml");
  return sheet_error(package.options(), {},
                     "not an xlsx workbook: the zip archive has no xl/workbook.xml (a zip of other files?)");
}

}  // namespace

Result<std::vector<Table>> read_workbook(Bytes input, const ParseOptions& options, const Limits& limits) {
  if (input.size() > options.max_input_bytes)
    return sheet_error(options, {},
                       "file is " + std::to_string(input.size()) + " bytes, more than the limit of " +
                           std::to_string(options.max_input_bytes));
  auto package = BANKREC_TRY(Package::open(input, options, limits));
  const std::string workbook_part = BANKREC_TRY(find_workbook_part(*package));
  const WorkbookPart workbook = BANKREC_TRY(read_workbook_part(*package, workbook_part));
  if (workbook.sheets.empty()) return sheet_error(options, workbook_part, "the workbook has no worksheets");

  WorkbookContext context;
  context.date_system = workbook.date_system;
  if (!workbook.styles.empty() && package->has(workbook.styles))
    context.style_kinds = BANKREC_TRY(read_styles(*package, workbook.styles));
  if (!workbook.shared_strings.empty() && package->has(workbook.shared_strings))
    context.shared_strings = BANKREC_TRY(read_shared_strings(*package, workbook.shared_strings));

  std::vector<Table> tables;
  for (const auto& sheet : workbook.sheets) {
    if (!package->has(sheet.part))
      return sheet_error(options, sheet_prefix(sheet.name).substr(0, sheet_prefix(sheet.name).size() - 1),
                         "the sheet's part " + sheet.part + " is missing from the workbook");
    tables.push_back(BANKREC_TRY(read_sheet(*package, sheet.name, sheet.part, context)));
  }
  return tables;
}

}  // namespace bankrec::formats::xlsx
