#pragma once

#include <zip.h>

#include <string>
#include <utility>
#include <vector>

#include "bankrec/formats/profile.h"
#include "bankrec/testing/testing.h"

// Helpers for the spreadsheet reader tests: ZIP archives written in memory with libzip, and a
// plain-text dump of tables for golden files and readable failures.
namespace bankrec::formats::sheet_test {

using Member = std::pair<std::string, std::string>;  // name, content

/// A ZIP archive of `members`, deflated (or stored with `store`).
inline std::string make_zip(const std::vector<Member>& members, bool store = false) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* out = zip_source_buffer_create(nullptr, 0, 0, &error);
  zip_t* archive = zip_open_from_source(out, ZIP_TRUNCATE, &error);
  if (archive == nullptr) {
    ADD_FAILURE() << "zip_open_from_source failed";
    return {};
  }
  zip_source_keep(out);
  for (const auto& [name, content] : members) {
    zip_source_t* src = zip_source_buffer(archive, content.data(), content.size(), 0);
    const zip_int64_t index = zip_file_add(archive, name.c_str(), src, ZIP_FL_ENC_UTF_8);
    if (index < 0) ADD_FAILURE() << "zip_file_add " << name;
    zip_set_file_compression(archive, static_cast<zip_uint64_t>(index), store ? ZIP_CM_STORE : ZIP_CM_DEFLATE,
                             9);
  }
  if (zip_close(archive) != 0) ADD_FAILURE() << "zip_close failed";
  std::string bytes;
  zip_stat_t st;
  zip_source_stat(out, &st);
  bytes.resize(st.size);
  zip_source_open(out);
  zip_source_read(out, bytes.data(), bytes.size());
  zip_source_close(out);
  zip_source_free(out);
  zip_error_fini(&error);
  return bytes;
}

/// Cells escaped so that one row is one line: "\n" → "\\n", "|" → "\\|".
inline std::string escape_cell(const std::string& cell) {
  std::string out;
  for (char c : cell) {
    if (c == '\n')
      out += "\\n";
    else if (c == '\r')
      out += "\\r";
    else if (c == '|' || c == '\\')
      out += std::string("\\") + c;
    else
      out += c;
  }
  return out;
}

inline std::string dump(const std::vector<Table>& tables) {
  std::string out;
  for (const auto& t : tables) {
    out += "== " + t.name + " (" + t.cell_prefix + ")\n";
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
      out += std::to_string(i < t.row_numbers.size() ? t.row_numbers[i] : 0) + ":";
      for (const auto& cell : t.rows[i]) out += " " + escape_cell(cell) + " |";
      out += "\n";
    }
  }
  return out;
}

}  // namespace bankrec::formats::sheet_test
