# The console's static part inside bankrecd (issue 8).
list(APPEND APP_SOURCES src/console_static_wiring.cpp)
