# GoCardless connector: mapping tests on canned JSON and tests against the real bankrec-sandbox
# (the sandbox dependency and BANKREC_SANDBOX come from bridge.cmake).
list(APPEND CONNECTORS_TEST_SOURCES gocardless_map_test.cpp gocardless_sandbox_test.cpp)
