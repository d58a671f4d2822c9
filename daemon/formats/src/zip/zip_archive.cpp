#include <zip.h>

#include <algorithm>
#include <memory>

#include "bankrec/formats/format_registry.h"
#include "builtin_formats.h"

namespace bankrec::formats {
namespace {

struct ArchiveCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};
struct FileCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};

bool is_safe_member_name(std::string_view name) {
  if (name.empty() || name.front() == '/' || name.back() == '/') return false;
  if (name.find('\0') != std::string_view::npos || name.find('\\') != std::string_view::npos) return false;
  std::size_t start = 0;
  while (start <= name.size()) {
    const std::size_t end = std::min(name.find('/', start), name.size());
    if (name.substr(start, end - start) == "..") return false;
    start = end + 1;
  }
  return true;
}

Unexpected zip_fail(std::string_view archive, std::string_view member, std::string message) {
  std::string where(archive);
  if (!member.empty()) where += "/" + std::string(member);
  return fail(Errc::invalid_input, std::move(message), std::move(where));
}

}  // namespace

bool is_zip(Bytes input) {
  const std::string_view t = as_text(input);
  if (t.size() < 4 || t.substr(0, 4) != std::string_view("PK\x03\x04", 4)) return false;
  // An Excel workbook is a ZIP too, but a document of its own (the xlsx format), not an archive.
  return xlsx_format().sniff(input.first(std::min(input.size(), kSniffBytes))) < 90;
}

Result<std::vector<InputDocument>> unpack_zip(std::string_view archive_name, Bytes input,
                                              const ArchiveLimits& limits) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(input.data(), input.size(), 0, &error);
  if (source == nullptr) {
    zip_error_fini(&error);
    return zip_fail(archive_name, {}, "cannot read zip archive");
  }
  std::unique_ptr<zip_t, ArchiveCloser> archive(zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error));
  if (!archive) {
    std::string why = zip_error_strerror(&error);
    zip_source_free(source);
    zip_error_fini(&error);
    return zip_fail(archive_name, {}, "damaged zip archive: " + why);
  }
  zip_error_fini(&error);

  const zip_int64_t count = zip_get_num_entries(archive.get(), 0);
  if (count < 0 || static_cast<std::uint64_t>(count) > limits.max_members)
    return zip_fail(archive_name, {}, "zip archive has too many members (limit " +
                                          std::to_string(limits.max_members) + ")");
  std::vector<InputDocument> out;
  std::uint64_t total = 0;
  for (zip_uint64_t i = 0; i < static_cast<zip_uint64_t>(count); ++i) {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(archive.get(), i, 0, &st) != 0 || st.name == nullptr)
      return zip_fail(archive_name, {}, "cannot read member " + std::to_string(i));
    const std::string_view name = st.name;
    if (!name.empty() && name.back() == '/') continue;  // a directory
    if (!is_safe_member_name(name)) return zip_fail(archive_name, name, "unsafe member name in zip archive");
    if (!(st.valid & ZIP_STAT_SIZE)) return zip_fail(archive_name, name, "member without size");
    if (st.size > limits.max_member_bytes)
      return zip_fail(archive_name, name, "member is " + std::to_string(st.size) + " bytes, more than the limit");
    if ((st.valid & ZIP_STAT_COMP_SIZE) && st.comp_size > 0 && st.size / st.comp_size > limits.max_ratio)
      return zip_fail(archive_name, name, "member expands more than " + std::to_string(limits.max_ratio) +
                                              " times (zip bomb?)");
    total += st.size;
    if (total > limits.max_total_bytes) return zip_fail(archive_name, name, "zip archive expands beyond the limit");

    std::unique_ptr<zip_file_t, FileCloser> file(zip_fopen_index(archive.get(), i, 0));
    if (!file) return zip_fail(archive_name, name, "cannot open member (encrypted or unsupported compression?)");
    std::string bytes(static_cast<std::size_t>(st.size), '\0');
    std::size_t done = 0;
    while (done < bytes.size()) {
      const zip_int64_t n = zip_fread(file.get(), bytes.data() + done, bytes.size() - done);
      if (n <= 0) return zip_fail(archive_name, name, "damaged member data");
      done += static_cast<std::size_t>(n);
    }
    out.push_back(InputDocument{std::string(archive_name) + "/" + std::string(name), std::move(bytes)});
  }
  return out;
}

}  // namespace bankrec::formats
