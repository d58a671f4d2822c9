# bankrec-sandbox: the real process over TLS with libcurl (PKCE needs SHA-256, responses are JSON).
list(APPEND INTEGRATION_TEST_SOURCES sandbox_test.cpp)
find_package(OpenSSL REQUIRED)
find_package(Boost 1.81 REQUIRED COMPONENTS json)
cmake_language(DEFER CALL target_link_libraries bankrec_cli_tests PRIVATE OpenSSL::Crypto Boost::json)
