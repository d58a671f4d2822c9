# The database command family (issue 4): init, import, audit verify/export, db check/rekey/backup.
list(APPEND APP_SOURCES src/store_context.cpp src/audit_commands.cpp src/db_commands.cpp)
list(APPEND APP_DEPS jobs store)
