# `bankrec user ...` and the console's sign-in in bankrecd (issue 8).
list(APPEND APP_SOURCES src/user_commands.cpp)
list(APPEND APP_DEPS http store)
