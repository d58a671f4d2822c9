#include "original_codec.h"

#include <zstd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <utility>
#include <vector>

#include "sqlite.h"

namespace bankrec::store {
namespace {

constexpr std::uint32_t kSkippableMagic = 0x184D2A5E;  // zstd skippable frame, nibble E
constexpr std::uint32_t kSeekableMagic = 0x8F92EAB1;   // seekable format footer
constexpr std::size_t kFooterBytes = 9;                // frame count (4), descriptor (1), magic (4)
constexpr std::size_t kEntryBytes = 8;                 // compressed size (4), decompressed size (4)
constexpr std::size_t kInputPiece = 64 * 1024;         // compressed bytes read from the BLOB at a time
/// A frame needs a window of at most its own size (256 KiB); anything larger is not ours.
constexpr int kMaxWindowLog = 20;

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::uint32_t get_u32(const char* p) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = v << 8 | static_cast<unsigned char>(p[i]);
  return v;
}

struct CCtxFree {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DCtxFree {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

/// One BLOB opened for incremental reads; closed with the object.
class BlobReader {
 public:
  static Result<BlobReader> open(Database& db, std::int64_t rowid) {
    sqlite3* handle = db.handle().db;
    sqlite3_blob* blob = nullptr;
    const int rc = sqlite3_blob_open(handle, "main", "file_originals", "content", rowid, /*flags=*/0, &blob);
    if (rc != SQLITE_OK) {
      sqlite3_blob_close(blob);  // a handle may be set on error; closing nullptr is a no-op
      if (rc == SQLITE_ERROR && std::strstr(sqlite3_errmsg(handle), "no such rowid") != nullptr)
        return fail(Errc::not_found, "no row " + std::to_string(rowid) + " in file_originals");
      return fail(Errc::internal, std::string("blob open file_originals.content: ") + sqlite3_errmsg(handle));
    }
    return BlobReader(handle, blob);
  }
  BlobReader(BlobReader&& other) noexcept : db_(other.db_), blob_(std::exchange(other.blob_, nullptr)) {}
  BlobReader& operator=(BlobReader&&) = delete;
  ~BlobReader() { sqlite3_blob_close(blob_); }

  std::uint64_t size() const { return static_cast<std::uint64_t>(sqlite3_blob_bytes(blob_)); }
  /// Exactly out.size() bytes from `offset` (the caller keeps within size()).
  Result<void> read(std::uint64_t offset, std::span<char> out) {
    if (out.empty()) return ok();
    if (sqlite3_blob_read(blob_, out.data(), static_cast<int>(out.size()), static_cast<int>(offset)) !=
        SQLITE_OK)
      return fail(Errc::internal, std::string("blob read file_originals.content: ") + sqlite3_errmsg(db_));
    return ok();
  }

