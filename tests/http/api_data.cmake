# The console's data API (issue 8): routes through the Router on a real store, and the streamed upload
# path through the real HTTPS server.
list(APPEND HTTP_TEST_SOURCES api_data_test.cpp api_data_server_test.cpp)
