# `bankrec profiles list` (issue 9): the bank profiles of profiles_dir, validated.
list(APPEND APP_SOURCES src/profile_commands.cpp)
list(APPEND APP_DEPS formats)
