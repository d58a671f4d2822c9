// The console's data API, write side: uploads (streamed to a temp file by the server, then ingested
// like an inbox file), original files, dead-letter retry/dismiss, alert acknowledgement, and the
// OpenAPI document (issue 8).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api_data_routes.h"
#include "bankrec/domain/json.h"
#include "bankrec/store/audit_log.h"
#include "bankrec/store/console_data_repo.h"
#include "bankrec/store/import_writer.h"
#include "bankrec/store/jobs_repo.h"

namespace bankrec::http {

std::string_view openapi_yaml() {
  static constexpr std::string_view kDocument =
#include "openapi_yaml.inc"
      ;
  return kDocument;
}

namespace data {
namespace {

/// A read-only mapping of the streamed upload: the bytes are parsed in place, never copied.
class MappedFile {
 public:
  MappedFile() = default;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile() {
    if (data_ != nullptr) ::munmap(data_, size_);
  }
  Result<void> open(const std::filesystem::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fail(Errc::internal, "cannot open the uploaded file", path.string());
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      ::close(fd);
      return fail(Errc::internal, "cannot stat the uploaded file", path.string());
    }
    size_ = static_cast<std::size_t>(st.st_size);
    if (size_ > 0) {
      void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (p == MAP_FAILED) {
        ::close(fd);
        return fail(Errc::internal, "cannot map the uploaded file", path.string());
      }
      data_ = p;
    }
    ::close(fd);
    return ok();
  }
  std::string_view view() const { return {static_cast<const char*>(data_), size_}; }

