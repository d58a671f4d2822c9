#include "xls/xls_reader.h"

#include <freexl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "xlsx/cell_text.h"

namespace bankrec::formats::xls {
namespace {

using xlsx::sheet_error;

// A temporary copy of the input, removed when this goes out of scope (and earlier by release()).
class TempFile {
 public:
  static Result<TempFile> write(Bytes input, const ParseOptions& options) {
    const char* dir = std::getenv("TMPDIR");
    TempFile file;
    file.path_ = std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/bankrec-xls-XXXXXX";
    const int fd = ::mkstemp(file.path_.data());
    if (fd < 0) {
      file.path_.clear();
      return fail(Errc::internal,
                  std::string("cannot create a temporary file for the xls reader: ") + std::strerror(errno),
                  std::string(options.file_name));
    }
    const char* data = reinterpret_cast<const char*>(input.data());
    std::size_t done = 0;
    while (done < input.size()) {
      const ssize_t n = ::write(fd, data + done, input.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        const int saved = errno;
        ::close(fd);
        return fail(Errc::internal,
                    std::string("cannot write the xls reader's temporary file: ") + std::strerror(saved),
                    std::string(options.file_name));
      }
      done += static_cast<std::size_t>(n);
    }
    ::close(fd);
    return file;
  }
  TempFile() = default;
  TempFile(TempFile&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  TempFile& operator=(TempFile&&) = delete;
  TempFile(const TempFile&) = delete;
  ~TempFile() { release(); }
  void release() {
    if (!path_.empty()) ::unlink(path_.c_str());
    path_.clear();
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct Handle {
  const void* xls = nullptr;
  ~Handle() {
    if (xls != nullptr) freexl_close(xls);
  }
};

std::string open_error(int rc) {
  switch (rc) {
    case FREEXL_INSUFFICIENT_MEMORY:
      return "not enough memory to read the workbook";
    case FREEXL_INVALID_CFBF_HEADER:
    case FREEXL_CFBF_INVALID_SIGNATURE:
      return "not an xls workbook (no ole2 compound file header)";
    case FREEXL_CFBF_READ_ERROR:
    case FREEXL_CFBF_SEEK_ERROR:
    case FREEXL_CFBF_EMPTY_FAT_CHAIN:
    case FREEXL_CFBF_ILLEGAL_FAT_ENTRY:
    case FREEXL_CFBF_INVALID_SECTOR_SIZE:
    case FREEXL_INVALID_MINI_STREAM:
    case FREEXL_CFBF_ILLEGAL_MINI_FAT_ENTRY:
      return "damaged xls workbook: broken compound file structure (truncated download?)";
    case FREEXL_BIFF_WORKBOOK_NOT_FOUND:
      return "not an xls workbook: the compound file has no Workbook stream (a Word file, or an encrypted "
             "xlsx?)";
    case FREEXL_BIFF_INVALID_BOF:
    case FREEXL_BIFF_INVALID_SST:
    case FREEXL_BIFF_ILLEGAL_SST_INDEX:
    case FREEXL_ILLEGAL_RK_VALUE:
    case FREEXL_CRAFTED_FILE:
      return "damaged xls workbook: invalid biff records";
    case FREEXL_INVALID_CHARACTER:
    case FREEXL_UNSUPPORTED_CHARSET:
      return "the xls workbook's text cannot be converted to utf-8 (unknown code page)";
    default:
      return "cannot read the xls workbook (freexl error " + std::to_string(rc) + ")";
  }
}

// freexl renders dates itself (from the cell's format): "YYYY-MM-DD", "YYYY-MM-DD HH:MM:SS" and
// "HH:MM:SS"; profile.h wants the 'T' between date and time.
std::string render(const FreeXL_CellValue& cell) {
  switch (cell.type) {
    case FREEXL_CELL_INT:
      return std::to_string(cell.value.int_value);
    case FREEXL_CELL_DOUBLE:
      return xlsx::render_number(cell.value.double_value);
    case FREEXL_CELL_TEXT:
    case FREEXL_CELL_SST_TEXT:
    case FREEXL_CELL_DATE:
    case FREEXL_CELL_TIME:
      return cell.value.text_value != nullptr ? std::string(cell.value.text_value) : std::string();
    case FREEXL_CELL_DATETIME: {
      std::string text = cell.value.text_value != nullptr ? cell.value.text_value : "";
      if (text.size() > 10 && text[10] == ' ') text[10] = 'T';
      return text;
    }
    default:
      return {};
  }
}

Result<Table> read_sheet(const void* xls, unsigned short index, const ParseOptions& options,
                         const Limits& limits, std::uint64_t& cells) {
  const char* name = nullptr;
  if (freexl_get_worksheet_name(xls, index, &name) != FREEXL_OK || name == nullptr)
    return sheet_error(options, "sheet " + std::to_string(index + 1), "cannot read the sheet's name");
  Table table;
  table.name = name;
  table.cell_prefix = xlsx::sheet_prefix(table.name);
  if (freexl_select_active_worksheet(xls, index) != FREEXL_OK)
    return sheet_error(options, table.name, "cannot select the sheet");
  unsigned int rows = 0;
  unsigned short columns = 0;
  if (freexl_worksheet_dimensions(xls, &rows, &columns) != FREEXL_OK)
    return sheet_error(options, table.name, "cannot read the sheet's dimensions");
  for (unsigned int r = 0; r < rows; ++r) {
    std::vector<std::string> row;
    for (unsigned short c = 0; c < columns; ++c) {
      FreeXL_CellValue cell;
      if (freexl_get_cell_value(xls, r, c, &cell) != FREEXL_OK)
        return sheet_error(options, table.cell_prefix + xlsx::column_name(c) + std::to_string(r + 1),
                           "cannot read the cell");
      std::string text = render(cell);
      if (text.empty()) continue;
      cells += c + 1 - row.size();
      if (cells > limits.max_cells)
        return sheet_error(options, table.cell_prefix + xlsx::column_name(c) + std::to_string(r + 1),
                           "the workbook has more than " + std::to_string(limits.max_cells) + " cells");
      row.resize(c + 1u);
      row[c] = std::move(text);
    }
    if (row.empty()) continue;
    table.rows.push_back(std::move(row));
    table.row_numbers.push_back(r + 1);
  }
  return table;
}

}  // namespace

Result<std::vector<Table>> read_workbook(Bytes input, const ParseOptions& options, const Limits& limits) {
  if (input.size() > options.max_input_bytes)
    return sheet_error(options, {},
                       "file is " + std::to_string(input.size()) + " bytes, more than the limit of " +
                           std::to_string(options.max_input_bytes));
  if (!as_text(input).starts_with(std::string_view("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8)))
    return sheet_error(options, {}, "not an xls workbook (no ole2 compound file header)");
  // An encrypted XLSX is an OLE2 file too, with an EncryptedPackage stream instead of a Workbook.
  const std::string_view head = as_text(input);
  if (head.find(std::string_view("E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e", 31)) !=
      std::string_view::npos)
    return sheet_error(options, {},
                       "the workbook is an encrypted (password-protected) xlsx: save it without a password");

  TempFile file = BANKREC_TRY(TempFile::write(input, options));
  Handle handle;
  const int rc = freexl_open(file.path().c_str(), &handle.xls);
  file.release();  // freexl keeps its own descriptor open
  if (rc != FREEXL_OK) return sheet_error(options, {}, open_error(rc));
  unsigned int password = 0;
  if (freexl_get_info(handle.xls, FREEXL_BIFF_PASSWORD, &password) == FREEXL_OK &&
      password == FREEXL_BIFF_OBFUSCATED)
    return sheet_error(options, {}, "the workbook is password-protected: save it without a password");

  unsigned int sheet_count = 0;
  if (freexl_get_info(handle.xls, FREEXL_BIFF_SHEET_COUNT, &sheet_count) != FREEXL_OK)
    return sheet_error(options, {}, "cannot read the number of sheets");
  if (sheet_count == 0) return sheet_error(options, {}, "the workbook has no worksheets");
  if (sheet_count > limits.max_sheets)
    return sheet_error(options, {}, "more than " + std::to_string(limits.max_sheets) + " sheets");
  std::vector<Table> tables;
  std::uint64_t cells = 0;
  for (unsigned int i = 0; i < sheet_count; ++i)
    tables.push_back(
        BANKREC_TRY(read_sheet(handle.xls, static_cast<unsigned short>(i), options, limits, cells)));
  return tables;
}

}  // namespace bankrec::formats::xls
