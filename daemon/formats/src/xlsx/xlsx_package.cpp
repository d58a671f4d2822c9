#include "xlsx/xlsx_package.h"

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>
#include <zip.h>

#include <algorithm>
#include <vector>

#include "xlsx/cell_text.h"

namespace bankrec::formats::xlsx {
namespace {

constexpr std::uint64_t kRatioFloor = 1024 * 1024;  // small parts may compress extremely well

std::string lower_first(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '.')) s.pop_back();
  if (!s.empty() && s[0] >= 'A' && s[0] <= 'Z' && (s.size() < 2 || !(s[1] >= 'A' && s[1] <= 'Z')))
    s[0] = static_cast<char>(s[0] - 'A' + 'a');
  return s;
}

std::string_view view(const xmlChar* s) {
  return s == nullptr ? std::string_view() : std::string_view(reinterpret_cast<const char*>(s));
}

}  // namespace

// --- Package ---------------------------------------------------------------------------------

Package::~Package() {
  if (archive_ != nullptr) zip_discard(archive_);
}

Result<std::unique_ptr<Package>> Package::open(Bytes input, const ParseOptions& options,
                                               const Limits& limits) {
  std::unique_ptr<Package> package(new Package(options, limits));
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(input.data(), input.size(), 0, &error);
  if (source == nullptr) {
    zip_error_fini(&error);
    return sheet_error(options, {}, "cannot read the workbook's zip archive");
  }
  package->archive_ = zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error);
  if (package->archive_ == nullptr) {
    const int code = zip_error_code_zip(&error);
    std::string why = lower_first(zip_error_strerror(&error));
    zip_source_free(source);
    zip_error_fini(&error);
    if (code == ZIP_ER_NOZIP) return sheet_error(options, {}, "not an xlsx workbook: not a zip archive");
    return sheet_error(options, {}, "damaged xlsx workbook (truncated download?): " + why);
  }
  zip_error_fini(&error);
  const zip_int64_t count = zip_get_num_entries(package->archive_, 0);
  if (count < 0 || static_cast<std::uint64_t>(count) > limits.max_parts)
    return sheet_error(options, {},
                       "the workbook's zip archive has " + std::to_string(count) +
                           " entries, more than the limit of " + std::to_string(limits.max_parts));
  return package;
}

Result<std::int64_t> Package::index_of(std::string_view part) const {
  const std::string name(part);
  const zip_int64_t index = zip_name_locate(archive_, name.c_str(), ZIP_FL_NOCASE);
  if (index < 0) return sheet_error(options_, part, "part is missing from the workbook");
  return static_cast<std::int64_t>(index);
}

bool Package::has(std::string_view part) const {
  const std::string name(part);
  return zip_name_locate(archive_, name.c_str(), ZIP_FL_NOCASE) >= 0;
}

// --- PartReader ------------------------------------------------------------------------------

// Inflated bytes flow from libzip into libxml2 through these callbacks, counted against the limits.
struct PartReader::Source {
  zip_file_t* file = nullptr;
  std::uint64_t read = 0;
  std::uint64_t limit = 0;
  std::uint64_t* total = nullptr;
  bool over_limit = false;
  bool damaged = false;

  ~Source() {
    if (file != nullptr) zip_fclose(file);
  }
  static int on_read(void* self, char* buffer, int len) {
    auto* s = static_cast<Source*>(self);
    const zip_int64_t n = zip_fread(s->file, buffer, static_cast<zip_uint64_t>(len));
    if (n < 0) {
      s->damaged = true;
      return -1;
    }
    s->read += static_cast<std::uint64_t>(n);
    *s->total += static_cast<std::uint64_t>(n);
    if (s->read > s->limit) {
      s->over_limit = true;
      return -1;
    }
    return static_cast<int>(n);
  }
  static int on_close(void*) { return 0; }
};