 private:
  void* data_ = nullptr;
  std::size_t size_ = 0;
};

std::string actor_of(const Principal& p) {
  if (p.token_id && !p.name.starts_with("token:")) return "token:" + p.name;
  return p.name;
}

/// The file name from X-File-Name (percent-encoded UTF-8 allowed): its last path component, without
/// control characters, at most 255 bytes; "upload" when nothing is left.
std::string upload_name(const Request& request) {
  std::string raw(request.header("X-File-Name"));
  if (auto decoded = percent_decode(raw, /*plus_is_space=*/false)) raw = std::move(*decoded);
  const auto slash = raw.find_last_of("/\\");
  if (slash != std::string::npos) raw = raw.substr(slash + 1);
  std::string out;
  for (char c : raw)
    if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f && c != '"') out += c;
  if (out.size() > 255) out.resize(255);
  if (out.empty() || out == "." || out == "..") out = "upload";
  return out;
}

/// Line and column from an error's `where` ("name:14:7 (byte 512, :61:)"); 0 when it has none.
std::pair<std::int64_t, std::int64_t> line_column(const Error& error, const std::string& name) {
  std::string_view w = error.where;
  if (!w.starts_with(name + ":")) return {0, 0};
  w.remove_prefix(name.size() + 1);
  std::int64_t line = 0, column = 0;
  auto [p, ec] = std::from_chars(w.data(), w.data() + w.size(), line);
  if (ec != std::errc()) return {0, 0};
  if (p != w.data() + w.size() && *p == ':') std::from_chars(p + 1, w.data() + w.size(), column);
  return {line, column};
}

struct FileOutcome {
  std::string name;
  std::string status = "imported";  // imported, duplicate_file, error
  std::int64_t file_id = 0, statements = 0, entries = 0, duplicates = 0;
  std::optional<Error> error;
};

/// One document through jobs::ingest_file (as the inbox does). Its original is kept by the import
/// itself, in the transaction that writes its rows (or its error row); the upload's own audit entry
/// follows in a small transaction of its own (the import's entry already names file, source and actor).
Result<FileOutcome> ingest_one(DataApi& api, const std::string& name, Bytes bytes, const std::string& format,
                               const std::string& profile, const std::string& actor) {
  jobs::IngestRequest request;
  request.name = name;
  request.bytes = bytes;
  request.source = store::FileSource::upload;
  request.actor = actor;
  request.format_id = format;
  request.profile = profile;
  request.keep_original = true;
  const jobs::IngestOptions options = api.ingest_options ? api.ingest_options() : jobs::IngestOptions{};
  FileOutcome out;
  out.name = name;
  const std::string sha256 = store::sha256_hex(bytes);
  std::lock_guard lock(api.store_mutex);
  auto result = jobs::ingest_file(api.store, api.formats, request, {}, options);
  if (!result && (result.error().code == Errc::unavailable || result.error().code == Errc::internal))
    return Unexpected{result.error()};  // storage trouble, not a bad file: the client may retry
  store::ConsoleDataRepo repo(api.store);
  if (result) {
    out.file_id = result->source_file_id;
    out.statements = result->counts.statements;
    out.entries = result->counts.entries_new;
    out.duplicates = result->counts.entries_skipped;
    if (result->duplicate_file) out.status = "duplicate_file";
  } else {
    out.status = "error";
    out.error = result.error();
    out.file_id = BANKREC_TRY(repo.newest_file_with(sha256)).value_or(0);
  }
  BANKREC_TRY(api.store.write([&]() -> Result<void> {
    const std::string details = "{\"name\":" + domain::json_quote(name) + ",\"sha256\":\"" + sha256 +
                                "\",\"size\":" + std::to_string(bytes.size()) + ",\"status\":\"" + out.status +
                                "\",\"entries_new\":" + std::to_string(out.entries) + "}";
    BANKREC_TRY(api.store.audit().append({actor, "upload.file", "source_file", std::to_string(out.file_id), details}));
    return ok();
  }));
  return out;
}

json::object outcome_json(const FileOutcome& f) {
  json::object o{{"file", f.name},          {"status", f.status},         {"file_id", f.file_id},
                 {"statements", f.statements}, {"entries", f.entries},     {"duplicates", f.duplicates}};
  if (f.error) {
    const auto [line, column] = line_column(*f.error, f.name);
    o["error"] = json::object{{"message", f.error->describe()},
                              {"line", line > 0 ? json::value(line) : json::value(nullptr)},
                              {"column", column > 0 ? json::value(column) : json::value(nullptr)}};
  } else {
    o["error"] = nullptr;
  }
  return o;
}

Response upload(DataApi& api, const Request& request) {
  return respond([&]() -> Result<Response> {
    const Query q = BANKREC_TRY(Query::of(request, {"format", "profile"}));
    const std::string format = q.text("format").value_or("");
    if (!format.empty() && api.formats.find(format) == nullptr)
      return fail(Errc::invalid_input, "unknown format '" + format + "'");
    const std::string profile = q.text("profile").value_or("");  // forced bank profile; empty = chosen automatically
    MappedFile mapped;
    std::string_view content = request.body;
    if (!request.body_file.empty()) {
      BANKREC_TRY(mapped.open(request.body_file));
      content = mapped.view();
    }
    if (content.empty()) return fail(Errc::invalid_input, "the upload is empty");
    const std::string name = upload_name(request);
    const std::string actor = actor_of(*request.principal);
    const Bytes bytes = as_bytes(content);
    std::vector<FileOutcome> outcomes;
    if (formats::is_zip(bytes)) {
      auto members = formats::unpack_zip(name, bytes);
      if (!members) {
        FileOutcome bad;
        bad.name = name;
        bad.status = "error";
        bad.error = members.error();
        outcomes.push_back(std::move(bad));
      } else {
        for (const auto& m : *members) outcomes.push_back(BANKREC_TRY(ingest_one(api, m.name, as_bytes(m.bytes), format, profile, actor)));
      }
    } else {
      outcomes.push_back(BANKREC_TRY(ingest_one(api, name, bytes, format, profile, actor)));
    }
    std::int64_t added = 0;
    for (const auto& o : outcomes) added += o.entries;
    if (added > 0 && api.after_import) api.after_import(actor);
    if (outcomes.size() == 1) return json_response(200, outcome_json(outcomes.front()));
    // A ZIP: the sums, the first member's file id, and each member's own outcome.
    FileOutcome total;
    total.name = name;
    json::array members;
    bool any_imported = false, any_error = false;
    for (const auto& o : outcomes) {
      total.statements += o.statements;
      total.entries += o.entries;
      total.duplicates += o.duplicates;
      if (total.file_id == 0) total.file_id = o.file_id;
      any_imported = any_imported || o.status == "imported";
      any_error = any_error || o.status == "error";
      if (o.error && !total.error) total.error = o.error;
      members.emplace_back(outcome_json(o));
    }
    total.status = any_error ? "error" : any_imported ? "imported" : "duplicate_file";
    json::object body = outcome_json(total);
    body["members"] = std::move(members);
    return json_response(200, body);
  });
}

/// RFC 6266 `attachment` with an ASCII fallback `filename` and, for anything else, RFC 8187
/// `filename*=UTF-8''...`; a ZIP member ("archive.zip/x.xml") is offered under its own name.
std::string content_disposition(std::string_view name) {
  if (const auto slash = name.find_last_of('/'); slash != std::string_view::npos && slash + 1 < name.size())
    name.remove_prefix(slash + 1);
  std::string ascii, encoded;
  bool plain = true;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    const bool printable = u >= 0x20 && u < 0x7f && c != '"' && c != '\\';
    ascii += printable ? c : '_';
    plain = plain && printable;
    // attr-char (RFC 8187 section 3.2.1) stays as it is; every other byte is percent-encoded.
    const bool alnum = (u >= '0' && u <= '9') || (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z');
    if (alnum || std::string_view("!#$&+-.^_`|~").find(c) != std::string_view::npos) {
      encoded += c;
    } else {
      static constexpr char kHex[] = "0123456789ABCDEF";
      encoded += '%';
      encoded += kHex[u >> 4];
      encoded += kHex[u & 0x0f];
    }
  }
  std::string out = "attachment; filename=\"" + ascii + "\"";
  if (!plain) out += "; filename*=UTF-8''" + encoded;
  return out;
}

/// The original bytes of a file row, sent in pieces straight from the database: each piece is read
/// under the store lock on its own, so a large download neither fills memory nor holds up imports.
Response original(const std::shared_ptr<DataApi>& api, const Request& request) {
  return respond([&]() -> Result<Response> {
    const std::int64_t id = BANKREC_TRY(id_param(request, "file"));
    store::FileOriginal file;
    {
      std::lock_guard lock(api->store_mutex);
      file = BANKREC_TRY(store::ConsoleDataRepo(api->store).original(id));
    }
    auto source = std::make_shared<BodySource>();
    source->size = file.size;
    source->read = [api, sha256 = file.sha256](std::uint64_t offset, std::span<char> out) -> Result<std::size_t> {
      std::lock_guard lock(api->store_mutex);
      return store::ConsoleDataRepo(api->store).read_original(sha256, offset, out);
    };
    Response r;
    r.content_type = "application/octet-stream";
    r.source = std::move(source);
    r.headers.emplace_back("Content-Disposition", content_disposition(file.name));
    return r;
  });
}

Response dead_letter_action(DataApi& api, const Request& request, bool retry) {
  return respond([&]() -> Result<Response> {
    const std::int64_t job_id = BANKREC_TRY(id_param(request, "job"));
    const std::string actor = actor_of(*request.principal);
    {
      std::lock_guard lock(api.store_mutex);
      store::JobsRepo jobs(api.store);
      if (!BANKREC_TRY(jobs.find(job_id))) return fail(Errc::not_found, "no job with id " + std::to_string(job_id));
      const auto dead_letter = BANKREC_TRY(store::ConsoleDataRepo(api.store).open_dead_letter_of_job(job_id));
      if (!dead_letter) return fail(Errc::conflict, "job " + std::to_string(job_id) + " has no open dead letter");
      // Both are audit-logged by the repository (dead_letter.retry, dead_letter.dismiss).
      if (retry)
        BANKREC_TRY(jobs.retry_dead_letter(*dead_letter, actor));
      else
        BANKREC_TRY(jobs.dismiss_dead_letter(*dead_letter, actor, "dismissed in the console"));
    }
    if (retry && api.jobs_changed) api.jobs_changed();
    return Response{204, "application/json", {}, {}};
  });
}

Response acknowledge(DataApi& api, const Request& request) {
  return respond([&]() -> Result<Response> {
    const std::int64_t id = BANKREC_TRY(id_param(request, "alert"));
    std::lock_guard lock(api.store_mutex);
    BANKREC_TRY(store::ConsoleDataRepo(api.store).acknowledge_alert(id, actor_of(*request.principal)));
    return Response{204, "application/json", {}, {}};
  });
}

}  // namespace

