#pragma once

namespace bankrec::app::sandbox {

/// `bankrec-sandbox [--listen ADDR:PORT] [--seed N] [--data-dir DIR] [--days N] [--today YYYY-MM-DD]
/// [--page-size N] [--fault PATTERN=KIND[:COUNT]]...`; returns the exit code.
int run(int argc, char** argv);

}  // namespace bankrec::app::sandbox
