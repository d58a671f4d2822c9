#pragma once

#include <memory>

#include "bankrec/base/clock.h"
#include "bankrec/base/result.h"
#include "bankrec/jobs/alerts.h"
#include "commands.h"
#include "config.h"
#include "runtime.h"

namespace bankrec::app {

/// bankrecd's AlertSink: every alert-worthy event is raised in (or resolved from) the alert manager,
/// which keeps it in the database for the console, deduplicates it, writes it to the journal and
/// delivers it by e-mail and webhook from a background thread (so a slow mail server never holds a
/// worker). The manager gets its own database connection, as it requires.
Result<std::unique_ptr<AlertSink>> make_alert_sink(const AppConfig& config, const GlobalOptions& global,
                                                   const Clock& clock);

/// The alert manager's settings from bankrec.yaml.
jobs::AlertsConfig alerts_config(const AppConfig& config);

}  // namespace bankrec::app
