// `bankrec user add|passwd|totp|list|disable|enable|unlock` (issue 8): local console users.
// Passwords are read twice from the terminal without echo, or once (one line) from stdin when it
// is not a terminal. Every change is audit-logged by the repository with the CLI's actor.
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include "bankrec/app/exit_code.h"
#include "bankrec/domain/json.h"
#include "bankrec/http/auth.h"
#include "bankrec/http/auth_service.h"
#include "bankrec/store/connectors_repo.h"
#include "bankrec/store/users_repo.h"
#include "commands.h"
#include "store_context.h"
#include "user_commands.h"

#include "runtime.h"

#include <spdlog/spdlog.h>

namespace bankrec::app {
namespace {

struct UserOptions {
  std::string name;
  std::string role;
  bool json = false;
};

/// The store, the secrets key that seals TOTP secrets, and the auth service over both.
struct UserContext {
  std::unique_ptr<StoreContext> store;
  std::optional<store::SecretKey> secrets_key;
  std::unique_ptr<http::AuthService> auth;
};

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : "";
}

/// On the heap: the AuthService keeps references to the store and the key, so the context never moves.
Result<std::unique_ptr<UserContext>> open_users(const GlobalOptions& global) {
  auto owned = std::make_unique<UserContext>();
  UserContext& ctx = *owned;
  ctx.store = BANKREC_TRY(open_store_context(global));
  const store::KeyLocations where{env_or_empty("CREDENTIALS_DIRECTORY"), env_or_empty("BANKREC_CONNECTORS_KEY_FILE"),
                                  ctx.store->paths.data_dir};
  ctx.secrets_key.emplace(BANKREC_TRY(store::open_connectors_key(where, /*create=*/true)));
  ctx.auth = std::make_unique<http::AuthService>(*ctx.store->store, *ctx.secrets_key, ctx.store->clock);
  return owned;
}

std::string read_line(std::istream& in) {
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  return line;
}

/// One line from the terminal with echo off.
std::string read_hidden(const char* prompt) {
  std::cerr << prompt << std::flush;
  termios old{};
  const bool tty = ::tcgetattr(STDIN_FILENO, &old) == 0;
  if (tty) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string line = read_line(std::cin);
  if (tty) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
  std::cerr << '\n';
  return line;
}

Result<std::string> read_new_password(std::string_view name) {
  if (::isatty(STDIN_FILENO) == 0) {
    std::string password = read_line(std::cin);
    if (password.empty()) return fail(Errc::invalid_input, "no password on stdin");
    return password;
  }
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::string first = read_hidden("new password (at least 12 characters): ");
    if (auto policy = http::auth::check_password_policy(first, name); !policy) {
      std::cerr << "bankrec: " << policy.error().message << '\n';
      continue;
    }
    if (read_hidden("repeat it: ") == first) return first;
    std::cerr << "bankrec: the passwords differ\n";
  }
  return fail(Errc::invalid_input, "no acceptable password given");
}

Result<store::UserRecord> existing(UserContext& ctx, const std::string& name) {
  auto user = BANKREC_TRY(store::UsersRepo(*ctx.store->store, *ctx.secrets_key).find(name));
  if (!user) return fail(Errc::not_found, "no user '" + name + "'");
  return std::move(*user);
}

int run_add(const UserOptions& o, const GlobalOptions& global) {
  auto role = store::parse_role(o.role);
  if (!role) return report_error(role.error());
  if (auto valid = store::UsersRepo::validate_name(o.name); !valid) return report_error(valid.error());
  auto ctx = open_users(global);
  if (!ctx) return report_error(ctx.error());
  auto password = read_new_password(o.name);
  if (!password) return report_error(password.error());
  auto user = (*ctx)->auth->create_user(o.name, *role, *password, cli_actor());
  if (!user) return report_error(user.error());
  std::cout << "created user " << user->name << " (" << store::role_name(user->role) << ")\n";
  if (http::role_requires_totp(user->role))
    std::cout << "this role needs two-factor authentication: run 'bankrec user totp " << user->name << "'\n";
  return kExitOk;
}