void install_write_routes(Router& router, std::shared_ptr<DataApi> api) {
  Access upload_access = Access::need(Permission::upload);
  upload_access.streamed = std::make_shared<const StreamedBody>(api->upload);
  router.add("POST", "/api/v1/uploads", upload_access, [api](const Request& r) { return upload(*api, r); });
  const Access read = Access::need(Permission::read);
  router.add("GET", "/api/v1/files/{id}/original", read, [api](const Request& r) { return original(api, r); });
  // Dead letters and alerts: the people who upload and review also clear the errors they see.
  const Access act = Access::need(Permission::upload);
  router.add("POST", "/api/v1/jobs/{id}/retry", act, [api](const Request& r) { return dead_letter_action(*api, r, true); });
  router.add("POST", "/api/v1/jobs/{id}/dismiss", act,
             [api](const Request& r) { return dead_letter_action(*api, r, false); });
  router.add("POST", "/api/v1/alerts/{id}/acknowledge", act, [api](const Request& r) { return acknowledge(*api, r); });
  router.add("GET", "/api/v1/openapi.yaml", read,
             [](const Request&) { return Response::text(200, std::string(openapi_yaml()), "application/yaml"); });
}

}  // namespace data

void install_data_routes(Router& router, std::shared_ptr<DataApi> api) {
  data::install_read_routes(router, api);
  data::install_write_routes(router, std::move(api));
}

}  // namespace bankrec::http