 private:
  BlobReader(sqlite3* db, sqlite3_blob* blob) : db_(db), blob_(blob) {}
  sqlite3* db_;
  sqlite3_blob* blob_;
};

/// Where one frame lies in the BLOB and in the original.
struct FrameSpan {
  std::size_t index = 0;
  std::uint64_t compressed_at = 0, compressed_size = 0;
  std::uint64_t original_at = 0, original_size = 0;
};

Error corrupt(std::string_view sha256, const std::string& why) {
  return Error{Errc::internal, "stored original " + std::string(sha256) + " is damaged: " + why, {}};
}

/// Reads and checks the seek table (every entry, against the BLOB's and the recorded size) and
/// returns the frame that holds byte `offset` (< size) of the original.
Result<FrameSpan> find_frame(BlobReader& blob, std::string_view sha256, std::uint64_t size,
                             std::uint64_t offset) {
  const std::uint64_t blob_size = blob.size();
  if (blob_size < kFooterBytes + 8) return Unexpected{corrupt(sha256, "no seek table")};
  std::array<char, kFooterBytes> footer{};
  BANKREC_TRY(blob.read(blob_size - kFooterBytes, footer));
  const std::uint64_t frames = get_u32(footer.data());
  if (get_u32(footer.data() + 5) != kSeekableMagic || footer[4] != 0)
    return Unexpected{corrupt(sha256, "no seek table")};
  const std::uint64_t table_bytes = frames * kEntryBytes + kFooterBytes;
  if (frames == 0 || table_bytes + 8 > blob_size) return Unexpected{corrupt(sha256, "bad seek table")};
  const std::uint64_t table_at = blob_size - table_bytes;
  std::array<char, 8> skippable{};
  BANKREC_TRY(blob.read(table_at - 8, skippable));
  if (get_u32(skippable.data()) != kSkippableMagic || get_u32(skippable.data() + 4) != table_bytes)
    return Unexpected{corrupt(sha256, "bad seek table frame")};
  std::optional<FrameSpan> found;
  std::uint64_t compressed_at = 0, original_at = 0;
  std::vector<char> piece;
  for (std::uint64_t i = 0; i < frames;) {
    const std::uint64_t n = std::min<std::uint64_t>(frames - i, kInputPiece / kEntryBytes);
    piece.resize(n * kEntryBytes);
    BANKREC_TRY(blob.read(table_at + i * kEntryBytes, piece));
    for (std::uint64_t j = 0; j < n; ++j, ++i) {
      const std::uint64_t c = get_u32(piece.data() + j * kEntryBytes);
      const std::uint64_t d = get_u32(piece.data() + j * kEntryBytes + 4);
      if (c == 0 || d == 0 || d > kOriginalFrameBytes)
        return Unexpected{corrupt(sha256, "frame " + std::to_string(i) + " has a bad size")};
      if (!found && offset < original_at + d) found = FrameSpan{i, compressed_at, c, original_at, d};
      compressed_at += c;
      original_at += d;
    }
  }
  if (compressed_at != table_at - 8)
    return Unexpected{corrupt(sha256, "frames hold " + std::to_string(compressed_at) + " bytes, the BLOB " +
                                          std::to_string(table_at - 8))};
  if (original_at != size)
    return Unexpected{corrupt(sha256, "frames give " + std::to_string(original_at) + " bytes, " +
                                          std::to_string(size) + " recorded")};
  if (!found) return Unexpected{corrupt(sha256, "no frame holds byte " + std::to_string(offset))};
  return *found;
}

/// Decompresses frame `f` incrementally (its compressed bytes in 64 KiB pieces) into `out`, from
/// byte `offset` of the original, until `out` is full or the frame ends; checks that the frame
/// yields exactly its recorded size (and its checksum) whenever it is read to its end.
Result<std::size_t> read_frame(BlobReader& blob, std::string_view sha256, const FrameSpan& f,
                               std::uint64_t offset, std::span<char> out) {
  std::unique_ptr<ZSTD_DCtx, DCtxFree> dctx(ZSTD_createDCtx());
  if (!dctx) return fail(Errc::internal, "zstd: out of memory");
  ZSTD_DCtx_setParameter(dctx.get(), ZSTD_d_windowLogMax, kMaxWindowLog);
  const std::uint64_t frame_end = f.original_at + f.original_size;
  const std::uint64_t want_end = std::min<std::uint64_t>(frame_end, offset + out.size());
  const std::string where = "frame " + std::to_string(f.index);
  std::vector<char> input(static_cast<std::size_t>(std::min<std::uint64_t>(f.compressed_size, kInputPiece)));
  std::uint64_t read_in = 0;  // compressed bytes of the frame taken from the BLOB so far
  ZSTD_inBuffer in{input.data(), 0, 0};
  std::uint64_t pos = f.original_at;  // original offset of the next byte the frame yields
  std::size_t written = 0;
  char spare = 0;
  bool complete = false;
  for (;;) {
    if (in.pos == in.size && read_in < f.compressed_size) {
      const auto n =
          static_cast<std::size_t>(std::min<std::uint64_t>(input.size(), f.compressed_size - read_in));
      BANKREC_TRY(blob.read(f.compressed_at + read_in, std::span(input).first(n)));
      read_in += n;
      in = ZSTD_inBuffer{input.data(), n, 0};
    }
    ZSTD_outBuffer o{};
    if (pos < offset)  // before the piece asked for: `out` is scratch
      o = {out.data(), static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), offset - pos)), 0};
    else if (pos < want_end)
      o = {out.data() + written, static_cast<std::size_t>(want_end - pos), 0};
    else if (want_end < frame_end)
      break;  // the piece is full; the rest of the frame is for the next call
    else
      o = {&spare, 1, 0};  // the frame must end here: any further byte is beyond its recorded size
    const std::size_t before_in = in.pos;
    const std::size_t rc = ZSTD_decompressStream(dctx.get(), &o, &in);
    if (ZSTD_isError(rc)) return Unexpected{corrupt(sha256, where + ": " + ZSTD_getErrorName(rc))};
    if (o.dst == &spare && o.pos > 0)
      return Unexpected{
          corrupt(sha256, where + " yields more than its " + std::to_string(f.original_size) + " bytes")};
    if (pos >= offset) written += o.pos;
    pos += o.pos;
    if (rc == 0) {  // frame complete, checksum verified
      complete = true;
      break;
    }
    if (o.pos == 0 && in.pos == before_in && read_in == f.compressed_size)
      return Unexpected{corrupt(sha256, where + " is truncated")};
  }
  if (!complete || pos == frame_end) return written;  // not complete: stopped at want_end < frame_end
  return Unexpected{corrupt(sha256, where + " yields " + std::to_string(pos - f.original_at) + " bytes, " +
                                        std::to_string(f.original_size) + " recorded")};
}

}  // namespace