int run_passwd(const UserOptions& o, const GlobalOptions& global) {
  auto ctx = open_users(global);
  if (!ctx) return report_error(ctx.error());
  auto user = existing(**ctx, o.name);
  if (!user) return report_error(user.error());
  auto password = read_new_password(o.name);
  if (!password) return report_error(password.error());
  http::UserChange change;
  change.password = *password;
  if (auto r = (*ctx)->auth->update_user(user->id, change, cli_actor()); !r) return report_error(r.error());
  std::cout << "password of " << user->name << " changed; its sessions were ended\n";
  return kExitOk;
}

int run_totp(const UserOptions& o, const GlobalOptions& global) {
  auto ctx = open_users(global);
  if (!ctx) return report_error(ctx.error());
  auto user = existing(**ctx, o.name);
  if (!user) return report_error(user.error());
  auto enrolment = (*ctx)->auth->begin_totp(user->id, cli_actor());
  if (!enrolment) return report_error(enrolment.error());
  std::cout << enrolment->otpauth_uri << "\n";
  if (auto qr = http::auth::qr_terminal(enrolment->otpauth_uri)) std::cout << *qr;
  std::cout << "secret (for typing in): " << enrolment->secret_base32 << "\n" << std::flush;
  const bool tty = ::isatty(STDIN_FILENO) != 0;
  for (int attempt = 0; attempt < (tty ? 3 : 1); ++attempt) {
    std::cerr << "enter the 6-digit code the app shows: " << std::flush;
    const std::string code = read_line(std::cin);
    auto codes = (*ctx)->auth->confirm_totp(user->id, code, cli_actor());
    if (!codes) {
      std::cerr << "bankrec: " << codes.error().message << '\n';
      if (codes.error().code != Errc::invalid_input) return report_error(codes.error());
      continue;
    }
    std::cout << "two-factor authentication enrolled for " << user->name
              << ". Recovery codes (each works once; they are shown only now):\n";
    for (const auto& c : *codes) std::cout << "  " << c << "\n";
    return kExitOk;
  }
  return report_error(Error{Errc::invalid_input, "enrolment not confirmed; run the command again", {}});
}

int run_list(const UserOptions& o, const GlobalOptions& global) {
  auto ctx = open_users(global);
  if (!ctx) return report_error(ctx.error());
  auto users = (*ctx)->auth->list_users();
  if (!users) return report_error(users.error());
  if (!o.json) std::printf("%-24s %-11s %-9s %-5s %-25s %s\n", "NAME", "ROLE", "STATE", "TOTP", "LAST_LOGIN", "LOCKED_UNTIL");
  for (const auto& u : *users) {
    if (o.json) {
      std::cout << "{\"id\":" << u.id << ",\"name\":" << domain::json_quote(u.name) << ",\"role\":\""
                << store::role_name(u.role) << "\",\"disabled\":" << (u.disabled ? "true" : "false")
                << ",\"totp_enrolled\":" << (u.totp_enrolled ? "true" : "false") << ",\"last_login_at\":"
                << (u.last_login_at ? domain::json_quote(*u.last_login_at) : "null") << ",\"locked_until\":"
                << (u.locked_until ? domain::json_quote(*u.locked_until) : "null") << "}\n";
      continue;
    }
    std::printf("%-24s %-11s %-9s %-5s %-25s %s\n", u.name.c_str(), store::role_name(u.role),
                u.disabled ? "disabled" : "active", u.totp_enrolled ? "yes" : "no", u.last_login_at.value_or("-").c_str(),
                u.locked_until.value_or("").c_str());
  }
  return kExitOk;
}

int run_change(const UserOptions& o, const GlobalOptions& global, const http::UserChange& change, const char* done) {
  auto ctx = open_users(global);
  if (!ctx) return report_error(ctx.error());
  auto user = existing(**ctx, o.name);
  if (!user) return report_error(user.error());
  if (auto r = (*ctx)->auth->update_user(user->id, change, cli_actor()); !r) return report_error(r.error());
  std::cout << "user " << user->name << " " << done << "\n";
  return kExitOk;
}

}  // namespace

