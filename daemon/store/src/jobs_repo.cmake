# The persistent job queue, dead letters and schedules (issue 6).
list(APPEND STORE_SOURCES src/jobs_repo.cpp)
list(APPEND STORE_HEADERS include/bankrec/store/jobs_repo.h)