// libxml2 reports some problems through per-thread global handlers rather than the reader's; while
// a part is read both go here, so nothing reaches stderr. The previous handlers come back after.
struct PartReader::ErrorCapture {
  ErrorCapture()
      : structured(xmlStructuredError),
        structured_context(xmlStructuredErrorContext),
        generic(xmlGenericError),
        generic_context(xmlGenericErrorContext) {
    xmlSetStructuredErrorFunc(this, &ErrorCapture::on_error);
    xmlSetGenericErrorFunc(nullptr, &ErrorCapture::ignore);
  }
  ~ErrorCapture() {
    xmlSetStructuredErrorFunc(structured_context, structured);
    xmlSetGenericErrorFunc(generic_context, generic);
  }
  ErrorCapture(const ErrorCapture&) = delete;
  ErrorCapture& operator=(const ErrorCapture&) = delete;

  static void ignore(void*, const char*, ...) {}
  static void on_error(void* self, xmlErrorPtr error) {
    auto* capture = static_cast<ErrorCapture*>(self);
    if (error == nullptr || capture->set || error->level < XML_ERR_ERROR) return;
    if (error->domain == XML_FROM_NAMESPACE) return;  // undeclared prefixes: names stay readable
    capture->set = true;
    capture->message = lower_first(error->message != nullptr ? error->message : "unknown xml error");
    capture->line = error->line > 0 ? error->line : 0;
    capture->column = error->int2 > 0 ? error->int2 : 0;
  }

  xmlStructuredErrorFunc structured;
  void* structured_context;
  xmlGenericErrorFunc generic;
  void* generic_context;
  bool set = false;
  std::string message;
  int line = 0;
  int column = 0;
};

PartReader::~PartReader() {
  if (reader_ != nullptr) xmlFreeTextReader(reader_);
  errors_.reset();
}

Result<std::unique_ptr<PartReader>> PartReader::open(Package& package, std::string part) {
  const ParseOptions& options = package.options();
  const Limits& limits = package.limits();
  const auto index = BANKREC_TRY(package.index_of(part));
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat_index(package.archive_, static_cast<zip_uint64_t>(index), 0, &st) != 0)
    return sheet_error(options, part, "cannot read the part's zip entry");
  if ((st.valid & ZIP_STAT_SIZE) != 0) {
    if (st.size > limits.max_part_bytes)
      return sheet_error(options, part,
                         "part is " + std::to_string(st.size) +
                             " bytes uncompressed, more than the limit of " +
                             std::to_string(limits.max_part_bytes));
    if ((st.valid & ZIP_STAT_COMP_SIZE) != 0 && st.size > kRatioFloor &&
        st.size / std::max<std::uint64_t>(st.comp_size, 1) > limits.max_ratio)
      return sheet_error(options, part,
                         "part expands from " + std::to_string(st.comp_size) + " to " +
                             std::to_string(st.size) + " bytes, more than " +
                             std::to_string(limits.max_ratio) + " times (zip bomb?)");
  }
  if (package.total_read_ >= limits.max_total_bytes)
    return sheet_error(options, part,
                       "the workbook expands beyond " + std::to_string(limits.max_total_bytes) + " bytes");

  std::unique_ptr<PartReader> reader(new PartReader());
  reader->part_ = std::move(part);
  reader->options_ = &options;
  reader->source_ = std::make_unique<Source>();
  reader->source_->file = zip_fopen_index(package.archive_, static_cast<zip_uint64_t>(index), 0);
  if (reader->source_->file == nullptr)
    return sheet_error(options, reader->part_,
                       "cannot open the part (encrypted or unsupported compression?)");
  reader->source_->limit = std::min(limits.max_part_bytes, limits.max_total_bytes - package.total_read_);
  reader->source_->total = &package.total_read_;
  xmlInitParser();
  reader->errors_ = std::make_unique<ErrorCapture>();
  // No XML_PARSE_NOENT (entities stay unexpanded), no DTD loading, nothing from the network.
  reader->reader_ = xmlReaderForIO(&Source::on_read, &Source::on_close, reader->source_.get(), nullptr,
                                   nullptr, XML_PARSE_NONET | XML_PARSE_COMPACT | XML_PARSE_BIG_LINES);
  if (reader->reader_ == nullptr) return sheet_error(options, reader->part_, "cannot read the part as xml");
  xmlTextReaderSetStructuredErrorHandler(reader->reader_, &ErrorCapture::on_error, reader->errors_.get());
  return reader;
}

