# Bank connector runs (issue 7): consent, rate budget, ingest through statement JSON, cursors, gaps.
list(APPEND JOBS_SOURCES src/connector_run.cpp src/connector_state.cpp)
list(APPEND JOBS_HEADERS include/bankrec/jobs/connector_run.h)
list(APPEND JOBS_DEPS connectors net metrics store)
