# Persistent job queue, retries with backoff, dead letters and the scheduler (issue 6).
# Time zones: Howard Hinnant's date/tz (Debian libhowardhinnant-date-dev), built on the system tzdata.
find_package(date REQUIRED CONFIG)
list(APPEND JOBS_SOURCES src/backoff.cpp src/queue.cpp src/scheduler.cpp src/schedule.cpp)
list(APPEND JOBS_HEADERS include/bankrec/jobs/backoff.h include/bankrec/jobs/queue.h
                         include/bankrec/jobs/scheduler.h)
list(APPEND JOBS_DEPS metrics store net)  # net: the HTTP-date of Retry-After
list(APPEND JOBS_PRIVATE_LIBS date::date-tz)
# The daemon's reconcile job (coalesced, after imports and on a schedule) and daily maintenance.
list(APPEND JOBS_SOURCES src/reconcile_job.cpp src/maintenance.cpp)
list(APPEND JOBS_HEADERS include/bankrec/jobs/reconcile_job.h include/bankrec/jobs/maintenance.h)
list(APPEND JOBS_DEPS reconcile store)
