#include "store_context.h"

#include <systemd/sd-journal.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "bankrec/app/exit_code.h"

namespace bankrec::app {

void JournaldCheckpointSink::publish(const store::Checkpoint& checkpoint) {
  // sd_journal_send() silently drops the message when there is no journal; a checkpoint must not be lost.
  if (::access("/run/systemd/journal/socket", W_OK) != 0) return fallback_.publish(checkpoint);
  const std::string json = store::checkpoint_to_json(checkpoint);
  const int r = sd_journal_send("MESSAGE=audit checkpoint %s", json.c_str(), "PRIORITY=5", "SYSLOG_IDENTIFIER=bankrec",
                                "BANKREC_COMPONENT=audit", "BANKREC_AUDIT_SEQ=%lld",
                                static_cast<long long>(checkpoint.seq), "BANKREC_AUDIT_HASH=%s", checkpoint.hash.c_str(),
                                "BANKREC_AUDIT_SIGNATURE=%s", checkpoint.signature.c_str(), nullptr);
  if (r < 0) fallback_.publish(checkpoint);
}

namespace {

std::string env_or_empty(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

}  // namespace

StorePaths store_paths(const GlobalOptions& global) {
  StorePaths p;
  p.data_dir = global.data_dir;
  p.db = p.data_dir / "bankrec.db";
  const std::string credentials = env_or_empty("CREDENTIALS_DIRECTORY");
  p.db_key_where = {credentials, env_or_empty("BANKREC_DB_KEY_FILE"), p.data_dir};
  p.audit_key_where = {credentials, env_or_empty("BANKREC_AUDIT_KEY_FILE"), p.data_dir};
  return p;
}

std::string cli_actor() {
  for (const char* name : {"SUDO_USER", "USER", "LOGNAME"}) {
    const std::string value = env_or_empty(name);
    if (!value.empty()) return "cli:" + value;
  }
  return "cli";
}

int report_error(const Error& error) {
  std::cerr << format_cli_error(error) << '\n';
  return exit_code_for(error);
}

Result<std::unique_ptr<StoreContext>> open_store_context(const GlobalOptions& global) {
  auto ctx = std::make_unique<StoreContext>();
  ctx->paths = store_paths(global);
  const auto db_key = store::find_key_file(ctx->paths.db_key_where, "db.key");
  if (!db_key)
    return fail(Errc::not_found,
                "no database key found (looked for $CREDENTIALS_DIRECTORY/db.key, "
                "$BANKREC_DB_KEY_FILE and DATA_DIR/db.key); run 'bankrec init' first",
                (ctx->paths.data_dir / "db.key").string());
  const auto audit_key = store::find_key_file(ctx->paths.audit_key_where, "audit.key");
  if (!audit_key)
    return fail(Errc::not_found, "no audit signing key found; run 'bankrec init' first",
                (ctx->paths.data_dir / "audit.key").string());
  ctx->db_key_file = *db_key;
  ctx->signing_key.emplace(BANKREC_TRY(store::load_signing_key(*audit_key)));
  ctx->store = BANKREC_TRY(
      store::open_with_key_file(ctx->paths.db, *db_key, *ctx->signing_key, ctx->clock, &ctx->checkpoints));
  return ctx;
}

}  // namespace bankrec::app
