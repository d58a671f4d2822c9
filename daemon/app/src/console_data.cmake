# The console's data part inside bankrecd (issue 8).
list(APPEND APP_SOURCES src/console_data_wiring.cpp)
