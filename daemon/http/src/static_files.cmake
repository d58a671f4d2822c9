# The console's web UI served by bankrecd (issue 8): index.html and the hashed assets.
list(APPEND HTTP_SOURCES src/static_files.cpp)
list(APPEND HTTP_HEADERS include/bankrec/http/static_files.h)
