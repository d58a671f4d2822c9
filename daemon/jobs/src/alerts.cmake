# Alerts (issue 6): deduplicated, stored, delivered by e-mail (SMTP) and signed webhook through net.
list(APPEND JOBS_SOURCES src/alerts.cpp src/alerts_template.cpp)
list(APPEND JOBS_HEADERS include/bankrec/jobs/alerts.h)
list(APPEND JOBS_DEPS net store)
