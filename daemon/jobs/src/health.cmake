# Health checks (issue 6): OpenSSL reads the TLS certificate's expiry.
find_package(OpenSSL REQUIRED)
list(APPEND JOBS_SOURCES src/health.cpp)
list(APPEND JOBS_HEADERS include/bankrec/jobs/health.h)
list(APPEND JOBS_DEPS metrics store)
list(APPEND JOBS_PRIVATE_LIBS OpenSSL::Crypto)
