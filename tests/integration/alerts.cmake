# bankrecd raising alerts for real: a bad inbox file goes to failed/ and the alert reaches a local
# SMTP server (STARTTLS, AUTH) and a local HTTPS webhook receiver that checks the HMAC (issue 6).
add_executable(bankrec_daemon_alerts_tests daemon_alerts_test.cpp)
target_link_libraries(bankrec_daemon_alerts_tests PRIVATE bankrec::net bankrec_net_testservers bankrec_testsupport
                      GTest::gmock_main bankrec_warnings bankrec_sanitize)
target_compile_definitions(bankrec_daemon_alerts_tests PRIVATE BANKRECD="$<TARGET_FILE:bankrecd>")
add_dependencies(bankrec_daemon_alerts_tests bankrecd)
gtest_discover_tests(bankrec_daemon_alerts_tests DISCOVERY_TIMEOUT 60 PROPERTIES ENVIRONMENT "TZ=UTC" LABELS integration)
