#include "file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace bankrec::app {

Result<std::string> read_file_bounded(const std::string& path, std::uint64_t max_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(Errc::invalid_input, std::string("cannot open: ") + std::strerror(errno), path);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return fail(Errc::invalid_input, "not a regular file", path);
  }
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes) {
    ::close(fd);
    return fail(Errc::invalid_input,
                "file is " + std::to_string(st.st_size) + " bytes, more than the limit of " + std::to_string(max_bytes),
                path);
  }
  std::string data(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::read(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      return fail(Errc::invalid_input, std::string("read failed: ") + (n == 0 ? "file shrank" : std::strerror(err)),
                  path);
    }
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return data;
}

}  // namespace bankrec::app
