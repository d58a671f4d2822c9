#pragma once

// How a file's original bytes are kept in file_originals (schema step 16, issue 4): `identity` (the
// bytes as they came) or `zstd`, a seekable Zstandard stream: independent frames of kOriginalFrameBytes
// of the original each (content size and XXH64 checksum in every frame), followed by a skippable
// frame with the seek table of the zstd seekable format (contrib/seekable_format: per frame its
// compressed and decompressed size; footer: frame count, descriptor, magic 0x8F92EAB1). Any zstd
// decoder turns the BLOB back into the original; the table lets a download start at any piece and
// decompress only the frame that holds it, with bounded memory.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "bankrec/base/result.h"
#include "bankrec/store/database.h"

namespace bankrec::store {

inline constexpr std::string_view kOriginalIdentity = "identity";
inline constexpr std::string_view kOriginalZstd = "zstd";
/// Bytes of the original per frame: the console's download reads 256 KiB pieces, so each piece
/// is exactly one frame.
inline constexpr std::size_t kOriginalFrameBytes = 256 * 1024;
/// The zstd level. Measured with the zstd tool on the bench's 103.5 MB camt.053 (one stream, user
/// CPU): level 1 0.08 s -> 1.01 MB; --fast=1 0.06 s -> 1.50 MB; --fast=3 0.08 s -> 2.41 MB; level 3
/// 0.12 s -> 1.05 MB. Level 1 is the fastest level that keeps the ratio.
inline constexpr int kOriginalZstdLevel = 1;

/// The zstd encoding of `content`, or nullopt when compressing does not pay (empty, or the output
/// would be more than 90% of the input: already compressed files such as PDF or XLSX stay identity;
/// gives up after the first few frames when they do not shrink).
std::optional<std::string> compress_original(std::string_view content);

/// Up to `out.size()` bytes of the original from `offset` (0 at or past the end) of the
/// file_originals row `rowid` whose recorded size is `size`, stored with `encoding`. A zstd BLOB is
/// decompressed frame by frame from the BLOB's pages (never loaded whole); a read may return fewer
/// bytes than asked (it stops at the end of a frame). A corrupt BLOB, a frame that yields more or
/// fewer bytes than recorded, a BLOB whose size disagrees with the recorded size or an unknown
/// encoding is an internal error naming the file's `sha256`, never a crash.
Result<std::size_t> read_original_bytes(Database& db, std::int64_t rowid, std::string_view sha256,
                                        std::string_view encoding, std::uint64_t size, std::uint64_t offset,
                                        std::span<char> out);

}  // namespace bankrec::store
