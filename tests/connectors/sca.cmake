# SCA approaches beyond OAuth (XS2A redirect, decoupled, download links) and Bridge v2: pure parts
# and flows against the real bankrec-sandbox (BANKREC_SANDBOX and the private include path come from
# bridge.cmake and core.cmake).
list(APPEND CONNECTORS_TEST_SOURCES sca_test.cpp)
