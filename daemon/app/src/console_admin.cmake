# The console's admin part inside bankrecd (issue 8).
list(APPEND APP_SOURCES src/console_admin_wiring.cpp src/daemon_connectors_console.cpp)
