# `bankrec-sandbox`: the local fake bank (XS2A with OAuth/redirect/decoupled SCA, Bridge v2 and v3, GoCardless) over its own TLS front end.
list(APPEND APP_SOURCES
  src/sandbox/run.cpp src/sandbox/sandbox.cpp src/sandbox/ledger.cpp src/sandbox/tls_server.cpp
  src/sandbox/xs2a.cpp src/sandbox/camt.cpp src/sandbox/bridge.cpp src/sandbox/gocardless.cpp
  src/sandbox/xs2a_sca_flow.cpp src/sandbox/bridge_v2.cpp)
list(APPEND APP_DEPS http domain base)
# Beast/Asio, OpenSSL and Boost.JSON are used directly by the sandbox sources; the app target is
# created after this file is included, so the link is deferred to the end of the directory.
find_package(OpenSSL REQUIRED)
find_package(Boost 1.81 REQUIRED COMPONENTS json system)
cmake_language(DEFER CALL target_link_libraries bankrec_app PRIVATE OpenSSL::SSL OpenSSL::Crypto Boost::json Boost::system)
