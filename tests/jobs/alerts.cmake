# Alerts (issue 6): AlertManager against a real SQLCipher store, SMTP server and webhook receiver.
list(APPEND JOBS_TEST_SOURCES alerts_test.cpp alerts_template_test.cpp)
# The real test servers of tests/net; linked once the test target exists (it is made after this file).
cmake_language(DEFER CALL target_link_libraries bankrec_jobs_tests PRIVATE bankrec_net_testservers)
# alerts_template_test.cpp tests the private template engine of daemon/jobs/src.
cmake_language(DEFER CALL target_include_directories bankrec_jobs_tests PRIVATE ${PROJECT_SOURCE_DIR}/daemon/jobs/src)
