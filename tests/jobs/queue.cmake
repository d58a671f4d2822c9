# Job queue, backoff, schedules and the scheduler (issue 6).
find_package(date REQUIRED CONFIG)
list(APPEND JOBS_TEST_SOURCES backoff_test.cpp queue_test.cpp schedule_test.cpp scheduler_test.cpp
                               reconcile_job_test.cpp)
# The tests use date/tz to write expected times; the target is made after this file is included.
cmake_language(DEFER CALL target_link_libraries bankrec_jobs_tests PRIVATE date::date-tz)
