# bankrecd's jobs, inbox, dead letters, crash recovery, reload and metrics with the real executables
# (issue 6). Its own binary: it reads the database afterwards through the store library.
add_executable(bankrec_daemon_jobs_tests daemon_jobs_test.cpp)
target_link_libraries(bankrec_daemon_jobs_tests PRIVATE bankrec::store bankrec_testsupport GTest::gmock_main
                      CURL::libcurl bankrec_warnings bankrec_sanitize)
target_compile_definitions(bankrec_daemon_jobs_tests PRIVATE BANKREC_CLI="$<TARGET_FILE:bankrec>"
                           BANKRECD="$<TARGET_FILE:bankrecd>")
add_dependencies(bankrec_daemon_jobs_tests bankrec bankrecd)
gtest_discover_tests(bankrec_daemon_jobs_tests DISCOVERY_TIMEOUT 60 PROPERTIES ENVIRONMENT "TZ=UTC" LABELS integration)
# bankrecd's life cycle: systemd notify and watchdog, stop bound during an import, reload of folders,
# schedules, workers and retries, reconciliation after imports with the unmatched alert.
add_executable(bankrec_daemon_lifecycle_tests daemon_lifecycle_test.cpp)
target_link_libraries(bankrec_daemon_lifecycle_tests PRIVATE bankrec::store bankrec_testsupport GTest::gmock_main
                      CURL::libcurl bankrec_warnings bankrec_sanitize)
target_compile_definitions(bankrec_daemon_lifecycle_tests PRIVATE BANKREC_CLI="$<TARGET_FILE:bankrec>"
                           BANKRECD="$<TARGET_FILE:bankrecd>")
add_dependencies(bankrec_daemon_lifecycle_tests bankrec bankrecd)
gtest_discover_tests(bankrec_daemon_lifecycle_tests DISCOVERY_TIMEOUT 60 PROPERTIES ENVIRONMENT "TZ=UTC" LABELS integration)
