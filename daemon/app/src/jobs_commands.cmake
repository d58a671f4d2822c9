# `bankrec jobs` / `bankrec dead-letters` and bankrecd's event loop (issue 6).
list(APPEND APP_SOURCES src/jobs_commands.cpp src/runtime.cpp src/daemon_settings.cpp)
list(APPEND APP_DEPS jobs store)
# Boost.JSON for job payloads, Asio (header-only) for the event loop; the target is made after this file.
cmake_language(DEFER CALL target_link_libraries bankrec_app PRIVATE Boost::json Boost::headers)