std::optional<std::string> compress_original(std::string_view content) {
  if (content.empty()) return std::nullopt;
  std::unique_ptr<ZSTD_CCtx, CCtxFree> cctx(ZSTD_createCCtx());
  if (!cctx) return std::nullopt;
  ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_compressionLevel, kOriginalZstdLevel);
  ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_checksumFlag, 1);
  const std::size_t frames = (content.size() + kOriginalFrameBytes - 1) / kOriginalFrameBytes;
  std::string out;
  out.reserve(content.size() / 8 + 4096);
  std::string table;
  table.reserve(frames * kEntryBytes + kFooterBytes + 8);
  std::vector<char> scratch(ZSTD_compressBound(kOriginalFrameBytes));
  for (std::size_t at = 0, i = 0; at < content.size(); at += kOriginalFrameBytes, ++i) {
    const std::size_t n = std::min(kOriginalFrameBytes, content.size() - at);
    const std::size_t c = ZSTD_compress2(cctx.get(), scratch.data(), scratch.size(), content.data() + at, n);
    if (ZSTD_isError(c)) return std::nullopt;
    out.append(scratch.data(), c);
    put_u32(table, static_cast<std::uint32_t>(c));
    put_u32(table, static_cast<std::uint32_t>(n));
    // Already-compressed content: stop paying for it after 8 frames (2 MiB).
    if (i == 7 && out.size() > (at + n) / 10 * 9) return std::nullopt;
  }
  put_u32(table, static_cast<std::uint32_t>(frames));
  table.push_back('\0');  // descriptor: no per-frame checksums in the table (each frame has its own)
  put_u32(table, kSeekableMagic);
  if (frames > 0xffffffffULL || out.size() + table.size() + 8 > content.size() / 10 * 9) return std::nullopt;
  put_u32(out, kSkippableMagic);
  put_u32(out, static_cast<std::uint32_t>(table.size()));
  out += table;
  return out;
}

Result<std::size_t> read_original_bytes(Database& db, std::int64_t rowid, std::string_view sha256,
                                        std::string_view encoding, std::uint64_t size, std::uint64_t offset,
                                        std::span<char> out) {
  if (encoding != kOriginalIdentity && encoding != kOriginalZstd)
    return Unexpected{corrupt(sha256, "unknown encoding '" + std::string(encoding) + "'")};
  BlobReader blob = BANKREC_TRY(BlobReader::open(db, rowid));
  if (encoding == kOriginalIdentity) {
    if (blob.size() != size)
      return Unexpected{corrupt(sha256, "it holds " + std::to_string(blob.size()) + " bytes, " +
                                            std::to_string(size) + " recorded")};
    if (offset >= size || out.empty()) return std::size_t{0};
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), size - offset));
    BANKREC_TRY(blob.read(offset, out.first(n)));
    return n;
  }
  if (offset >= size || out.empty()) return std::size_t{0};
  const FrameSpan frame = BANKREC_TRY(find_frame(blob, sha256, size, offset));
  return read_frame(blob, sha256, frame, offset, out);
}

}  // namespace bankrec::store