void add_user_commands(CLI::App& cli, CommandTable& table) {
  auto* user = cli.add_subcommand("user", "local console users: add, passwd, totp, list, disable, enable, unlock");
  user->require_subcommand(1);
  auto o = std::make_shared<UserOptions>();

  auto* add = user->add_subcommand("add", "create a user (password from the terminal, or one line on stdin)");
  add->add_option("NAME", o->name, "login name: a-z 0-9 . _ @ -")->required();
  add->add_option("--role", o->role, "viewer, accountant, approver or admin")->required();
  table.push_back({add, [o](const GlobalOptions& g) { return run_add(*o, g); }});

  auto* passwd = user->add_subcommand("passwd", "set a user's password (ends the user's sessions)");
  passwd->add_option("NAME", o->name, "login name")->required();
  table.push_back({passwd, [o](const GlobalOptions& g) { return run_passwd(*o, g); }});

  auto* totp = user->add_subcommand("totp", "enrol two-factor authentication: QR code, first code, recovery codes");
  totp->add_option("NAME", o->name, "login name")->required();
  table.push_back({totp, [o](const GlobalOptions& g) { return run_totp(*o, g); }});

  auto* list = user->add_subcommand("list", "list users with role, state, TOTP and lockout");
  list->add_flag("--json", o->json, "JSON Lines");
  table.push_back({list, [o](const GlobalOptions& g) { return run_list(*o, g); }});

  auto* disable = user->add_subcommand("disable", "disable a user and end its sessions");
  disable->add_option("NAME", o->name, "login name")->required();
  table.push_back({disable, [o](const GlobalOptions& g) {
                     http::UserChange c;
                     c.disabled = true;
                     return run_change(*o, g, c, "disabled");
                   }});
  auto* enable = user->add_subcommand("enable", "enable a disabled user");
  enable->add_option("NAME", o->name, "login name")->required();
  table.push_back({enable, [o](const GlobalOptions& g) {
                     http::UserChange c;
                     c.disabled = false;
                     return run_change(*o, g, c, "enabled");
                   }});
  auto* unlock = user->add_subcommand("unlock", "lift a lockout after failed sign-ins");
  unlock->add_option("NAME", o->name, "login name")->required();
  table.push_back({unlock, [o](const GlobalOptions& g) {
                     http::UserChange c;
                     c.unlock = true;
                     return run_change(*o, g, c, "unlocked");
                   }});
}

namespace {

class DaemonConsoleAuth final : public ConsoleAuth {
 public:
  std::shared_ptr<http::AuthService> service() const override { return auth; }
  std::unique_ptr<UserContext> users;
  std::shared_ptr<http::AuthService> auth;
};

}  // namespace

http::AuthOptions console_auth_options(const AppConfig& config, AlertSink* alerts) {
  http::AuthOptions options;
  const ConsoleSettings& c = config.console;
  options.idle_timeout = std::chrono::minutes(c.session_idle_minutes);
  options.absolute_lifetime = std::chrono::hours(c.session_absolute_hours);
  const std::chrono::seconds window = std::chrono::minutes(c.login_window_minutes);
  const std::chrono::seconds lockout = std::chrono::minutes(c.login_lockout_minutes);
  options.account = {static_cast<std::int64_t>(c.login_max_failures_per_account), window, lockout};
  options.address = {static_cast<std::int64_t>(c.login_max_failures_per_address), window, lockout};
  options.on_lockout = [alerts](std::string_view scope, std::string_view key) {
    if (auto log = spdlog::get("http")) log->warn("sign-in locked after repeated failures scope={} key=\"{}\"", scope, key);
    else if (auto app = spdlog::get("app")) app->warn("sign-in locked after repeated failures scope={} key=\"{}\"", scope, key);
    if (alerts != nullptr) alerts->login_locked(scope, key);
  };
  return options;
}

Result<std::unique_ptr<ConsoleAuth>> install_console_auth(http::Router& router, const GlobalOptions& global,
                                                          const Clock& clock) {
  auto owner = std::make_unique<DaemonConsoleAuth>();
  owner->users = BANKREC_TRY(open_users(global));
  http::AuthOptions options;
  options.on_lockout = [](std::string_view scope, std::string_view key) {
    if (auto log = spdlog::get("http")) log->warn("sign-in locked after repeated failures scope={} key=\"{}\"", scope, key);
    else if (auto app = spdlog::get("app")) app->warn("sign-in locked after repeated failures scope={} key=\"{}\"", scope, key);
  };
  owner->auth = std::make_shared<http::AuthService>(*owner->users->store->store, *owner->users->secrets_key, clock,
                                                       std::move(options));
  BANKREC_TRY(owner->auth->purge_sessions());
  http::install_auth_routes(router, owner->auth);
  return std::unique_ptr<ConsoleAuth>(std::move(owner));
}

}  // namespace bankrec::app
