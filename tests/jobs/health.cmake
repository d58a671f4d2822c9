# Health checks (issue 6); OpenSSL makes test certificates with chosen validity.
find_package(OpenSSL REQUIRED)
list(APPEND JOBS_TEST_SOURCES health_test.cpp)
cmake_language(DEFER CALL target_link_libraries bankrec_jobs_tests PRIVATE OpenSSL::Crypto)
