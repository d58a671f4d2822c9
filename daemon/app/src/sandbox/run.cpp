#include "sandbox/run.h"

#include <signal.h>
#include <stdlib.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "bankrec/app/cli.h"
#include "bankrec/app/exit_code.h"
#include "bankrec/http/server.h"
#include "sandbox/sandbox.h"
#include "sandbox/tls_server.h"

namespace bankrec::app::sandbox {
namespace fs = std::filesystem;

namespace {

int report(const Error& error) {
  std::cerr << "bankrec-sandbox: error: " << (error.where.empty() ? "" : error.where + ": ") << error.message << "\n";
  return exit_code_for(error);
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App cli{"bankrec-sandbox: a local fake bank speaking Berlin Group XS2A, Bridge API v3 and GoCardless Bank Account Data",
               "bankrec-sandbox"};
  cli.set_version_flag("--version", std::string("bankrec-sandbox ") + version());
  std::string listen = "127.0.0.1:8444";
  std::uint64_t seed = 1;
  std::string data_dir;
  int days = 90;
  std::string today_text;
  std::size_t page_size = 50;
  std::vector<std::string> faults;
  std::string xs2a_sca = "oauth";
  bool xs2a_download = false;
  std::string bridge_redirect_url;
  cli.add_option("--listen", listen, "ADDR:PORT on loopback (default 127.0.0.1:8444; port 0 picks a free one)");
  cli.add_option("--seed", seed, "seed of the generated bank data (default 1)");
  cli.add_option("--data-dir", data_dir, "where the TLS certificate lives (default: a temporary directory)");
  cli.add_option("--days", days, "days of history before today (default 90)")->check(CLI::Range(1, 730));
  cli.add_option("--today", today_text, "the sandbox's today, YYYY-MM-DD (default: the current UTC date)");
  cli.add_option("--page-size", page_size, "entries per XS2A transactions page and Bridge default limit (default 50)")
      ->check(CLI::Range(1, 500));
  cli.add_option("--xs2a-sca", xs2a_sca,
                 "XS2A SCA approach: oauth (default), redirect, decoupled, or preferred (follows the TPP's "
                 "TPP-Redirect-Preferred / TPP-Decoupled-Preferred headers)")
      ->check(CLI::IsMember({"oauth", "redirect", "decoupled", "preferred"}));
  cli.add_flag("--xs2a-download", xs2a_download, "answer XS2A JSON transaction requests with a _links.download camt file");
  cli.add_option("--bridge-redirect-url", bridge_redirect_url,
                 "Bridge v2 app redirect URL (the dashboard setting) where Bridge Connect ends");
  cli.add_option("--fault", faults, "PATH-PATTERN=KIND[:COUNT], e.g. '/v1/accounts/*/transactions=server_error:2'");
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = cli.exit(e);
    return code == 0 ? kExitOk : kExitBadInput;
  }

  Options options;
  options.seed = seed;
  options.days = days;
  options.page_size = page_size;
  options.xs2a_sca = xs2a_sca;
  options.xs2a_download = xs2a_download;
  options.bridge_redirect_url = bridge_redirect_url;
  if (today_text.empty()) {
    options.today = date_of(std::chrono::system_clock::now());
  } else {
    const auto d = parse_date_strict(today_text);
    if (!d) return report(Error{Errc::invalid_input, "--today must be YYYY-MM-DD, got '" + today_text + "'", {}});
    options.today = *d;
  }
  const auto address = http::parse_listen_address(listen);
  if (!address) return report(address.error());

  Sandbox sandbox(options);
  for (const std::string& spec : faults)
    if (auto r = sandbox.add_fault_spec(spec); !r) return report(r.error());

  bool temporary = false;
  if (data_dir.empty()) {
    std::string pattern = (fs::temp_directory_path() / "bankrec-sandbox-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) return report(Error{Errc::internal, "cannot create a temporary directory", {}});
    data_dir = pattern;
    temporary = true;
  }
  const fs::path tls_dir = fs::path(data_dir) / "tls";
  std::error_code ec;
  fs::create_directories(tls_dir, ec);
  if (ec) return report(Error{Errc::invalid_input, "cannot create " + tls_dir.string() + ": " + ec.message(), {}});
  const fs::path cert = tls_dir / "sandbox.crt", key = tls_dir / "sandbox.key";
  if (auto r = http::ensure_self_signed_certificate(cert, key, {"localhost"}); !r) return report(r.error());
  const auto fingerprint = http::certificate_fingerprint(cert);
  if (!fingerprint) return report(fingerprint.error());

  // Block the stop signals before any thread starts, so only sigwait() below sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  TlsServerConfig config;
  config.address = address->first;
  config.port = address->second;
  config.cert_file = cert;
  config.key_file = key;
  config.threads = 2;
  auto server = TlsServer::start(config, [&sandbox](const http::Request& request) { return sandbox.handle(request); });
  if (!server) return report(server.error());
  const std::string host = address->first.find(':') != std::string::npos ? "[" + address->first + "]" : address->first;
  const std::string url = "https://" + host + ":" + std::to_string((*server)->port());
  sandbox.set_base_url(url);

  // Machine-readable, one key=value per line, "ready" last: tests and the demo pin the certificate.
  std::printf("url=%s\n", url.c_str());
  std::printf("listen=%s:%u\n", host.c_str(), static_cast<unsigned>((*server)->port()));
  std::printf("cert=%s\n", fs::absolute(cert).string().c_str());
  std::printf("sha256=%s\n", fingerprint->c_str());
  std::printf("seed=%llu\n", static_cast<unsigned long long>(seed));
  std::printf("today=%s\n", options.today.iso().c_str());
  std::printf("xs2a=%s/v1 sparkasse=%s/sparkasse/v1 bridge=%s/v3 gocardless=%s/api/v2\n", url.c_str(), url.c_str(), url.c_str(),
              url.c_str());
  std::printf("ready\n");
  std::fflush(stdout);
  std::fprintf(stderr, "bankrec-sandbox: listening on %s (certificate %s, SHA-256 %s)\n", url.c_str(), cert.c_str(),
               fingerprint->c_str());

  int sig = 0;
  while (sigwait(&signals, &sig) != 0) {
  }
  std::fprintf(stderr, "bankrec-sandbox: stopping (%s)\n", sig == SIGTERM ? "SIGTERM" : "SIGINT");
  (*server)->stop();
  if (temporary) fs::remove_all(data_dir, ec);
  return kExitOk;
}

}  // namespace bankrec::app::sandbox