Result<bool> PartReader::next() {
  const int rc = xmlTextReaderRead(reader_);
  if (source_->over_limit)
    return sheet_error(*options_, part_, "part expands beyond " + std::to_string(source_->limit) + " bytes");
  if (source_->damaged) return sheet_error(*options_, part_, "damaged part data in the zip archive");
  if (errors_->set || rc < 0) return xml_error();
  if (rc == 0) return false;
  type_ = xmlTextReaderNodeType(reader_);
  depth_ = xmlTextReaderDepth(reader_);
  empty_ = type_ == element && xmlTextReaderIsEmptyElement(reader_) == 1;
  if (depth_ > static_cast<int>(std::min<std::uint32_t>(options_->max_depth, 256)))
    return sheet_error(*options_, position(),
                       "elements nested deeper than " + std::to_string(options_->max_depth) + " levels");
  if (type_ == XML_READER_TYPE_DOCUMENT_TYPE)
    return sheet_error(*options_, position(), "a DOCTYPE is not allowed in a workbook part");
  if (type_ == XML_READER_TYPE_ENTITY_REFERENCE || type_ == XML_READER_TYPE_ENTITY)
    return sheet_error(*options_, position(), "entity references are not allowed in a workbook part");
  return true;
}

std::string_view PartReader::name() const { return view(xmlTextReaderConstLocalName(reader_)); }
std::string_view PartReader::value() const { return view(xmlTextReaderConstValue(reader_)); }

std::optional<std::string> PartReader::attribute(std::string_view local, bool prefixed) const {
  std::optional<std::string> out;
  for (int rc = xmlTextReaderMoveToFirstAttribute(reader_); rc == 1;
       rc = xmlTextReaderMoveToNextAttribute(reader_)) {
    const bool has_prefix = xmlTextReaderConstPrefix(reader_) != nullptr;
    if (has_prefix == prefixed && view(xmlTextReaderConstLocalName(reader_)) == local) {
      out = std::string(view(xmlTextReaderConstValue(reader_)));
      break;
    }
  }
  xmlTextReaderMoveToElement(reader_);
  return out;
}

std::string PartReader::position() const {
  return part_ + ":" + std::to_string(xmlTextReaderGetParserLineNumber(reader_)) + ":" +
         std::to_string(xmlTextReaderGetParserColumnNumber(reader_));
}

Unexpected PartReader::xml_error() const {
  if (!errors_->set) return sheet_error(*options_, position(), "malformed xml");
  const std::string where =
      part_ + ":" + std::to_string(errors_->line) + ":" + std::to_string(errors_->column);
  return sheet_error(*options_, where, "malformed xml: " + errors_->message);
}

std::optional<std::string> resolve_target(std::string_view source_part, std::string_view target) {
  std::vector<std::string> steps;
  std::string_view rest = target;
  if (rest.starts_with('/')) {
    rest.remove_prefix(1);
  } else {
    const std::size_t slash = source_part.rfind('/');
    rest = target;
    if (slash != std::string_view::npos) {
      for (std::string_view dir = source_part.substr(0, slash); !dir.empty();) {
        const std::size_t cut = std::min(dir.find('/'), dir.size());
        steps.emplace_back(dir.substr(0, cut));
        dir.remove_prefix(std::min(cut + 1, dir.size()));
      }
    }
  }
  while (!rest.empty()) {
    const std::size_t cut = std::min(rest.find('/'), rest.size());
    const std::string_view step = rest.substr(0, cut);
    rest.remove_prefix(std::min(cut + 1, rest.size()));
    if (step.empty() || step == ".") continue;
    if (step == "..") {
      if (steps.empty()) return std::nullopt;
      steps.pop_back();
      continue;
    }
    steps.emplace_back(step);
  }
  if (steps.empty()) return std::nullopt;
  std::string out;
  for (const auto& s : steps) out += (out.empty() ? "" : "/") + s;
  return out;
}

}  // namespace bankrec::formats::xlsx
