# The console inside bankrecd (issue 8): the wiring shared by its parts.
list(APPEND APP_SOURCES src/daemon_console.cpp)
list(APPEND APP_DEPS http jobs store)
