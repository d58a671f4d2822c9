# Bank connectors (issue 7): `bankrec connector ...`, the connectors: config section and bankrecd's
# fetch jobs, schedules and health checks. Boost.URL parses the consent redirect; Beast serves it.
list(APPEND APP_SOURCES src/connector_commands.cpp src/connectors_config.cpp src/daemon_connectors.cpp)
list(APPEND APP_DEPS connectors jobs store net)
find_package(Boost 1.81 REQUIRED COMPONENTS url json)
cmake_language(DEFER CALL target_link_libraries bankrec_app PRIVATE Boost::url Boost::json Boost::headers)
